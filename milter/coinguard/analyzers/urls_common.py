"""Every URL of a message, wherever it was found, for the message analyzers that judge links.

Sources, in the order they are listed (the first place a URL is seen names it):

- the body: HTML link targets (``href``, form ``action``, ``iframe src``) and URLs written in the text;
- URLs that item analyzers found outside any text: PDF link annotations and ``/URI`` actions, Office
  hyperlink relationships and ``HYPERLINK`` fields, decoded QR codes.  The analyzer hands them on as
  a child text Item made by :func:`url_item`, whose ``meta`` carries the list (:data:`URLS_META`) and
  the kind of place (:data:`WHERE_META`).  Being a child Item, it survives the verdict cache like any
  other (a finding left in ``ctx.memo`` would be lost on a cache hit);
- URLs written in the text of attachments and extracted document text (HTML and text attachments,
  forwarded messages, PDF and Office text);
- the destination an open redirect or click tracker carries -- in its query (``?url=https://...``), in
  its path (``awstrack.me/L0/https:%2F%2Fhost...``), base64-encoded in a query value
  (``link-tracker?redirectUrl=aHR0c...``), Google's ``/amp/s/host/...``: judged as a URL of its own, so
  a brand look-alike behind a tracker (a hijacked mailing account's, typically) is still seen.

:func:`message_urls` computes the list once per message (``ctx.memo``), bounded in count, in bytes
read per item and in time.  Used by the links analyzer (techniques: IPFS, raw IP, shortener, redirect,
punycode, script links) and the brands analyzer (brand look-alike hosts): one list, two judges.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coinguard.findings import Item, Role
from coinguard.handlers import AnalysisContext, MessageInfo
from coinguard.sniff import ItemType
from coinguard.text import decode_item, is_document_text

#: Item meta keys of a URL-carrying child (:func:`url_item`).
URLS_META = "urls"
WHERE_META = "url_where"
#: ``ctx.memo`` key of the per-message list.
MEMO_KEY = "urls"
#: Kinds of place (:attr:`FoundUrl.kind`): the body, the text of an attachment, a decoded QR code (the
#: ``where`` that :mod:`coinguard.analyzers.qr` gives :func:`url_item`); PDF and Office links have theirs.
BODY = "body"
TEXT = "text"
QR_CODE = "QR code"
#: Most URLs kept per message, per carrying item, and characters of one URL.
MAX_URLS = 1000
MAX_ITEM_URLS = 200
MAX_URL_CHARS = 2000
#: Bytes of one attachment's text searched for written URLs, and items searched per message.
MAX_TEXT_SCAN = 512 * 1024
MAX_TEXT_ITEMS = 200

URL_IN_TEXT = re.compile(r"\bhttps?://[^\s<>\"'()\[\]{}\\^`|]{3,2000}", re.I)
_NESTED_URL = re.compile(r"=((?:https?|hxxps?)(?::|%3A)(?://|%2F%2F)[^&#\s]{3,2000})", re.I)
#: A destination written into the tracker's path (Amazon SES ``awstrack.me/L0/https:%2F%2Fhost%2F...``, a
#: redirector's ``/r/https://host/``): a path segment that is a URL.
_PATH_URL = re.compile(r"/((?:https?|hxxps?)(?::|%3A)(?://|%2F%2F|/)[^\s?#]{3,2000})", re.I)
#: A destination base64-encoded in a query value (ActiveCampaign ``link-tracker?redirectUrl=aHR0c...``, Bing
#: ``ck/a?...&u=a1aHR0c...``): "aHR0c" is "http" in base64, whatever follows.
_B64_URL = re.compile(r"[=&?](?:a1)?(aHR0c[A-Za-z0-9+/_-]{6,2700}={0,2})(?![A-Za-z0-9+/_=-])")
_AMP = re.compile(r"^/amp/s/([a-z0-9.-]{3,253}\.[a-z]{2,63})(/[^\s]*)?$", re.I)


@dataclass(frozen=True, slots=True)
class FoundUrl:
    """One URL, where it was found (``body``, ``QR code in scan.png``, ``PDF link in statement.pdf``) and the
    kind of that place (``body``, ``text``, ``QR code``, ``PDF link``, ``Office hyperlink``)."""

    url: str
    where: str = BODY
    kind: str = BODY
    via: str = ""  # the host of the open redirect that carried it, when it came out of another URL's query


def url_item(parent: Item, urls: Iterable[str], *, source: str, where: str, label: str, text: str = "") -> Item:
    """A child text Item of ``parent`` carrying ``urls`` found in it (``where``: "QR code", "PDF link"...).

    Its data is ``text`` (the document text, the QR code's content) or else the URLs one a line, so the
    text analyzers and YARA read it too.
    """
    kept = list(dict.fromkeys(u.strip()[:MAX_URL_CHARS] for u in urls if u and u.strip()))[:MAX_ITEM_URLS]
    body = text if text else "\n".join(kept)
    return parent.child(f"<{label}>", body.encode("utf-8", "replace"), source=source, role=Role.TEXT,
                        type=ItemType.TEXT, meta={URLS_META: kept, WHERE_META: where})


def url_host(url: str) -> str:
    """Lower-case host name of an http(s) or scheme-relative URL ('' when there is none)."""
    u = url.strip()
    if u.startswith("//"):
        u = "http:" + u
    elif not u.lower().startswith(("http://", "https://")):
        return ""
    try:
        return (urllib.parse.urlsplit(u).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def ip_host(host: str) -> bool:
    """Whether ``host`` is an IP address in any spelling a browser accepts (dotted, IPv6, one decimal
    or hex number, hex or octal parts: ``3232235777``, ``0xc0a80101``, ``0300.0250.1.1``)."""
    h = host.strip("[]")
    if not h:
        return False
    try:
        ipaddress.ip_address(h)
        return True
    except ValueError:
        pass
    parts = h.split(".")
    if len(parts) > 4:
        return False
    for part in parts:
        if not re.fullmatch(r"0x[0-9a-f]{1,8}|0[0-7]{1,11}|\d{1,10}", part):
            return False
    try:
        values = [int(p, 16) if p.startswith("0x") else int(p, 8) if len(p) > 1 and p.startswith("0") else int(p)
                  for p in parts]
    except ValueError:
        return False
    return all(v < 256 for v in values[:-1]) and values[-1] < 256 ** (5 - len(values))


def _defanged(target: str) -> str:
    target = urllib.parse.unquote(target)
    if target[:4].lower() == "hxxp":
        target = "http" + target[4:]
    return target[:MAX_URL_CHARS]


def _base64_url(value: str) -> str:
    """The http(s) URL base64 ``value`` encodes (plain or percent-encoded), or ''."""
    import base64
    import binascii

    raw = value.rstrip("=").replace("+", "-").replace("/", "_")
    try:
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8")
    except (binascii.Error, ValueError):
        return ""
    target = _defanged(decoded.strip())
    return target if re.match(r"https?://[^\s/]", target, re.I) else ""


def redirect_target(url: str) -> str:
    """The URL an open redirect or tracker carries, or '': in its query (``?url=https://x``), written into its
    path (``/L0/https:%2F%2Fx``), base64-encoded in a query value (``?redirectUrl=aHR0c...``), Google AMP
    (``/amp/s/x/``)."""
    m = _NESTED_URL.search(url)
    if m:
        return _defanged(m.group(1))
    try:
        parts = urllib.parse.urlsplit(url.strip())
    except ValueError:
        return ""
    amp = _AMP.match(parts.path)
    if amp and (parts.hostname or "").split(".")[-2:-1] == ["google"]:
        return f"https://{amp.group(1)}{amp.group(2) or '/'}"
    inner = _PATH_URL.search(parts.path)
    if inner:
        target = _defanged(inner.group(1))
        if re.match(r"https?:/[^/]", target, re.I):  # a path's "//" may be folded to "/"
            target = target.replace(":/", "://", 1)
        return target
    if "aHR0c" in parts.query:
        for b64 in _B64_URL.finditer("?" + parts.query):
            target = _base64_url(b64.group(1))
            if target:
                return target
    return ""


def urls_in_text(text: str) -> list[str]:
    """http(s) URLs written in ``text`` (trailing punctuation of the sentence dropped)."""
    if "://" not in text:  # a substring test is ~10x cheaper than the case-insensitive scan
        return []
    return [m.group(0).rstrip(".,;:!?") for m in URL_IN_TEXT.finditer(text)]


class _Collector:
    def __init__(self) -> None:
        self.found: dict[str, FoundUrl] = {}

    def add(self, url: str, where: str, kind: str) -> None:
        url = url.strip()[:MAX_URL_CHARS]
        if not url or url in self.found or len(self.found) >= MAX_URLS:
            return
        self.found[url] = FoundUrl(url, where, kind)
        target = redirect_target(url)
        if target and target not in self.found and len(self.found) < MAX_URLS:
            self.found[target] = FoundUrl(target, where, kind, via=url_host(url))

    def full(self) -> bool:
        return len(self.found) >= MAX_URLS


def _parent_path(item: Item) -> str:
    return item.path.rsplit("/", 1)[0] if "/" in item.path else item.path


def _collect(msg: MessageInfo, items: Sequence[Item], ctx: AnalysisContext) -> tuple[FoundUrl, ...]:
    col = _Collector()
    for link in msg.body_html_links:
        col.add(link, BODY, BODY)
    for url in urls_in_text(msg.body_text[:MAX_TEXT_SCAN * 2]):
        col.add(url, BODY, BODY)
    for item in items:
        urls = item.meta.get(URLS_META)
        if not isinstance(urls, list | tuple) or col.full():
            continue
        kind = str(item.meta.get(WHERE_META) or "link")
        where = f"{kind} in {_parent_path(item)}"
        for url in urls[:MAX_ITEM_URLS]:
            if isinstance(url, str):
                col.add(url, where, kind)
    scanned = 0
    for item in items:
        if col.full() or scanned >= MAX_TEXT_ITEMS:
            break
        nested_body = item.role == Role.BODY and item.depth > 0 and item.type in (ItemType.TEXT, ItemType.HTML)
        if not (is_document_text(item) or nested_body):
            continue
        scanned += 1
        ctx.budget.check_time()
        for url in urls_in_text(decode_item(item, MAX_TEXT_SCAN)):
            col.add(url, f"text of {_parent_path(item)}" if item.role == Role.TEXT else f"in {item.path}", TEXT)
    return tuple(col.found.values())


def message_urls(msg: MessageInfo, items: Sequence[Item], ctx: AnalysisContext) -> tuple[FoundUrl, ...]:
    """Every URL of the message (see the module docstring), computed once per message."""
    cached = ctx.memo.get(MEMO_KEY)
    if isinstance(cached, tuple):
        return cached
    found = _collect(msg, items, ctx)
    ctx.memo[MEMO_KEY] = found
    return found


__all__ = ["BODY", "QR_CODE", "TEXT", "URLS_META", "WHERE_META", "FoundUrl", "ip_host", "message_urls",
           "redirect_target", "url_host", "url_item", "urls_in_text"]
