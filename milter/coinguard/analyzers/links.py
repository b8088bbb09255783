"""Link techniques of crypto phishing that name no brand (the brands analyzer judges brand lookalikes).

Every http(s) link of the body (HTML hrefs and URLs written in the text) is looked at once:

- ``links.ipfs``: the page lives on IPFS (``/ipfs/<cid>`` on any gateway, ``<cid>.ipfs.<gateway>``,
  ``dweb.link``): wallet-drainer and seed-phrase pages are hosted there because no host can take
  them down;
- ``links.raw_ip``: a link to a bare IP address;
- ``links.redirect``: an open redirect or tracker whose query carries the real destination on
  another domain (``?url=https://...``), hiding it from the reader and from reputation lists;
- ``links.punycode``: an internationalised (``xn--``) host, the spelling of homoglyph domains;
- ``links.script``: an ``href`` with ``javascript:``, ``vbscript:`` or a ``data:`` document.

Each is weak context, counted only when the mail already reads as crypto (a ``crypto.*`` finding of
the theme analyzers), so newsletters' click trackers and foreign-language shops stay out of it.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator, Sequence
from typing import ClassVar

from coinguard.domains import registrable
from coinguard.findings import Category, CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext, MessageInfo

S = Category.SENDER
MAX_LINKS = 400
_URL = re.compile(r"\bhttps?://[^\s<>\"'()\[\]]{3,2000}", re.I)
_IPFS_PATH = re.compile(r"/ip[fn]s/(?:Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{50,}|k51[a-z0-9]{40,})", re.I)
_IPFS_HOST = re.compile(r"(?:^|\.)(?:b[a-z2-7]{50,}|Qm[1-9A-HJ-NP-Za-km-z]{44})\.ip[fn]s\.|(?:^|\.)dweb\.link$", re.I)
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_NESTED_URL = re.compile(r"=(?:https?(?::|%3A)(?://|%2F%2F))([^&#/%]{3,253})", re.I)
_SCRIPT_SCHEME = re.compile(r"^\s*(?:javascript|vbscript|data:text/html|data:application/x?html)", re.I)


def _host(url: str) -> str:
    try:
        return (urllib.parse.urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def link_techniques(links: Sequence[str]) -> dict[str, list[str]]:
    """Code -> examples, for the techniques above found in ``links`` (pure; bounded by MAX_LINKS)."""
    found: dict[str, list[str]] = {}

    def add(code: str, example: str) -> None:
        seen = found.setdefault(code, [])
        if example not in seen and len(seen) < 4:
            seen.append(example)

    for link in list(dict.fromkeys(links))[:MAX_LINKS]:
        if _SCRIPT_SCHEME.match(link):
            add("links.script", link.strip()[:40])
            continue
        host = _host(link)
        if not host:
            continue
        if _IPFS_PATH.search(link) or _IPFS_HOST.search(host):
            add("links.ipfs", host)
        if _IPV4.fullmatch(host):
            add("links.raw_ip", host)
        if any(label.startswith("xn--") for label in host.split(".")):
            add("links.punycode", host)
        nested = _NESTED_URL.search(link)
        if nested:
            target = urllib.parse.unquote(nested.group(1)).lower().split(":")[0]
            if target and registrable(target) != registrable(host):
                add("links.redirect", f"{registrable(host)} -> {target}")
    return found


class LinkAnalyzer:
    """Brand-free link techniques in a crypto-themed message."""

    name: ClassVar[str] = "links"
    after: ClassVar[tuple[str, ...]] = ("crypto_theme", "addresses", "seed_phrase")
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("links.ipfs", 3.0, S,
                 "a link to a page hosted on IPFS (drainer and seed-phrase pages no host removes)"),
        CodeInfo("links.raw_ip", 2.0, S, "a link to a bare IP address"),
        CodeInfo("links.redirect", 1.5, S,
                 "an open redirect or tracker carrying the real destination on another domain in its query"),
        CodeInfo("links.punycode", 2.0, S,
                 "a link to an internationalised (xn--) host, how homoglyph domains are spelt"),
        CodeInfo("links.script", 3.0, S, "a link with javascript:, vbscript: or a data: document"),
    )

    def analyze_message(self, msg: MessageInfo, items: Sequence[Item], findings: Sequence[Finding],
                        ctx: AnalysisContext) -> Iterator[Finding]:
        if not any(f.code.startswith("crypto.") for f in findings):
            return  # context only: a mail that does not read as crypto is not judged by its links
        links = list(msg.body_html_links[:MAX_LINKS])
        links += [m.group(0) for m in _URL.finditer(msg.body_text[: 1 << 20])][:MAX_LINKS]
        for code, examples in link_techniques(links).items():
            yield Finding(code, self.name, "", ", ".join(examples))
