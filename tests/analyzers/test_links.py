"""Brand-free link techniques, judged only in crypto-themed mail."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from coinguard.analyzers.links import SHORTENERS_FILE, LinkAnalyzer, link_techniques, load_shorteners, parse_shorteners
from coinguard.analyzers.urls_common import FoundUrl, ip_host, message_urls, redirect_target, url_item
from coinguard.config import parse_config
from coinguard.findings import Finding, Item, Role
from coinguard.handlers import MessageInfo
from coinguard.scan import ScanContext, scan_message

from helpers import REPO, make_context, make_message, zip_bytes

CID = "QmVRJwcDuG2Y2rJZg1ziWDASCo1iRhjh4GH5MBpbGChjmp"


def test_each_technique() -> None:
    found = link_techniques([
        f"https://dweb.link/ipfs/{CID}?filename=wallet.html",
        "http://185.12.1.9/claim",
        "https://xn--metamsk-9ya.example/login",
        "https://track.example/click?ued=https%3A%2F%2Fdrainer.example%2Fclaim",
        "javascript:document.location='x'",
    ])
    assert set(found) == {"links.ipfs", "links.raw_ip", "links.punycode", "links.redirect", "links.script"}
    assert found["links.redirect"] == ["track.example -> drainer.example"]


def test_ordinary_links_say_nothing() -> None:
    assert link_techniques([
        "https://www.example.org/news?id=5",
        "https://news.example.com/out?url=https://news.example.com/article",  # redirect inside one organisation
        "mailto:info@example.org",
    ]) == {}


def run(body: str, findings: list[Finding]) -> set[str]:
    msg = MessageInfo(body_text=body)
    return {f.code for f in LinkAnalyzer().analyze_message(msg, (), findings, make_context(message=msg))}


def test_only_in_crypto_themed_mail() -> None:
    body = f"Claim your airdrop: https://dweb.link/ipfs/{CID}\n"
    assert run(body, []) == set()
    assert run(body, [Finding("crypto.lure.body", "crypto_theme")]) == {"links.ipfs"}


# -- one URL list for the message: body, PDF and Office links, attachments' text, QR codes, redirects ---------

THEMED = [Finding("crypto.lure.body", "crypto_theme")]
OFFLINE = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.3\n')


@pytest.mark.parametrize(("host", "ip"), [
    ("185.12.1.9", True), ("::1", True), ("[2001:db8::5]", True), ("3232235777", True), ("0xc0a80101", True),
    ("0300.0250.1.1", True), ("192.168.257", True), ("example.com", False), ("1.2.3.4.5", False),
    ("2024.example", False), ("99999999999", False),
])
def test_raw_ip_in_every_spelling(host: str, ip: bool) -> None:
    assert ip_host(host) is ip


def test_shortener_list_is_config_not_code() -> None:
    assert (REPO / "config" / "shorteners.txt").resolve() == Path(SHORTENERS_FILE).resolve()
    hosts = load_shorteners()
    assert {"bit.ly", "t.co", "tinyurl.com", "cutt.ly", "rebrand.ly", "is.gd", "qrco.de"} <= hosts
    assert parse_shorteners("# c\nBIT.LY  # inline\n\nexample.org.\n") == {"bit.ly", "example.org"}
    found = link_techniques(["https://bit.ly/3abc", "https://www.tinyurl.com/x", "https://bitly.example/"], hosts)
    assert found == {"links.shortener": ["bit.ly", "www.tinyurl.com"]}


@pytest.mark.parametrize(("url", "target"), [
    ("https://t.example/c?u=https%3A%2F%2Fevil.example%2Fa", "https://evil.example/a"),
    ("https://www.google.com/url?q=https://binance-verify.com/x&sa=D", "https://binance-verify.com/x"),
    ("https://www.google.com/amp/s/metamask-sync.app/restore", "https://metamask-sync.app/restore"),
    ("https://x.example/r?next=hxxps://drain.example/", "https://drain.example/"),
    ("https://shop.example/p?id=3", ""),
    # a click tracker's destination written into its path (Amazon SES) or base64-encoded in a query value
    ("https://r.us-east-1.awstrack.me/L0/https:%2F%2Fwallet-sync.example%2Fa/1/0100-abc=302",
     "https://wallet-sync.example/a/1/0100-abc=302"),
    ("https://go.example/r/https://drain.example/x", "https://drain.example/x"),
    ("https://acct.lt.acemlnc.com/Prod/link-tracker?redirectUrl=aHR0cHMlM0ElMkYlMkZsaXZlLW15bGVkZ2VyLmNvbQ==&sig=2n",
     "https://live-myledger.com"),
    ("https://www.bing.com/ck/a?!&&p=1f2e&u=a1aHR0cHM6Ly9tZXRhbWFzay1zeW5jLmFwcC8&ntb=1", "https://metamask-sync.app/"),
    # base64 that is no URL, a URL-looking word in a path: nothing
    ("https://cdn.example/img?v=aHR0cXXXXXXXXX", ""),
    ("https://docs.example/guide/https-setup", ""),
])
def test_open_redirect_destinations(url: str, target: str) -> None:
    assert redirect_target(url) == target


def _pdf_with_link(uri: str) -> bytes:
    w = PdfWriter()
    page = w.add_blank_page(200, 200)
    a = DictionaryObject({NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject(uri)})
    link = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
                             NameObject("/A"): a, NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4)})
    page[NameObject("/Annots")] = ArrayObject([w._add_object(link)])
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def test_message_urls_come_from_every_place_once() -> None:
    parent = Item(path="a.pdf", name="a.pdf", data=b"%PDF", type="pdf")
    carried = url_item(parent, ["https://pdf.example/x", "https://body.example/"], source="pdf", where="PDF link",
                       label="pdf-text")
    note = Item(path="note.txt", name="note.txt", data=b"see https://text.example/t.", type="text")
    msg = MessageInfo(body_text="go to https://body.example/ now", body_html_links=("javascript:void(0)",))
    ctx = make_context(message=msg)
    found = message_urls(msg, (parent, carried, note), ctx)
    assert found == (FoundUrl("javascript:void(0)"), FoundUrl("https://body.example/"),
                     FoundUrl("https://pdf.example/x", "PDF link in a.pdf", "PDF link"),
                     FoundUrl("https://text.example/t", "in note.txt", "text"))
    assert message_urls(msg, (), ctx) is found  # once per message
    assert carried.role == Role.TEXT and carried.data == b"https://pdf.example/x\nhttps://body.example/"


def test_links_in_a_pdf_and_a_docx_reach_the_link_and_brand_analyzers() -> None:
    """End to end: links found in documents are judged like the body's, and say where they were."""
    rels = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"'
            ' Target="http://0xb9c0010a/wallet/restore" TargetMode="External"/></Relationships>')
    docx = zip_bytes({"[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
                      "word/document.xml": b"<w:document/>", "word/_rels/document.xml.rels": rels.encode()})
    raw = make_message(subject="Your wallet needs verification",
                       body="Your crypto wallet will be suspended. Verify your seed phrase within 24 hours.\n",
                       attachments=[("notice.pdf", _pdf_with_link("https://metamask-restore.io/s"), "application/pdf"),
                                    ("help.docx", docx, "application/vnd.openxmlformats-officedocument."
                                                        "wordprocessingml.document")])
    v = scan_message(raw, ScanContext(config=OFFLINE))
    found = {f.code: f.detail for f in v.findings}
    assert found["brand.lookalike_link"] == ("link to metamask-restore.io imitates MetaMask (brand plus word), "
                                             "PDF link in notice.pdf")
    assert found["links.raw_ip"] == "0xb9c0010a (Office hyperlink in help.docx)"


