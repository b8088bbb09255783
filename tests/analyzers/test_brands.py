"""Brands: impersonation by name, look-alike sender domains and links, the brands.toml format."""

from __future__ import annotations

from pathlib import Path

import pytest

from coinguard.analyzers.brands import SELF_EVIDENT, BrandAnalyzer, lookalike
from coinguard.brandlist import BrandFormatError, load_brands, parse_brands
from coinguard.config import Config, CryptoConfig
from coinguard.findings import Finding, Item
from coinguard.handlers import MessageInfo

from helpers import make_context

TABLE = load_brands(CryptoConfig().brands_file)


def run(findings: tuple[Finding, ...] = (), cfg: Config | None = None, **kw: object) -> dict[str, list[Finding]]:
    msg = MessageInfo(**kw)  # type: ignore[arg-type]
    out: dict[str, list[Finding]] = {}
    for f in BrandAnalyzer().analyze_message(msg, (), findings, make_context(config=cfg, message=msg)):
        out.setdefault(f.code, []).append(f)
    return out


@pytest.mark.parametrize(("domain", "brand", "reason"), [
    ("upbit-security.com", "upbit", "brand plus word"),
    ("secure-binance.net", "binance", "brand plus word"),
    ("upb1t.com", "upbit", "homoglyph"),
    ("rnetamask.io", "metamask", "homoglyph"),
    ("xn--upbt-nza.com", "upbit", "homoglyph"),  # upbıt (dotless i)
    ("xn--bnance-bwa.com", "binance", "homoglyph"),  # bіnance (Cyrillic і)
    # small Cyrillic letters Unicode's confusables data does not map to Latin (к, т, г)
    ("кraken.com", "kraken", "homoglyph"),
    ("кraken.com".encode("idna").decode(), "kraken", "homoglyph"),
    ("bybiт.com", "bybit", "homoglyph"),
    ("кucoin-login.net", "kucoin", "brand plus word"),
    ("тrezor.io", "trezor", "homoglyph"),
    ("coinbasse.com", "coinbase", "edit distance"),
    ("metamsak.io", "metamask", "edit distance"),
    ("metamaskwallet.app", "metamask", "brand glued to a word"),
    ("metamaskxyzabc.app", "metamask", "contains brand"),
    ("binanceverify.net", "binance", "brand glued to a word"),
    ("secureokxlogin.io", "okx", "brand glued to a word"),
    ("mexcwallet.com", "mexc", "brand glued to a word"),
    ("coinbase.co", "coinbase", "brand name on another domain"),
    ("binance.com.secure-login.xyz", "binance", "brand domain inside another domain"),
    ("metamask.wallet-sync.app", "metamask", "brand in a subdomain of another domain"),
    ("업비트.com".encode("idna").decode(), "upbit", "brand name as an IDN label"),
])
def test_lookalikes(domain: str, brand: str, reason: str) -> None:
    hit = lookalike(domain, TABLE)
    assert hit is not None, domain
    assert (hit.brand.id, hit.reason) == (brand, reason)


@pytest.mark.parametrize("domain", [
    "upbit.com", "mail.coinbase.com", "binance.us", "example.com", "orbit.com", "gmail.com", "cryptonews.com",
    "blockchain-news.com", "generalledger.com", "sendgrid.net", "mybank.co.kr", "coins.ph",
])
def test_not_lookalikes(domain: str) -> None:
    assert lookalike(domain, TABLE) is None


#: Latin letters and a Cyrillic look-alike of each (homoglyph spellings of every brand below).
CYRILLIC = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "i": "\u0456", "c": "\u0441", "p": "\u0440",
            "x": "\u0445", "y": "\u0443", "s": "\u0455"}


def _homoglyph(label: str) -> str:
    i = next(n for n, ch in enumerate(label) if ch in CYRILLIC)
    return (label[:i] + CYRILLIC[label[i]] + label[i + 1:]).encode("idna").decode("ascii")


