"""Link techniques of crypto phishing that name no brand (the brands analyzer judges brand lookalikes).

Every URL of the message is looked at once, wherever it was found (:mod:`urls_common`: the body's
HTML links and written URLs, PDF link annotations and URI actions, Office hyperlinks and HYPERLINK
fields, the text of attachments, QR codes decoded from images, and the destination an open redirect
carries):

- ``links.ipfs``: the page lives on IPFS (``/ipfs/<cid>`` on any gateway, ``<cid>.ipfs.<gateway>``,
  ``dweb.link``): wallet-drainer and seed-phrase pages are hosted there because no host can take
  them down;
- ``links.raw_ip``: a link to a bare IP address, in any spelling a browser accepts (dotted, IPv6,
  one decimal or hex number);
- ``links.redirect``: an open redirect or tracker whose query carries the real destination on
  another domain (``?url=https://...``, Google's ``/amp/s/``), hiding it from the reader and from
  reputation lists;
- ``links.shortener``: a URL shortener or QR-code redirect service (``config/shorteners.txt``): the
  destination is hidden the same way;
- ``links.hosted_page``: the page lives on a free site, form or file host (Google Forms/Docs/Sites,
  Firebase, Cloudflare Pages/Workers, Netlify, Vercel, S3 buckets, Yandex/Microsoft Forms, Typeform,
  Jotform, Tally, Evernote and Notion shares, Telegraph, Dropbox/OneDrive/SharePoint/Drive/Box shares,
  Wix/Weebly/Webflow/Canva sites, tunnels, IPFS gateways...): no domain to buy or lose, and the host's
  good name carries the link past reputation filters (:data:`HOSTED_PAGES`);
- ``links.hosted_page_freemail``: the same, in mail from a free mailbox (Gmail, Outlook...): neither the
  sender nor the page has a domain of its own, where a newsletter's form or handbook comes from the
  newsletter's own domain;
- ``links.punycode``: an internationalised (``xn--``) host, the spelling of homoglyph domains;
- ``links.script``: a link with ``javascript:``, ``vbscript:`` or a ``data:`` document.

``links.hosted_page`` (and its free-mailbox form) is counted only when the mail also asks the reader for
something (a call to action, a wallet secret, a payment: lures.txt's action/secret/extortion wording) or
names an exchange it does not come from (a ``brand.*`` finding): a conference's registration form or a
newsletter's survey on Google Forms sits in mail that informs.

Each is weak context, counted only when the mail already reads as crypto (a ``crypto.*`` finding of
the theme analyzers, a ``brand.*`` finding of the brands analyzer), so newsletters' click trackers
and foreign-language shops stay out of it; a URL decoded from a QR code is judged in any mail, since
a quishing mail's words are often only in its picture.
"""

from __future__ import annotations

import logging
import os
import re
import urllib.parse
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import ClassVar

from coinguard.analyzers.urls_common import (
    BODY,
    QR_CODE,
    FoundUrl,
    ip_host,
    message_urls,
    redirect_target,
    url_host,
)
from coinguard.brandlist import FREEMAIL
from coinguard.config import shipped_path
from coinguard.domains import registrable, to_unicode
from coinguard.findings import Category, CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext, MessageInfo
from coinguard.lures import lures_for, match_parts

log = logging.getLogger(__name__)

S = Category.SENDER
MAX_LINKS = 1000
#: The shortener list shipped with coinguard (``config/shorteners.txt``).
SHORTENERS_FILE = shipped_path("shorteners.txt")
#: Findings that make a mail read as crypto (the theme analyzers; an exchange or wallet brand named by
#: someone else, a look-alike of one): only then are the techniques above counted.
THEME_PREFIXES = ("crypto.", "brand.")
_IPFS_PATH = re.compile(r"/ip[fn]s/(?:Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{50,}|k51[a-z0-9]{40,})", re.I)
_IPFS_HOST = re.compile(r"(?:^|\.)(?:b[a-z2-7]{50,}|Qm[1-9A-HJ-NP-Za-km-z]{44})\.ip[fn]s\.|(?:^|\.)dweb\.link$", re.I)
_SCRIPT_SCHEME = re.compile(r"^\s*(?:javascript|vbscript|data:text/html|data:application/x?html)", re.I)