def test_redirect_destination_is_judged_as_a_link_of_its_own() -> None:
    msg = MessageInfo(body_text="Claim: https://www.google.com/url?q=https://bit.ly/claim-airdrop")
    found = {f.code: f.detail for f in
             LinkAnalyzer().analyze_message(msg, (), THEMED, make_context(message=msg))}
    assert found == {"links.redirect": "google.com -> bit.ly", "links.shortener": "bit.ly"}


def test_brand_findings_count_as_crypto_context_too() -> None:
    msg = MessageInfo(body_text="Your Coinbase account: https://cutt.ly/restore")
    ctx = make_context(message=msg)
    assert list(LinkAnalyzer().analyze_message(msg, (), [], ctx)) == []
    found = LinkAnalyzer().analyze_message(msg, (), [Finding("brand.impersonation", "brands")], ctx)
    assert [(f.code, f.detail) for f in found] == [("links.shortener", "cutt.ly")]


def test_links_of_an_attached_login_page_are_judged() -> None:
    page = (b'<html><body><form action="https://kucoin-security-check.com/post.php" method="post">'
            b'<input type="password" name="p"></form></body></html>')
    raw = make_message(subject="KuCoin security check", body="Open the attached page to keep your account.\n",
                       attachments=[("login.html", page, "text/html")])
    found = {f.code: f.detail for f in scan_message(raw, ScanContext(config=OFFLINE)).findings}
    assert "markup.credential_form" in found
    assert found["brand.lookalike_link"] == ("link to kucoin-security-check.com imitates KuCoin (brand plus word), "
                                             "in login.html")