@pytest.mark.parametrize("brand", [b for b in TABLE.brands], ids=lambda b: b.id)
def test_every_brand_glued_hyphenated_homoglyph_and_punycode(brand: object) -> None:
    """Each brand of brands.toml, in the spellings phishing domains use; brands whose label is an everyday
    word (``labels = []``) only as their full domain inside another one."""
    from coinguard.brandlist import Brand

    assert isinstance(brand, Brand)
    if not brand.labels:
        domains = [f"{brand.domains[0]}.account-verify.top"]
    else:
        label = brand.labels[0]
        domains = [f"{label}verify.com", f"secure{label}login.net", f"{label}-support.app", f"my-{label}.io",
                   f"{_homoglyph(label)}.com", f"{label}.wallet-sync.xyz"]
    for domain in domains:
        hit = lookalike(domain, TABLE, context=True)
        assert hit is not None and hit.brand.id == brand.id, (domain, hit)
        assert brand.owns(domain) is False


@pytest.mark.parametrize("domain", ["ledgerlivewallet.com", "krakenverify.net", "securephantomapp.io",
                                    "ledger-live.com", "krakenfx-mail.com", "ledger-com.io", "phantom-customers.net",
                                    "jup-events.com", "stellar-security.com", "rainbow-care.org", "nexo-support.com"])
def test_everyday_word_brands_glued_to_lure_words(domain: str) -> None:
    assert lookalike(domain, TABLE, context=True) is not None
    assert lookalike(domain, TABLE, context=False) is None  # without crypto context "Ledger" is a word


@pytest.mark.parametrize("domain", ["kraken-withdrawals.com", "phantom-wallet-update.com", "kraken-wallet.app",
                                    "ledger-support-desk.io", "jup-claim.web.app", "kraken-verify.net",
                                    "exodus-seed-restore.app", "secure-tether-login.com", "scroll-airdrop.xyz"])
def test_everyday_word_brand_with_crypto_words_needs_no_context(domain: str) -> None:
    """An everyday-word brand hyphenated to a crypto or account-takeover word (or two support-desk words) is
    the brand: the domain says what the word means.  (Glued, "krakenverify", it still needs context.)"""
    hit = lookalike(domain, TABLE, context=False)
    assert hit is not None and hit.reason == SELF_EVIDENT, (domain, hit)


@pytest.mark.parametrize("domain", ["phantom-fireworks.com", "ledger-accounting.co.uk", "lido-beach-hotel.it",
                                    "polygon-graphics.com", "exodus-travel.com", "optimism-coaching.com",
                                    "stellar-dental.com", "generalledger.com", "rainbow-kids-help.org",
                                    "celsiusthermometer.com", "scroll-saw-tools.com"])
def test_everyday_word_brand_with_other_words_is_no_context_lookalike(domain: str) -> None:
    assert lookalike(domain, TABLE, context=False) is None


@pytest.mark.parametrize("domain", ["generalledger.com", "ledgerhq-careers-example.org", "orbitwallet.com",
                                    "mygemini-horoscope.com", "scrolling.net", "celsiusthermometer.com",
                                    # an everyday-word brand hyphenated to other words: a business's name
                                    "lido-beach-hotel.com", "polygon-graphics.com", "stellar-dental.com"])
def test_glued_words_other_than_lure_words_are_not_lookalikes(domain: str) -> None:
    assert lookalike(domain, TABLE, context=True) is None


def test_weak_brands_need_crypto_context() -> None:
    assert lookalike("ledger-live.com", TABLE, context=True) is not None
    assert lookalike("ledger-live.com", TABLE, context=False) is None


def test_mixed_script_spelling_of_an_everyday_word_brand_needs_no_context() -> None:
    # "gemіni" with a Cyrillic і is never the word: a look-alike in any mail; the plain word needs crypto context
    idn = "gem\u0456ni.com".encode("idna").decode()
    hit = lookalike(idn, TABLE, context=False)
    assert hit is not None and (hit.brand.id, hit.reason) == ("gemini", "homoglyph (internationalised spelling)")
    assert lookalike("gemini-alerts.co", TABLE, context=False) is None
    assert lookalike("gemini-alerts.co", TABLE, context=True) is not None
    # a native-script name that is not a homoglyph of the brand's label stays out without context
    assert lookalike("zwillinge-k\u00fcche.de".encode("idna").decode(), TABLE, context=False) is None


