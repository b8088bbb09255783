"""Indicators of one message: what a CERT, an abuse desk or a MISP community can act on.

``extract(raw, verdict)`` is pure: the exact message bytes and its verdict in, a frozen
:class:`Indicators` out, nothing read or written elsewhere.  It never raises for hostile
input; every list is bounded.

Where each indicator comes from:

- **senders**: the envelope sender of the verdict, and ``From``/``Sender``/``Reply-To``/
  ``Return-Path`` of the message;
- **sending host**: the ``Received`` chain read top-down.  The top hop was written by our
  MTA; a hop whose client is one of our own relays (``[report] trusted_networks`` /
  ``trusted_hosts``) means the next line down was written by that relay, so we step
  down.  The first hop whose client is not ours is the **origin**: the IP (and the
  reverse-DNS name and HELO our side saw) that handed the message to us.  Lines below
  it were written by the sender and are kept as *claimed* hops, never exported as fact.
  When the verdict JSON carries the MTA's ``client_addr`` (and ``helo``), that wins;
- **authentication**: ``Authentication-Results`` we added (the verdict's own headers, and
  headers of the message whose authserv-id is ours): dkim/spf/dmarc results;
- **URLs and domains**: text and HTML parts (links, images, form actions; also inside
  attached messages) and the details of findings (links the PDF and OOXML analyzers
  found in documents); domains are reduced to the registrable domain (Public Suffix List);
- **files**: every attachment and extracted child of the verdict (sha256, name, type, size);
- **wallets**: the addresses behind ``crypto.address*`` findings.  The analyzer verified
  each checksum and reports the first 12 characters; the full address is found again in
  the message text by that prefix (addresses that occur only inside documents stay
  prefixes, ``complete=False``, and are not exported as patterns);
- **codes**: the finding codes, highest score first.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import ipaddress
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from functools import cache
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from coinguard.findings import Verdict
from coinguard.report.settings import ReportSettings

#: Bounds on hostile input: parts walked, text scanned per part, indicators kept per kind.
MAX_PARTS = 300
MAX_TEXT = 2 * 1024 * 1024
MAX_PDF_SCAN = 8 * 1024 * 1024
MAX_ITEMS = 500
MAX_URL = 2000
MAX_HOPS = 50

_URL_RE = re.compile(r"(?i)(?<![\w@.-])(?:https?://|hxxps?://|www\.)[^\s<>\"'`{}|\\^\[\]]{2,2000}")
_URL_TRAIL = ".,;:!?)]}'\"…>"
_PDF_URI_RE = re.compile(rb"/URI\s*\(((?:[^()\\]|\\.){4,2000})\)")
_IP_IN_BRACKETS = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]{2,45})\]")
_IP_IN_PARENS = re.compile(r"\((?:IPv6:)?([0-9A-Fa-f:.]{2,45})\)")
_WALLET_DETAIL = re.compile(
    r"(?P<coin>BTC|LTC|TRX|ETH)\s+(?:(?P<kind>P2PKH|P2SH|address|segwit v\d+|EIP-55|unchecksummed)\s+)?"
    r"(?P<text>[0-9A-Za-z]{8,90})(?P<cut>…)?"
)
_WALLET_SHAPE = {
    "ETH": re.compile(r"0x[0-9a-fA-F]{40}"),
    "BTC": re.compile(r"(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|(?:bc|BC)1[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87})"),
    "LTC": re.compile(r"(?:[LM3][1-9A-HJ-NP-Za-km-z]{25,34}|(?:ltc|LTC)1[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87})"),
    "TRX": re.compile(r"T[1-9A-HJ-NP-Za-km-z]{25,34}"),
}
#: Length of the address prefix the addresses analyzer shows; also the campaign link key.
WALLET_PREFIX = 12


# --------------------------------------------------------------------------- value types


@dataclass(frozen=True, slots=True)
class Hop:
    """One ``Received`` line: the client as the receiving side saw it."""

    helo: str = ""
    rdns: str = ""
    ip: str = ""
    by: str = ""
    trusted: bool = False  # a hop from one of our own relays

    def to_json(self) -> dict[str, Any]:
        return {"helo": self.helo, "rdns": self.rdns, "ip": self.ip, "by": self.by, "trusted": self.trusted}

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Hop:
        return cls(str(obj.get("helo", "")), str(obj.get("rdns", "")), str(obj.get("ip", "")),
                   str(obj.get("by", "")), bool(obj.get("trusted", False)))


@dataclass(frozen=True, slots=True)
class AuthResult:
    """One method's result in an ``Authentication-Results`` header (RFC 8601)."""

    authserv_id: str
    method: str
    result: str
    props: tuple[tuple[str, str], ...] = ()

    def prop(self, name: str) -> str:
        return next((v for k, v in self.props if k == name), "")

    def to_json(self) -> dict[str, Any]:
        return {"authserv_id": self.authserv_id, "method": self.method, "result": self.result,
                "props": dict(self.props)}

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> AuthResult:
        props = obj.get("props") or {}
        return cls(str(obj.get("authserv_id", "")), str(obj.get("method", "")), str(obj.get("result", "")),
                   tuple((str(k), str(v)) for k, v in props.items()))