@pytest.mark.parametrize(("url", "service"), [
    ("https://docs.google.com/forms/d/e/1FAIpQLSe4C/viewform?usp=mail_form_link", "docs.google.com/forms"),
    ("https://docs.google.com/drawings/d/18wxvlAiAmq/preview", "docs.google.com/drawings"),
    ("https://forms.gle/AbCdEf123", "forms.gle"),
    ("https://forms.yandex.com/cloud/6582d51084227c/", "forms.yandex.com"),
    ("https://d588735c.blockchainsync.pages.dev/#victim@example.org", "pages.dev"),
    ("https://claim-rewards.workers.dev/", "workers.dev"),
    ("https://optimism-drop.s3.us-east-1.amazonaws.com/claim.html", "s3.amazonaws.com"),
    ("https://s3.amazonaws.com/bucket/claim.html", "s3.amazonaws.com"),
    ("https://wallet-restore.web.app/", "web.app"),
    ("https://share.evernote.com/note/3a7f62cf", "share.evernote.com"),
    ("https://airdrop.notion.site/Claim-abc", "notion.site"),
    ("https://x.typeform.com/to/AbC", "x.typeform.com/to"),
    # file shares, more site builders and form services, tunnels, IPFS gateways whatever the path
    ("https://www.dropbox.com/scl/fi/k2x9/claim.pdf?rlkey=ab&dl=0", "www.dropbox.com/scl"),
    ("https://www.dropbox.com/s/abc123/wallet.html?dl=0", "www.dropbox.com/s"),
    ("https://1drv.ms/b/s!AkQ9xYz", "1drv.ms"),
    ("https://contoso-my.sharepoint.com/:b:/g/personal/x/EaBc", "sharepoint.com"),
    ("https://drive.google.com/file/d/1AbC/view?usp=sharing", "drive.google.com/file"),
    ("https://app.box.com/s/q8x7w", "app.box.com/s"),
    ("https://wallet-sync.wixsite.com/home", "wixsite.com"),
    ("https://claim-portal.webflow.io/", "webflow.io"),
    ("https://airdrop-claim.my.canva.site/", "my.canva.site"),
    ("https://tally.so/r/w2XyZ", "tally.so"),
    ("https://telegra.ph/Wallet-Verification-12-01", "telegra.ph"),
    ("https://seasons-ruled-bridge.trycloudflare.com/login", "trycloudflare.com"),
    ("https://ipfs.io/ipns/wallet-sync.example/", "ipfs.io"),
])
def test_pages_on_free_hosting_form_and_sharing_services(url: str, service: str) -> None:
    assert link_techniques([url]) == {"links.hosted_page": [service]}


@pytest.mark.parametrize("url", [
    "https://docs.google.com/spreadsheets/d/1abc/edit",  # a shared sheet (an accountant's) is no page host
    "https://www.google.com/forms/about/",
    "https://x.typeform.com/",
    "https://pages.example.com/dev",
    "https://notapages.dev.example/",
    "https://amazonaws.com.example/claim",
    "https://www.dropbox.com/business",  # a service's own pages are not a share
    "https://www.dropbox.com/plans",
    "https://drive.google.com/",
    "https://www.box.com/pricing",
    "https://mydropbox.com.example/s/x",
])
def test_other_links_on_those_names_are_not_hosted_pages(url: str) -> None:
    assert link_techniques([url]) == {}


def test_hosted_page_counts_in_crypto_themed_mail_that_asks_for_something() -> None:
    form = " https://docs.google.com/forms/d/e/1FAIpQLSe/viewform\n"
    asking = "Confirm your information to receive the 0.5 BTC:" + form
    assert run(asking, []) == set()
    assert run(asking, THEMED) == {"links.hosted_page"}
    # a registration form in mail that informs (topic words, a grant) is no lure page
    informing = "Our DeFi summit programme is online; speakers receive a travel grant. Register:" + form
    assert run(informing, THEMED) == set()
    # an exchange named by someone else: the form counts without an explicit call to action
    assert run(informing, [Finding("brand.impersonation", "brands")]) == {"links.hosted_page"}