def test_a_mailing_naming_several_brands_in_passing_makes_no_claim() -> None:
    body = "This week: Arbitrum and zkSync airdrops, what the tokens are worth now, and a new staking record."
    listed = (("List-Unsubscribe", "<https://news.example/u>"),)
    assert "brand.impersonation" not in run(from_domain="news.example", body_text=body, headers=listed)
    # no mailing (a fake receipt naming two exchanges): the body mention stays
    assert [f.score for f in run(from_domain="gmail.com", body_text=body)["brand.impersonation"]] == [1.0]
    # one brand in a mailing's Subject or body: its subject matter while the mailing asks nothing (a podcast's
    # "Episode 212: the ZKsync airdrop"), a claim once it asks the reader to act (brands.editorial)
    one = "This week: the zkSync airdrop and what the tokens are worth now."
    assert "brand.impersonation" not in run(from_domain="news.example", body_text=one, headers=listed)
    assert "brand.impersonation" not in run(from_domain="news.example", subject="The zkSync airdrop, a month on",
                                            body_text=one, headers=listed)
    asks = one + " Connect your wallet to claim yours."
    assert "brand.impersonation" in run(from_domain="news.example", body_text=asks, headers=listed)
    assert "brand.impersonation" in run(from_domain="news.example", subject="zkSync airdrop", body_text=asks,
                                        headers=listed)
    # a claim of authorship is never editorial
    found = run(from_domain="news.example", from_display="zkSync", body_text=body, headers=listed)
    assert [f.score for f in found["brand.impersonation"]] == [5.0]


@pytest.mark.parametrize(("domain", "brand"), [
    ("etherscan-alerts.io", "etherscan"), ("imtoken-cn.net", "imtoken"), ("starknet-provisions.com", "starknet"),
    ("layerzeroclaim.io", "layerzero"), ("magiceden-drops.com", "magiceden"), ("bitvavo-verificatie.nl", "bitvavo"),
])
def test_more_impersonated_wallets_explorers_and_projects(domain: str, brand: str) -> None:
    hit = lookalike(domain, TABLE)
    assert hit is not None and hit.brand.id == brand


@pytest.mark.parametrize("domain", [
    # everyday words and towns among the new names: no look-alike outside crypto mail, no substring match
    "solanabeachcivic.org", "solanagear.com", "robinhoodpub.co.uk", "celestial-hotel.com", "flinch.com",
    "polygon-graphics.com", "jupiter-hotels.com", "nexo-consultores.es",
])
def test_everyday_words_among_the_new_brands_are_not_lookalikes_outside_crypto_mail(domain: str) -> None:
    assert lookalike(domain, TABLE, context=False) is None


def test_display_name_impersonation() -> None:
    found = run(from_display="MetaMask Support", from_domain="notify-center.xyz", subject="Important notice",
                body_text="Please review your account.")
    assert [f.score for f in found["brand.impersonation"]] == [5.0]
    assert "brand.lookalike_domain" not in found


def test_lookalike_sender_and_links() -> None:
    found = run(from_display="Upbit", from_domain="upbit-security.com", subject="[업비트] 보안 인증 안내",
                body_text="업비트 지갑 인증", body_html_links=("https://upbit.com.verify-account.top/login",
                                                          "https://upbit.com/notice"))
    assert "brand.lookalike_domain" in found
    assert [f.detail for f in found["brand.lookalike_link"]] == [
        "link to upbit.com.verify-account.top imitates Upbit (brand domain inside another domain)"]