@dataclass(frozen=True, slots=True)
class FileIndicator:
    sha256: str
    name: str
    path: str
    type: str = ""
    size: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "name": self.name, "path": self.path, "type": self.type, "size": self.size}

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> FileIndicator:
        return cls(str(obj["sha256"]), str(obj.get("name", "")), str(obj.get("path", "")),
                   str(obj.get("type", "")), int(obj.get("size", 0) or 0))


@dataclass(frozen=True, slots=True)
class Wallet:
    address: str  # the full address, or its first WALLET_PREFIX characters when complete is False
    coin: str
    kind: str = ""
    complete: bool = True

    @property
    def key(self) -> str:
        """Campaign link key: the prefix the analyzer reports (case-folded for hex ETH addresses)."""
        prefix = self.address[:WALLET_PREFIX]
        return prefix.lower() if self.coin == "ETH" or prefix[:3].lower() in ("bc1", "ltc") else prefix

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "coin": self.coin, "kind": self.kind, "complete": self.complete}

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Wallet:
        return cls(str(obj["address"]), str(obj.get("coin", "")), str(obj.get("kind", "")),
                   bool(obj.get("complete", True)))


@dataclass(frozen=True, slots=True)
class Indicators:
    message_id: str = ""
    subject: str = ""
    date: str = ""
    verdict: str = ""
    score: float = 0.0
    envelope_from: str = ""
    header_from: tuple[str, ...] = ()
    reply_to: tuple[str, ...] = ()
    return_path: str = ""
    recipients: tuple[str, ...] = ()
    origin: Hop | None = None
    hops: tuple[Hop, ...] = ()  # our trusted relays, then the origin
    claimed_hops: tuple[Hop, ...] = ()  # written by the sender: not evidence
    auth: tuple[AuthResult, ...] = ()
    urls: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()  # registrable domains of the URLs' hosts
    files: tuple[FileIndicator, ...] = ()
    wallets: tuple[Wallet, ...] = ()
    codes: tuple[str, ...] = ()

    # ---- derived views

    @property
    def sender_addresses(self) -> tuple[str, ...]:
        return _unique(a.lower() for a in (self.envelope_from, *self.header_from, *self.reply_to, self.return_path)
                       if a and "@" in a)

    @property
    def sender_domains(self) -> tuple[str, ...]:
        return _unique(registrable_domain(a.rsplit("@", 1)[1]) for a in self.sender_addresses)

    @property
    def origin_ip(self) -> str:
        return self.origin.ip if self.origin else ""

    def auth_result(self, method: str) -> str:
        """The first result for ``method`` (``dkim``, ``spf``, ``dmarc``), '' when none was recorded."""
        return next((a.result for a in self.auth if a.method == method), "")

    # ---- JSON

    def to_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id, "subject": self.subject, "date": self.date,
            "verdict": self.verdict, "score": self.score,
            "envelope_from": self.envelope_from, "header_from": list(self.header_from),
            "reply_to": list(self.reply_to), "return_path": self.return_path,
            "recipients": list(self.recipients),
            "origin": self.origin.to_json() if self.origin else None,
            "hops": [h.to_json() for h in self.hops],
            "claimed_hops": [h.to_json() for h in self.claimed_hops],
            "auth": [a.to_json() for a in self.auth],
            "urls": list(self.urls), "domains": list(self.domains),
            "files": [f.to_json() for f in self.files],
            "wallets": [w.to_json() for w in self.wallets],
            "codes": list(self.codes),
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Indicators:
        origin = obj.get("origin")
        return cls(
            message_id=str(obj.get("message_id", "")), subject=str(obj.get("subject", "")),
            date=str(obj.get("date", "")), verdict=str(obj.get("verdict", "")),
            score=float(obj.get("score", 0) or 0),
            envelope_from=str(obj.get("envelope_from", "")),
            header_from=tuple(map(str, obj.get("header_from", ()))),
            reply_to=tuple(map(str, obj.get("reply_to", ()))),
            return_path=str(obj.get("return_path", "")),
            recipients=tuple(map(str, obj.get("recipients", ()))),
            origin=Hop.from_json(origin) if isinstance(origin, Mapping) else None,
            hops=tuple(Hop.from_json(h) for h in obj.get("hops", ())),
            claimed_hops=tuple(Hop.from_json(h) for h in obj.get("claimed_hops", ())),
            auth=tuple(AuthResult.from_json(a) for a in obj.get("auth", ())),
            urls=tuple(map(str, obj.get("urls", ()))), domains=tuple(map(str, obj.get("domains", ()))),
            files=tuple(FileIndicator.from_json(f) for f in obj.get("files", ())),
            wallets=tuple(Wallet.from_json(w) for w in obj.get("wallets", ())),
            codes=tuple(map(str, obj.get("codes", ()))),
        )