#: links.hosted_page: free site builders, app and file hosts, form and document-sharing services that
#: lure, claim and drainer pages are put on, as (host or parent domain, path prefix).  A path prefix
#: narrows a service that also serves other things (Google Docs: forms, drawings and slides, not the
#: spreadsheets an accountant shares).  Judged only in crypto-themed mail, like the other techniques.
HOSTED_PAGES: tuple[tuple[str, str], ...] = (
    # Google: forms, drawings/slides/documents published as pages, Sites, Apps Script web apps, buckets
    ("docs.google.com", "/forms/"), ("docs.google.com", "/drawings/"), ("docs.google.com", "/presentation/"),
    ("docs.google.com", "/document/"), ("forms.gle", ""), ("sites.google.com", ""), ("script.google.com", ""),
    ("storage.googleapis.com", ""), ("firebasestorage.googleapis.com", ""), ("web.app", ""),
    ("firebaseapp.com", ""),
    # app and static-site hosts
    ("pages.dev", ""), ("workers.dev", ""), ("r2.dev", ""), ("netlify.app", ""), ("vercel.app", ""),
    ("glitch.me", ""), ("replit.app", ""), ("onrender.com", ""), ("herokuapp.com", ""), ("azurewebsites.net", ""),
    ("amplifyapp.com", ""), ("surge.sh", ""), ("github.io", ""), ("gitbook.io", ""), ("000webhostapp.com", ""),
    # object storage served as web pages
    ("s3.amazonaws.com", ""), ("blob.core.windows.net", ""), ("digitaloceanspaces.com", ""),
    # site builders
    ("weebly.com", ""), ("wixsite.com", ""), ("webflow.io", ""), ("godaddysites.com", ""), ("square.site", ""),
    ("mystrikingly.com", ""), ("carrd.co", ""), ("framer.website", ""), ("notion.site", ""),
    # forms and shared notes
    ("forms.yandex.com", ""), ("forms.yandex.ru", ""), ("forms.office.com", ""), ("forms.microsoft.com", ""),
    ("sway.office.com", ""), ("sway.cloud.microsoft", ""), ("share.evernote.com", ""), ("telegra.ph", ""),
    ("typeform.com", "/to/"), ("jotform.com", ""), ("tally.so", ""), ("share.hsforms.com", ""),
    ("forms.zohopublic.com", ""), ("forms.zohopublic.eu", ""), ("formstack.com", "/forms/"), ("forms.app", ""),
    ("paperform.co", ""), ("airtable.com", "/shr"), ("teletype.in", ""), ("graph.org", ""),
    # file shares: a "document" that is one link to the lure page (Dropbox, OneDrive/SharePoint, Google
    # Drive, Box, WeTransfer, MediaFire, MEGA)
    ("dropbox.com", "/s/"), ("dropbox.com", "/scl/"), ("dropbox.com", "/sh/"), ("dropbox.com", "/l/"),
    ("dl.dropboxusercontent.com", ""), ("paper.dropbox.com", ""), ("1drv.ms", ""), ("onedrive.live.com", ""),
    ("sharepoint.com", ""), ("drive.google.com", "/file/"), ("drive.google.com", "/drive/folders/"),
    ("drive.google.com", "/open"), ("drive.google.com", "/uc"), ("box.com", "/s/"), ("app.box.com", "/s/"),
    ("wetransfer.com", "/downloads/"), ("we.tl", ""), ("mediafire.com", "/file/"), ("mega.nz", ""),
    # more site builders and no-code app hosts
    ("canva.site", ""), ("my.canva.site", ""), ("tilda.ws", ""), ("jimdosite.com", ""), ("yolasite.com", ""),
    ("site123.me", ""), ("webnode.page", ""), ("wixstudio.io", ""), ("editorx.io", ""), ("bubbleapps.io", ""),
    ("softr.app", ""), ("glide.page", ""), ("framer.app", ""), ("framer.ai", ""), ("hpage.com", ""),
    # tunnels to a machine of the sender's, and the Google Translate proxy that re-hosts any page
    ("trycloudflare.com", ""), ("ngrok-free.app", ""), ("ngrok.io", ""), ("ngrok.app", ""), ("loca.lt", ""),
    ("translate.goog", ""),
    # IPFS gateways (links.ipfs also names a content id on any host; these are the page whatever the path)
    ("ipfs.io", ""), ("cloudflare-ipfs.com", ""), ("mypinata.cloud", ""), ("gateway.pinata.cloud", ""),
    ("w3s.link", ""), ("nftstorage.link", ""), ("4everland.io", ""), ("4everland.link", ""), ("fleek.co", ""),
    ("fleek.app", ""), ("ipfs.dweb.link", ""),
)
#: Regional S3 endpoints: ``<bucket>.s3.<region>.amazonaws.com``, ``s3-<region>.amazonaws.com``.
_S3_HOST = re.compile(r"(?:^|\.)s3[.-](?:[a-z0-9-]+\.)?amazonaws\.com$")