def test_links_written_in_text() -> None:
    found = run(from_domain="example.org", body_text="go to https://metamask-restore.io/x?a=1 or http://1.2.3.4/ "
                "or https://www.google.com/url?q=https%3A%2F%2Fbinance-kyc.top%2Fa")
    assert [f.detail for f in found["brand.lookalike_link"]] == [
        "link to metamask-restore.io imitates MetaMask (brand plus word)",
        "link to binance-kyc.top imitates Binance (brand plus word) behind a redirect on www.google.com"]
    found = run(from_domain="example.org", body_text="Restore your wallet at https://metamask-restore.io/")
    assert "brand.lookalike_link" in found


def test_genuine_brand_mail_is_not_impersonation() -> None:
    found = run(from_display="Coinbase", from_domain="info.coinbase.com", subject="Your Coinbase weekly update",
                body_text="Coinbase Wallet news. Visit https://www.coinbase.com/learn",
                body_html_links=("https://www.coinbase.com/learn",))
    assert found == {}


def test_verified_brand_sender_may_name_other_brands() -> None:
    aligned = (Finding("dkim.aligned", "dkim_auth", "", "d=binance.com"),)
    found = run(aligned, from_display="Binance", from_domain="binance.com", subject="Trust Wallet integration",
                body_text="Connect Trust Wallet or MetaMask", body_html_links=("https://trustwallet-guide.binance.xyz",))
    assert found == {}


def test_news_mention_is_weak_and_ordinary_words_need_context() -> None:
    found = run(from_domain="news.example.com", body_text="Coinbase shares rose 5% on Tuesday.")
    assert [f.score for f in found["brand.impersonation"]] == [1.0]
    assert run(from_domain="acme-accounting.com", subject="General Ledger closing",
               body_text="Please post the journal entries to the ledger.") == {}


def test_brands_file_format(tmp_path: Path) -> None:
    path = tmp_path / "brands.toml"
    path.write_text('[brand.acme]\nnames = ["Acme Wallet"]\ndomains = ["acmewallet.io"]\n', encoding="utf-8")
    cfg = Config(crypto=CryptoConfig(brands_file=str(path)))
    found = run(cfg=cfg, from_display="Acme Wallet team", from_domain="acmewallet-help.com")
    assert set(found) == {"brand.impersonation", "brand.lookalike_domain"}
    with pytest.raises(BrandFormatError, match="unknown key"):
        parse_brands('[brand.x]\nnames = ["X"]\ndomains = ["x.io"]\ncolour = "red"\n')
    with pytest.raises(BrandFormatError, match="needs domains"):
        parse_brands('[brand.x]\nnames = ["X"]\n')
    assert load_brands(str(tmp_path / "missing.toml")).brands == ()


def test_homoglyph_display_name_is_the_brand() -> None:
    found = run(from_display="Μetamаsk", from_domain="e.kajabimail.net", subject="Your wаllet hаs failed the Upgrаde")
    assert [f.score for f in found["brand.impersonation"]] == [5.0]
    # the small Cyrillic 'к', which the confusables data maps to no Latin letter
    found = run(from_display="Кucoin Suppoгt", from_domain="notify-center.xyz", subject="Wallet notice")
    assert [f.score for f in found["brand.impersonation"]] == [5.0]
    found = run(from_display="кucoin suppoгt", from_domain="notify-center.xyz", subject="Wallet notice")
    assert [f.score for f in found["brand.impersonation"]] == [5.0]


@pytest.mark.parametrize("display", ["Coin Base Support", "Bit-Get Rewards", "Meta.Mask", "Trust_Wallet"])
def test_brand_name_written_apart_in_the_display_name_is_a_claim(display: str) -> None:
    found = run(from_display=display, from_domain="notify-center.xyz", subject="Verify your crypto wallet now")
    assert [f.score for f in found["brand.impersonation"]] == [5.0]


@pytest.mark.parametrize(("display", "subject"), [
    ("Nikolai Korbitz", "Verify your crypto wallet now"),  # whole pieces only: Korbitz is no Korbit
    ("Open Sea Kayak Tours", "Our summer trips"),  # no crypto context: two ordinary words
])
def test_names_across_pieces_need_whole_pieces_and_crypto_context(display: str, subject: str) -> None:
    assert "brand.impersonation" not in run(from_display=display, from_domain="mail.example", subject=subject)