# --------------------------------------------------------------------------- helpers


def _unique(values: Iterable[str], limit: int = MAX_ITEMS) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for v in values:
        if v and v not in out:
            out[v] = None
            if len(out) >= limit:
                break
    return tuple(out)


@cache
def _psl() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def registrable_domain(host: str) -> str:
    """``mail.lure.co.kr`` -> ``lure.co.kr`` (Public Suffix List); IP literals and odd names stay as given."""
    host = host.strip().strip(".").lower()
    if not host or _ip(host):
        return host
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    return _psl().privatesuffix(host) or host


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def _unfold(value: str) -> str:
    return " ".join(str(value).split())


def _addresses(msg: Message, name: str) -> tuple[str, ...]:
    values = [str(v) for v in msg.get_all(name, [])]
    return _unique(addr.strip().lower() for _n, addr in email.utils.getaddresses(values) if "@" in addr)


def _verdict_obj(verdict: Verdict | Mapping[str, Any]) -> Verdict:
    if isinstance(verdict, Verdict):
        return verdict
    try:
        return Verdict.from_json(verdict)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a verdict object: {type(exc).__name__}: {exc}") from exc


# --------------------------------------------------------------------------- Received chain


def parse_received(value: str) -> Hop | None:
    """The client of one ``Received`` line (Postfix, Exim, Sendmail, Exchange forms); None for local lines."""
    text = _unfold(value)
    head = text.split(";", 1)[0]
    by = re.search(r"(?i)\bby\s+(\S+)", head)
    m = re.match(r"(?i)from\s+(\S+)(?:\s+\(([^)]*)\))?", head)
    if not m:
        return None
    helo, comment = m.group(1), m.group(2) or ""
    from_part = re.split(r"(?i)\s+by\s+", head, maxsplit=1)[0]
    ip = ""
    for m_ip in (*_IP_IN_BRACKETS.finditer(from_part), *_IP_IN_PARENS.finditer(from_part)):
        if _ip(m_ip.group(1)):  # [ip] (Postfix, Sendmail, Exim), then (ip) (Exchange, qmail)
            ip = m_ip.group(1)
            break
    if not ip and _ip(helo):
        ip = helo.strip("[]")
    rdns = ""
    first = comment.split()[0] if comment.split() else ""
    if (first and not first.startswith("[") and first.lower() not in ("unknown", "helo") and "=" not in first
            and not _ip(first)):
        rdns = first.lower().rstrip(".")
    return Hop(helo=helo.strip("[]").lower()[:255], rdns=rdns[:255], ip=str(_ip(ip)) if ip else "",
               by=(by.group(1).lower().rstrip(";")[:255] if by else ""))