@lru_cache(maxsize=1)
def _hosted_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for host, prefix in HOSTED_PAGES:
        index.setdefault(host, []).append(prefix)
    return {host: tuple(prefixes) for host, prefixes in index.items()}


def hosted_service(link: str, host: str) -> str:
    """The free hosting/form/sharing service ``link`` (on ``host``) is on (:data:`HOSTED_PAGES`), or ''."""
    if _S3_HOST.search(host):
        return "s3.amazonaws.com"
    index = _hosted_index()
    labels = host.split(".")
    for i in range(len(labels) - 1):
        prefixes = index.get(".".join(labels[i:]))
        if prefixes is None:
            continue
        if "" in prefixes:
            return ".".join(labels[i:])
        try:
            path = urllib.parse.urlsplit(link.strip()).path
        except ValueError:
            return ""
        hit = next((p for p in prefixes if path.startswith(p)), "")
        return f"{host}{hit.rstrip('/')}" if hit else ""
    return ""


def parse_shorteners(text: str) -> frozenset[str]:
    """Host names of a shortener list: one a line, ``#`` comments, case-insensitive."""
    hosts = (line.split("#", 1)[0].strip().strip(".").lower() for line in text.splitlines())
    return frozenset(to_unicode(h) for h in hosts if h)


def load_shorteners(path: str = SHORTENERS_FILE) -> frozenset[str]:
    """The shortener list at ``path``, re-read when its mtime changes; an unreadable file gives none (logged)."""
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = -1.0
    return _read_shorteners(path, mtime)