def test_russian_words_are_not_folded_into_brand_names() -> None:
    # "кракен" written in Cyrillic throughout is a Russian word (the sea monster, a darknet market's name),
    # not a look-alike spelling of the exchange: neither the domain nor the name is Kraken's
    assert lookalike("кракен.рф", TABLE, context=True) is None
    found = run(from_display="Кракен", from_domain="news.example.ru", subject="Новости криптовалют")
    assert "brand.impersonation" not in found


def test_brand_named_with_lure_wording_scores_more() -> None:
    found = run(from_domain="glubeducare.com.br", subject="[Action required] Verify your info",
                body_text="coinbase: your account is now locked. Verify your info to unlock it immediately.")
    assert [f.score for f in found["brand.impersonation"]] == [3.0]
    assert "account wording" in found["brand.impersonation"][0].detail
    # subject matter is not lure wording: a conference programme naming wallets stays at 1
    found = run(from_domain="conf.example", body_text="Talks on private key management with Ledger Live and "
                                                      "how to connect wallet apps safely.")
    assert [f.score for f in found["brand.impersonation"]] == [1.0]


def test_balance_bait_next_to_an_exchange_name() -> None:
    found = run(from_domain="shop.example", subject="Login Details",
                body_text="Username: www.x.blogspot.ro - 91 453 USD BITFINEX To set your password visit the link")
    assert [f.detail for f in found["brand.balance_bait"]] == [
        "'91 453 usd bitfinex' sent from shop.example"]
    found = run(from_domain="shop.example", body_text="Username: www.x.blogspot.com - BINANCE 136 138 EURO To set")
    assert [f.detail for f in found["brand.balance_bait"]] == ["'binance 136 138 euro' sent from shop.example"]
    assert "brand.balance_bait" not in run(from_domain="news.example",
                                           body_text="Binance paid a fine of 4.3 billion dollars, regulators said.")


def _html_item(html: str) -> Item:
    return Item(path="<body 1>", name="", data=html.encode(), type="html", depth=0, role="body")


def run_items(html: str, **kw: object) -> dict[str, list[Finding]]:
    msg = MessageInfo(**kw)  # type: ignore[arg-type]
    out: dict[str, list[Finding]] = {}
    for f in BrandAnalyzer().analyze_message(msg, (_html_item(html),), (), make_context(message=msg)):
        out.setdefault(f.code, []).append(f)
    return out


def test_link_text_names_a_brand_but_goes_elsewhere() -> None:
    found = run_items('<p>Log in at <a href="https://evil.example/login">www.binance.com</a></p>',
                      from_domain="mailer.example", body_text="Log in at www.binance.com")
    assert [(f.score, f.detail) for f in found["brand.link_text_mismatch"]] == [
        (5.0, "link text 'www.binance.com' shows a Binance address but goes to evil.example")]
    found = run_items('<a href="https://evil.example/x">Open MetaMask</a>', from_domain="mailer.example")
    assert [f.score for f in found["brand.link_text_mismatch"]] == [2.0]
    # the brand's own link, or the sender's own tracking domain, is fine
    assert "brand.link_text_mismatch" not in run_items(
        '<a href="https://www.binance.com/en">www.binance.com</a>'
        '<a href="https://click.mailer.example/r?u=1">Binance</a>', from_domain="mailer.example")


def test_anchor_scan_is_linear_on_hostile_markup() -> None:
    import time

    t = time.perf_counter()
    found = run_items("<a " * 300_000 + '<a href="http://x.example">www.coinbase.com</a>', from_domain="m.example")
    assert time.perf_counter() - t < 3.0
    assert found == {}  # the real link is past the bounded number of <a openings looked at