@cache
def _networks(nets: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in nets)


def _trusted(hop: Hop, settings: ReportSettings) -> bool:
    addr = _ip(hop.ip) if hop.ip else None
    if addr is not None and any(addr in net for net in _networks(settings.trusted_networks)):
        return True
    name = hop.rdns
    for host in settings.trusted_hosts:
        host = host.lower()
        if name and (name == host or (host.startswith(".") and name.endswith(host))):
            return True
    return False


def received_chain(
    values: Sequence[str], settings: ReportSettings
) -> tuple[tuple[Hop, ...], Hop | None, tuple[Hop, ...]]:
    """(our hops down to the origin, the origin hop, claimed hops below it)."""
    ours: list[Hop] = []
    origin: Hop | None = None
    rest: list[Hop] = []
    for value in values[:MAX_HOPS]:
        hop = parse_received(value)
        if origin is not None:
            if hop is not None:
                rest.append(hop)
            continue
        if hop is None:  # "Received: by host (Postfix, from userid 0)": a local submission
            continue
        if _trusted(hop, settings):
            ours.append(Hop(hop.helo, hop.rdns, hop.ip, hop.by, trusted=True))
            continue
        if not hop.ip:  # a client without an address cannot be judged: stop rather than trust what follows
            break
        origin = hop
        ours.append(hop)
    return tuple(ours), origin, tuple(rest)


def _envelope_client(verdict: Verdict | Mapping[str, Any], origin: Hop | None, hops: Sequence[Hop],
                     settings: ReportSettings) -> Hop | None:
    """The MTA's own word on the client (``client_addr``/``helo`` in the verdict JSON) beats the headers.

    Stored verdicts do not carry it yet; when they do, a message whose top Received line is
    missing or forged still gets the right origin.
    """
    stored: Mapping[str, Any] = verdict if isinstance(verdict, Mapping) else {}
    client = str(stored.get("client_addr", ""))
    if not _ip(client) or _trusted(Hop(ip=client), settings) or (origin is not None and origin.ip == client):
        return origin
    rdns = next((h.rdns for h in hops if h.ip == client), "")
    return Hop(helo=str(stored.get("helo", ""))[:255].lower(), rdns=rdns, ip=str(_ip(client)))


# --------------------------------------------------------------------------- Authentication-Results


def parse_auth_results(value: str) -> tuple[AuthResult, ...]:
    """``mx.example; dkim=pass header.d=a.example; spf=fail smtp.mailfrom=b.example`` -> results."""
    text = _unfold(re.sub(r"\([^()]*\)", " ", value))
    parts = [p.strip() for p in text.split(";")]
    if not parts or not parts[0]:
        return ()
    authserv = parts[0].split()[0].lower()
    out = []
    for part in parts[1:]:
        tokens = part.split()
        if not tokens or "=" not in tokens[0]:
            continue
        method, _, result = tokens[0].partition("=")
        props = tuple((k.lower(), v.strip('"')) for k, _, v in (t.partition("=") for t in tokens[1:]) if v)
        out.append(AuthResult(authserv, method.lower(), result.lower(), props))
    return tuple(out)