@lru_cache(maxsize=8)
def _read_shorteners(path: str, mtime: float) -> frozenset[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            return parse_shorteners(fh.read())
    except (OSError, UnicodeDecodeError) as exc:
        log.error("shortener list %s (mtime %s) not loaded: %s", path, mtime, exc)
        return frozenset()


def _is_shortener(host: str, shorteners: frozenset[str]) -> bool:
    labels = to_unicode(host).split(".")
    return any(".".join(labels[i:]) in shorteners for i in range(len(labels) - 1))


def url_techniques(found: FoundUrl, shorteners: frozenset[str]) -> Iterator[tuple[str, str]]:
    """(code, example) for each technique above that one URL shows."""
    link = found.url
    if _SCRIPT_SCHEME.match(link):
        yield "links.script", link.strip()[:40]
        return
    host = url_host(link)
    if not host:
        return
    if _IPFS_PATH.search(link) or _IPFS_HOST.search(host):
        yield "links.ipfs", host
    if ip_host(host):
        yield "links.raw_ip", host
    if any(label.startswith("xn--") for label in host.split(".")):
        yield "links.punycode", host
    if _is_shortener(host, shorteners):
        yield "links.shortener", host
    service = hosted_service(link, host)
    if service:
        yield "links.hosted_page", service
    if found.via and registrable(found.via) != registrable(host):
        yield "links.redirect", f"{registrable(found.via) or found.via} -> {host}"


def link_techniques(links: Sequence[str], shorteners: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """Code -> examples, for the techniques above found in ``links`` (pure; bounded by MAX_LINKS)."""
    urls: list[FoundUrl] = []
    for link in list(dict.fromkeys(links))[:MAX_LINKS]:
        urls.append(FoundUrl(link))
        target = redirect_target(link)
        if target:
            urls.append(FoundUrl(target, via=url_host(link)))
    return {code: [example for example, _ in hits] for code, hits in _techniques(urls, shorteners).items()}


def _techniques(urls: Sequence[FoundUrl], shorteners: frozenset[str]) -> dict[str, list[tuple[str, FoundUrl]]]:
    found: dict[str, list[tuple[str, FoundUrl]]] = {}
    for url in urls[:MAX_LINKS]:
        for code, example in url_techniques(url, shorteners):
            seen = found.setdefault(code, [])
            if example not in (e for e, _ in seen) and len(seen) < 4:
                seen.append((example, url))
    return found


def _describe(example: str, url: FoundUrl) -> str:
    return example if url.kind == BODY else f"{example} ({url.where})"


HOSTED_CODE = "links.hosted_page"
#: The same, the mail coming from a free mailbox (brandlist.FREEMAIL): a crypto pitch from a Gmail address
#: whose only link is a shared Google document has no domain anywhere to be judged by.
HOSTED_FREEMAIL_CODE = "links.hosted_page_freemail"


class LinkAnalyzer:
    """Brand-free link techniques in a crypto-themed message, and in any URL read from a QR code."""

    name: ClassVar[str] = "links"
    after: ClassVar[tuple[str, ...]] = ("crypto_theme", "addresses", "seed_phrase", "brands")
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("links.ipfs", 3.0, S,
                 "a link to a page hosted on IPFS (drainer and seed-phrase pages no host removes)"),
        CodeInfo("links.raw_ip", 2.0, S, "a link to a bare IP address (dotted, IPv6, decimal or hex)"),
        CodeInfo("links.redirect", 1.5, S,
                 "an open redirect or tracker carrying the real destination on another domain in its query"),
        CodeInfo("links.shortener", 1.5, S,
                 "a link through a URL shortener or QR-code redirect service (config/shorteners.txt): "
                 "the destination is hidden"),
        CodeInfo("links.hosted_page", 1.5, S,
                 "a link to a page on a free site, form or file host (Google Forms/Docs/Sites, Firebase, Cloudflare "
                 "Pages/Workers, Netlify, S3, Yandex/Microsoft Forms, Evernote/Notion shares, Dropbox/OneDrive/"
                 "SharePoint/Drive shares, site builders, tunnels, IPFS gateways...): no domain of its own, the "
                 "host's reputation carries it"),
        CodeInfo(HOSTED_FREEMAIL_CODE, 2.5, S,
                 "links.hosted_page in mail from a free mailbox: neither the sender nor the page has a domain of "
                 "its own (a newsletter's form or handbook comes from the newsletter's domain)"),
        CodeInfo("links.punycode", 2.0, S,
                 "a link to an internationalised (xn--) host, how homoglyph domains are spelt"),
        CodeInfo("links.script", 3.0, S, "a link with javascript:, vbscript: or a data: document"),
    )

    def analyze_message(self, msg: MessageInfo, items: Sequence[Item], findings: Sequence[Finding],
                        ctx: AnalysisContext) -> Iterator[Finding]:
        themed = any(f.code.startswith(THEME_PREFIXES) for f in findings)
        # context only: a mail that does not read as crypto is not judged by its links, except for
        # what a QR code hides (the lure is in the picture, which no text analyzer reads)
        urls = [u for u in message_urls(msg, items, ctx) if themed or u.kind == QR_CODE]
        if not urls:
            return
        for code, hits in _techniques(urls, load_shorteners()).items():
            if code == HOSTED_CODE:
                if not _hosted_page_counts(msg, findings, ctx):
                    continue
                if msg.from_domain.lower() in FREEMAIL:
                    code = HOSTED_FREEMAIL_CODE
            yield Finding(code, self.name, "", ", ".join(_describe(e, u) for e, u in hits))


#: Lure wording that asks the reader for something (lures.txt categories).
ASKING_CATEGORIES = frozenset({"action", "secret", "extortion"})


#: What else a free-hosted page counts with when the mail comes from a free mailbox (brandlist.FREEMAIL): bait.
FREEMAIL_ASKING_CATEGORIES = ASKING_CATEGORIES | {"reward"}


def _hosted_page_counts(msg: MessageInfo, findings: Sequence[Finding], ctx: AnalysisContext) -> bool:
    """A free-hosted page counts when the mail asks for something or names an exchange it is not from; from a
    free mailbox also when it holds out bait ("get BTC and invest", "earn 0.5 ETH a day"): the anonymous pitch,
    where neither the sender nor the page has a domain of its own and the call is the link itself (a newsletter's
    form comes from the newsletter's domain; a friend sharing a document from Gmail offers no coins)."""
    if any(f.code.startswith("brand.") for f in findings):
        return True
    match = match_parts((msg.subject, msg.from_display, msg.body_text), lures_for(ctx), ctx)
    wanted = FREEMAIL_ASKING_CATEGORIES if msg.from_domain.lower() in FREEMAIL else ASKING_CATEGORIES
    return any(t.category in wanted for t in match.terms)