def test_hosted_page_from_a_free_mailbox_is_graded_higher() -> None:
    """Technique: a crypto pitch from a Gmail/Outlook address whose link is a shared document: no domain of the
    sender's or of the page's; a newsletter's own form comes from the newsletter's domain."""
    asking = "Buy bitcoin today and grow your savings: https://docs.google.com/presentation/d/1AbC/preview\n"

    def graded(sender_domain: str, findings: list[Finding]) -> dict[str, float]:
        msg = MessageInfo(body_text=asking, from_domain=sender_domain)
        analyzer = LinkAnalyzer()
        scores = {c.code: c.score for c in analyzer.codes}
        return {f.code: scores[f.code] for f in analyzer.analyze_message(msg, (), findings, make_context(message=msg))}

    assert graded("gmail.com", THEMED) == {"links.hosted_page_freemail": 2.5}
    assert graded("news.example", THEMED) == {"links.hosted_page": 1.5}
    assert graded("gmail.com", []) == {}  # not crypto: not judged by its links


def test_hosted_page_with_bait_counts_only_from_a_free_mailbox() -> None:
    """Technique: the anonymous pitch -- a free mailbox, bait ("get BTC and invest"), and a shared document as
    the only link, no call phrase: the link is the call.  The same bait from a domain of its own (a newsletter
    on markets) does not make its shared page a lure page."""
    bait = "Get BTC and invest in a digital asset with the potential to reshape finance " \
           "https://docs.google.com/drawings/d/18wxvlAiAm/preview\n"

    def codes(sender_domain: str) -> set[str]:
        msg = MessageInfo(body_text=bait, from_domain=sender_domain)
        return {f.code for f in LinkAnalyzer().analyze_message(msg, (), THEMED, make_context(message=msg))}

    assert codes("gmail.com") == {"links.hosted_page_freemail"}
    assert codes("outlook.com") == {"links.hosted_page_freemail"}
    assert codes("markets-weekly.example") == set()
    # a free mailbox sharing a document about crypto with no bait in it: no lure page
    msg = MessageInfo(body_text="Notes from the Bitcoin meetup: https://docs.google.com/document/d/1Ab/edit\n",
                      from_domain="gmail.com")
    assert not list(LinkAnalyzer().analyze_message(msg, (), THEMED, make_context(message=msg)))


@pytest.mark.parametrize(("sender", "html"), [
    # a crypto newsletter linking its own Google Form, Notion page, Typeform survey, Dropbox slides
    ("Bitcoin Meetup <hello@btcmeetup.example>",
     "<p>Our meetup on Lightning wallets is on the 10th. Seats are limited: RSVP on the form.</p>"
     '<a href="https://docs.google.com/forms/d/e/1FAIpQLSf/viewform">RSVP</a>'),
    ("DAO Stewards <stewards@dao.example>",
     "<p>The steward handbook on how wallets and grants are reviewed is online.</p>"
     '<a href="https://dao-stewards.notion.site/handbook">Handbook</a>'),
    ("Crypto Weekly <editor@cryptoweekly.example>",
     "<p>Bitcoin rose 4% this week. Tell us what you would like to read about in 2027.</p>"
     '<a href="https://cryptoweekly.typeform.com/to/Ab12">Reader survey</a>'),
    ("ETH Conference <team@ethconf.example>",
     "<p>Thanks for attending! The slides of the talks on wallets and staking are in our shared folder.</p>"
     '<a href="https://www.dropbox.com/scl/fo/x1y2/slides?dl=0">Slides</a>'),
])
def test_crypto_newsletter_linking_its_own_hosted_page_stays_clean(sender: str, html: str) -> None:
    raw = make_message(subject="News from us", sender=sender, body="", html=html,
                       headers=[("List-Unsubscribe", "<https://news.example/u?1>"), ("List-Id", "<n.example>")])
    v = scan_message(raw, ScanContext(config=OFFLINE))
    assert v.verdict.value == "clean", [(f.code, f.score) for f in v.findings]
    assert not any(f.code.startswith("links.hosted_page") for f in v.findings)