def _our_auth(msg: Message, verdict: Verdict, settings: ReportSettings) -> tuple[AuthResult, ...]:
    results: list[AuthResult] = []
    for name, value in verdict.headers:
        if name.lower() == "authentication-results":
            results.extend(parse_auth_results(value))
    ours = {r.authserv_id for r in results} | {a.lower() for a in settings.authserv_ids}
    if ours:
        for value in msg.get_all("Authentication-Results", [])[:20]:
            for r in parse_auth_results(str(value)):
                if r.authserv_id in ours and r not in results:
                    results.append(r)
    return tuple(results[:MAX_ITEMS])


# --------------------------------------------------------------------------- URLs


class _LinkParser(HTMLParser):
    ATTRS = frozenset({"href", "src", "action", "formaction", "background", "data", "poster"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in self.ATTRS and value and len(self.links) < MAX_ITEMS:
                self.links.append(value.strip())


def clean_url(url: str) -> str:
    """A URL as exported: defanged ``hxxp`` restored, ``www.`` given a scheme, trailing punctuation dropped."""
    url = url.strip()[:MAX_URL]
    while url and url[-1] in _URL_TRAIL:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break  # a balanced parenthesis belongs to the URL (wiki-style paths)
        url = url[:-1]
    low = url.lower()
    if low.startswith("hxxp"):
        url = "http" + url[4:]
    elif low.startswith("www."):
        url = "http://" + url
    return url


def url_host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.strip(".").lower()


def text_urls(text: str) -> Iterator[str]:
    for m in _URL_RE.finditer(text[:MAX_TEXT]):
        yield clean_url(m.group(0))


def _html_urls(html: str) -> Iterator[str]:
    parser = _LinkParser()
    try:
        parser.feed(html[:MAX_TEXT])
        parser.close()
    except Exception:
        pass
    for link in parser.links:
        if re.match(r"(?i)(?:https?|hxxps?)://|www\.", link):
            yield clean_url(link)
    yield from text_urls(html)


def _pdf_urls(data: bytes) -> Iterator[str]:
    """``/URI (...)`` strings in the uncompressed objects of a PDF (links in streams come from findings)."""
    for m in _PDF_URI_RE.finditer(data[:MAX_PDF_SCAN]):
        text = m.group(1).decode("latin-1").replace("\\(", "(").replace("\\)", ")").replace("\\\\", "\\")
        if re.match(r"(?i)https?://", text):
            yield clean_url(text)


# --------------------------------------------------------------------------- the message walk


@dataclass
class _Walk:
    texts: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)


def _walk(msg: Message) -> _Walk:
    out = _Walk()
    for n, part in enumerate(msg.walk()):
        if n >= MAX_PARTS:
            break
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        filename = (part.get_filename() or "").lower()
        try:
            payload = part.get_payload(decode=True)
        except Exception:
            continue
        if not isinstance(payload, bytes):
            continue
        if ctype == "application/pdf" or filename.endswith(".pdf") or payload[:5] == b"%PDF-":
            out.urls.extend(_pdf_urls(payload))
            continue
        if not ctype.startswith("text/"):
            continue
        charset = part.get_content_charset() or "utf-8"
        try:
            text = payload[:MAX_TEXT].decode(charset, "replace")
        except LookupError:
            text = payload[:MAX_TEXT].decode("utf-8", "replace")
        if ctype == "text/html":
            out.urls.extend(_html_urls(text))
            text = re.sub(r"<[^>]*>", " ", text)
        else:
            out.urls.extend(text_urls(text))
        out.texts.append(text)
    return out


# --------------------------------------------------------------------------- wallets


def _wallets(verdict: Verdict, texts: Sequence[str]) -> tuple[Wallet, ...]:
    found: dict[str, Wallet] = {}
    for f in verdict.findings:
        if not f.code.startswith("crypto.address"):
            continue
        for m in _WALLET_DETAIL.finditer(f.detail):
            coin, kind, text = m.group("coin"), m.group("kind") or "", m.group("text")
            shape = _WALLET_SHAPE[coin]
            wallet: Wallet | None = None
            if not m.group("cut") and shape.fullmatch(text):
                wallet = Wallet(text, coin, kind, True)
            else:
                full = _find_full(text, shape, texts)
                wallet = Wallet(full, coin, kind, True) if full else Wallet(text[:WALLET_PREFIX], coin, kind, False)
            found[wallet.key] = merge_wallets(found.get(wallet.key), wallet)
            if len(found) >= MAX_ITEMS:
                return tuple(found.values())
    return tuple(found.values())


def merge_wallets(have: Wallet | None, new: Wallet) -> Wallet:
    """One wallet from two sightings of the same address: the full form and the kind when either has them."""
    if have is None:
        return new
    full = have if have.complete else new
    return Wallet(full.address, full.coin, have.kind or new.kind, have.complete or new.complete)


def _find_full(prefix: str, shape: re.Pattern[str], texts: Sequence[str]) -> str:
    """The one address in ``texts`` that starts with ``prefix`` and has the coin's shape ('' if none or several)."""
    pattern = re.compile(r"(?<![0-9A-Za-z])" + re.escape(prefix) + r"[0-9A-Za-z]*")
    hits: set[str] = set()
    for text in texts:
        for m in pattern.finditer(text):
            if shape.fullmatch(m.group(0)):
                hits.add(m.group(0))
    return hits.pop() if len(hits) == 1 else ""


# --------------------------------------------------------------------------- extract


def extract(raw: bytes, verdict: Verdict | Mapping[str, Any], settings: ReportSettings | None = None) -> Indicators:
    """The indicators of one message from its exact bytes and its verdict (a Verdict or its JSON)."""
    settings = settings or ReportSettings()
    v = _verdict_obj(verdict)
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    walk = _walk(msg)
    subject = _unfold(str(msg.get("Subject", "")))
    texts = [subject, *walk.texts]
    received = [str(h) for h in msg.get_all("Received", [])]
    hops, origin, claimed = received_chain(received, settings)
    origin = _envelope_client(verdict, origin, hops, settings)

    finding_urls = [u for f in v.findings for u in text_urls(f.detail) if not u.endswith("…")]
    urls = _unique(u for u in (*walk.urls, *finding_urls) if url_host(u))
    domains = _unique(registrable_domain(url_host(u)) for u in urls if not _ip(url_host(u)))
    return_path = _addresses(msg, "Return-Path")
    files = tuple(
        FileIndicator(a.sha256, a.path.rsplit("/", 1)[-1], a.path, a.type, a.size)
        for a in v.attachments[:MAX_ITEMS] if a.sha256 and a.size
    )
    return Indicators(
        message_id=v.message_id or _unfold(str(msg.get("Message-ID", ""))),
        subject=v.subject or subject,
        date=_unfold(str(msg.get("Date", ""))),
        verdict=str(v.verdict),
        score=float(v.score),
        envelope_from=v.sender.strip("<>").lower(),
        header_from=_unique((*_addresses(msg, "From"), *_addresses(msg, "Sender"))),
        reply_to=_addresses(msg, "Reply-To"),
        return_path=return_path[0] if return_path else "",
        recipients=_unique(r.strip("<>").lower() for r in v.rcpt),
        origin=origin,
        hops=hops,
        claimed_hops=claimed,
        auth=_our_auth(msg, v, settings),
        urls=urls,
        domains=domains,
        files=files,
        wallets=_wallets(v, texts),
        codes=tuple(v.codes),
    )