def test_weak_brand_name_in_the_display_name_is_a_claim_when_the_mail_pushes() -> None:
    # technique: "Kraken <someone@elsewhere>" asking for a 2FA verification, no crypto word anywhere
    found = run(from_display="Kraken", from_domain="mailer.example", subject="[Kraken] Review the latest terms",
                body_text="Reminder: take action as soon as possible. Complete the 2FA verification to keep "
                          "withdrawing funds without disruption.")
    assert [f.score for f in found["brand.impersonation"]] == [5.0]
    # an accounting newsletter called Ledger that asks nothing is not the wallet maker
    assert run(from_display="The Ledger", from_domain="accounting-news.example", subject="Ledger weekly",
               body_text="Year-end closing tips, depreciation schedules and payroll changes for small firms.") == {}


def test_balance_bait_with_an_everyday_brand_name() -> None:
    # the coin amount says what the word means; a money amount next to "ledger" in bookkeeping does not
    found = run(from_domain="forms.example", body_text="Name: 1.364 BTC KRAKEN - withdraw at the link below")
    assert [f.detail for f in found["brand.balance_bait"]] == ["'1.364 btc kraken' sent from forms.example"]
    assert "brand.balance_bait" not in run(from_domain="books.example",
                                           body_text="Please post 12 500 EUR ledger entries for March.")


def test_brand_domain_as_the_display_name() -> None:
    found = run(from_display="ethereum.org", from_domain="icloud.com", subject="", body_text="See you.")
    assert [f.score for f in found["brand.impersonation"]] == [5.0]
    assert run(from_display="ethereum.org", from_domain="ethereum.org", subject="", body_text="See you.") == {}


@pytest.mark.parametrize(("body", "brand"), [
    ("Your wallet needs attention.\n\nThe Ledger Team\n", "ledger"),
    ("Migrate before Friday. © 2024 Trust Wallet. All rights reserved.", "trustwallet"),
    ("Copyright © 2013 - 2023 Ripple. Unsubscribe", "ripple"),
    ("Best regards, the MetaMask Support Team. Unsubscribe", "metamask"),
    ("Kind regards,\nKraken Support\n", "kraken"),
])
def test_body_signed_as_the_brand_is_a_claim_to_be_it(body: str, brand: str) -> None:
    found = run(from_domain="mailer.salonbooking.example", subject="Important notice", body_text=body + " wallet")
    display = next(b.display for b in TABLE.brands if b.id == brand)
    assert [(f.score, f.detail.split(" named")[0]) for f in found["brand.impersonation"]] == [(4.0, display)]
    assert "sign-off" in found["brand.impersonation"][0].detail
    # with account wording the claim reaches the display name's weight
    found = run(from_domain="mailer.salonbooking.example", subject="Action required: verify your wallet",
                body_text="Your account is locked. Verify your wallet within 24 hours.\n" + body)
    assert [f.score for f in found["brand.impersonation"]] == [5.0]


@pytest.mark.parametrize("body", [
    "Bitcoin news: the Binance team said on Monday that withdrawals resume. Image: © Binance",
    "© 2026 CoinDesk. Coinbase is a sponsor of this newsletter.",
    "Photo credit: © Coinbase\nThe market rallied.",
])
def test_news_about_a_brand_is_no_sign_off(body: str) -> None:
    found = run(from_domain="news.example", subject="Crypto weekly", body_text=body)
    assert [f.score for f in found.get("brand.impersonation", [])] in ([], [1.0])


def test_the_sign_off_of_a_forwarded_brand_mail_is_no_claim_of_the_forwarder() -> None:
    body = ("Hi Dana, for the tax file.\n\n---------- Forwarded message ---------\n"
            "From: Coinbase <no-reply@coinbase.com>\n\nYou bought 0.25 BTC.\n\nThe Coinbase Team\n© 2026 Coinbase\n")
    found = run(from_domain="gmail.com", subject="Fwd: Your receipt", body_text=body)
    assert [f.score for f in found["brand.impersonation"]] == [1.0]


def test_the_header_logo_names_who_the_mail_claims_to_be_from() -> None:
    html = ('<table><tr><td><img src="https://cdn.example/l.png" alt="MetaMask" width="120"></td></tr></table>'
            '<p>Your wallet needs a security update.</p><img src="https://cdn.example/fox.png" alt="Binance">')
    found = run_items(html, from_domain="mailer.salonbooking.example", subject="Security notice",
                      body_text="Your wallet needs a security update.")
    assert [(f.score, f.detail) for f in found["brand.impersonation"]] == [
        (3.0, "MetaMask named in the header logo (alt text 'MetaMask'), sent from mailer.salonbooking.example")]
    # a newsletter's masthead comes first; an article's picture of an exchange later is no claim
    news = ('<img src="https://news.example/masthead.png" alt="Chain Digest weekly">'
            '<p>Bitcoin rallied.</p><img src="https://news.example/photo.jpg" alt="Binance">')
    found = run_items(news, from_domain="news.example", subject="Crypto weekly", body_text="Bitcoin rallied.")
    assert "brand.impersonation" not in found
    # a sponsor's banner on top of a newsletter links to the sponsor's own site
    banner = ('<a href="https://www.binance.com/en/promo?utm_source=digest"><img src="b.png" alt="Binance"></a>'
              '<p>Bitcoin rallied.</p>')
    assert "brand.impersonation" not in run_items(banner, from_domain="news.example", body_text="Bitcoin rallied.")
    # a long alt text is a sentence, not a logo
    long_alt = '<img src="x.png" alt="Photo of the MetaMask booth at the Web3 Summit in Lisbon, 2026">'
    assert "brand.impersonation" not in run_items(long_alt, from_domain="news.example", body_text="Hi")


# ---------------------------------------------------------------------------- brand.tenant_sender


@pytest.mark.parametrize(("kw", "tenant"), [
    ({"from_domain": "secops4471.onmicrosoft.com"}, "secops4471.onmicrosoft.com"),
    ({"from_domain": "x.mail.onmicrosoft.com"}, "x.mail.onmicrosoft.com"),
    ({"from_domain": "shop.example", "envelope_from": "bounce@t88.onmicrosoft.com"}, "t88.onmicrosoft.com"),
    ({"from_domain": "shop.example", "headers": (("Return-Path", "<b@proj-1.firebaseapp.com>"),)},
     "proj-1.firebaseapp.com"),
    ({"from_domain": "claims.web.app"}, "claims.web.app"),
    # the envelope is what the MTA saw: a Return-Path header then is the sender's own claim, not read
    ({"from_domain": "shop.example", "envelope_from": "b@shop.example",
      "headers": (("Return-Path", "<b@t1.onmicrosoft.com>"),)}, ""),
    ({"from_domain": "microsoft.com"}, ""),
    ({"from_domain": "notonmicrosoft.com"}, ""),
    ({"from_domain": "firebase.google.com"}, ""),
])
def test_tenant_sender(kw: dict[str, object], tenant: str) -> None:
    from coinguard.analyzers.brands import tenant_sender

    assert tenant_sender(MessageInfo(**kw)) == tenant  # type: ignore[arg-type]


def test_tenant_sender_counts_with_a_brand_or_a_pushing_crypto_mail() -> None:
    tenant = {"from_addr": "a@t5.onmicrosoft.com", "from_domain": "t5.onmicrosoft.com"}
    assert "brand.tenant_sender" in run(from_display="Coinbase Support", subject="Account notice", **tenant)
    assert "brand.tenant_sender" in run(
        subject="Unclaimed tokens", body_text="2,050 TIA remain unclaimed. Claim now before they are burned.", **tenant)


@pytest.mark.parametrize("kw", [
    {"subject": "Meeting notes", "body_text": "Attached the notes from Thursday."},
    # crypto mail that informs: a firm's market note from its own tenant
    {"subject": "Weekly market note", "body_text": "Bitcoin closed at 98,000 USD and ether at 3,600 this week."},
])
def test_tenant_sender_alone_is_nothing(kw: dict[str, str]) -> None:
    tenant = {"from_addr": "a@t5.onmicrosoft.com", "from_domain": "t5.onmicrosoft.com"}
    assert "brand.tenant_sender" not in run(**kw, **tenant)  # type: ignore[arg-type]
