"""Indicators of one message: what a CERT, an abuse desk or a MISP community can act on.

Two entry points, one result (:class:`Indicators`, stored as its JSON):

- :func:`at_scan` runs in the scan worker at the end of ``scan_message`` for every message
  the scan quarantines (and for every one with ``ScanContext.indicators``: ``coinguard scan``,
  ``quarantine import``).  It sees what only the scan knows: the MTA's client address and
  HELO, every item the unpackers produced (archive members, document text, decoded
  scripts, with their original file names), the URLs analyzers attached to items or left
  in the scan's memo.  Its JSON goes into ``Verdict.indicators`` and so into the verdict JSON
  the quarantine stores keep.  It never raises: on a bug it logs and returns None.
- :func:`extract` works from the stored message bytes and verdict alone: the fallback for
  records quarantined before the scan stored indicators, and for the ``hold`` back end,
  which keeps no verdict JSON.

Both are pure (nothing read or written elsewhere), bounded for hostile input, and import
nothing heavy at import time (the Public Suffix List loads on first use).

Where each indicator comes from:

- **senders**: the envelope sender of the verdict, and ``From``/``Sender``/``Reply-To``/
  ``Return-Path`` of the message;
- **sending host**: the ``Received`` chain read top-down.  The top hop was written by our
  MTA; a hop whose client is one of our own relays (``[report] trusted_networks`` /
  ``trusted_hosts``) means the next line down was written by that relay, so we step
  down.  The first hop whose client is not ours is the **origin**: the IP (and the
  reverse-DNS name and HELO our side saw) that handed the message to us.  Lines below
  it were written by the sender and are kept as *claimed* hops, never exported as fact.
  At scan time the MTA's own word on the client (the milter's ``client_addr`` and HELO,
  kept as ``client``) comes first: a client that is not one of our relays *is* the origin,
  and every ``Received`` line in the message was written by others (Postfix does not show
  a milter its own ``Received`` line; one that names the client, as Sendmail's does, is
  dropped).  A trusted client (a relay of ours, loopback) wrote the top line: the walk
  starts there;
- **authentication**: the ``Authentication-Results`` the scan added (the verdict's own
  headers: dkim, spf, dmarc, arc), and headers of the message from the authserv-ids in
  ``[report] authserv_ids`` and ``[dkim] trust_upstream`` (other hosts of ours).  Incoming
  headers that claim our own authserv-id are forgeries the daemon removes: never read;
- **URLs and domains**, from wherever the scan carries them (the seam other analyzers
  feed; :data:`URLS_KEY`):

  * ``Item.meta["urls"]`` of any item: a sequence of URL strings an unpacker or analyzer
    attaches to the item it yields (links of a document, the text of a decoded QR code);
  * ``ctx.memo["urls"]``, or ``ctx.memo[<handler name>]["urls"]`` when a handler's memo
    entry is a mapping: URLs a handler found without yielding an item (not replayed by the
    verdict cache, unlike items and findings: prefer those);
  * the details of findings (remote templates, external links, ``links.*``);
  * the text of the body and of every text-like item (document text, decoded scripts,
    ``.url`` files), HTML links, images and form actions, ``/URI`` strings of PDFs;

  from the stored message alone (:func:`extract`) only the last two.  Domains are reduced
  to the registrable domain (Public Suffix List);
- **files**: every attachment and extracted child of the verdict (sha256, type, size, path,
  and the original file name as the sender wrote it, control characters escaped);
- **wallets**: the addresses behind ``crypto.address*`` findings.  A full address in the
  finding's detail is taken as it is; a prefix (``0x5aAeb6053F…``) is completed from the
  body and document text when exactly one address there has it, else it stays a prefix
  (``complete=False``, not exported as a pattern);
- **codes**: the finding codes, highest score first.
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import email.utils
import ipaddress
import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from email.message import Message
from functools import cache, lru_cache
from html import unescape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from coinguard.findings import Item, Role, Verdict
from coinguard.mime import charset_of
from coinguard.report.settings import ReportSettings, report_settings
from coinguard.text import decode_item, decode_text

if TYPE_CHECKING:
    from coinguard.config import Config

log = logging.getLogger(__name__)

#: Bounds on hostile input: parts walked, text scanned per part, indicators kept per kind.
MAX_PARTS = 300
MAX_TEXT = 2 * 1024 * 1024
MAX_PDF_SCAN = 8 * 1024 * 1024
MAX_ITEMS = 500
MAX_URL = 2000
MAX_HOPS = 50
#: Items of one scan read for indicators (the scan's own ``max_files`` bounds them first).
MAX_FILES = 2000
#: Text read from the scan's items for URLs and wallet addresses, over all items of one message.
MAX_SCAN_TEXT = 16 * 1024 * 1024
#: Longest original file name kept.
MAX_NAME = 255

#: The key under which analyzers hand URLs to the indicators: ``Item.meta[URLS_KEY]`` or
#: ``ctx.memo[URLS_KEY]`` / ``ctx.memo[handler][URLS_KEY]``, a sequence of strings.
URLS_KEY = "urls"
#: Item types whose bytes are text worth reading for URLs and addresses (besides body and text items).
_TEXT_TYPES = frozenset({"text", "html", "svg", "url", "iqy", "script.encoded", "script.hta", "script.wsf",
                         "script.ps1", "script.bat", "script.vbs", "script.js", "script.sh", "script.xsl"})
_HTML_TYPES = frozenset({"html", "svg", "script.hta"})

_URL_RE = re.compile(r"(?i)(?<![\w@.-])(?:https?://|hxxps?://|www\.)[^\s\x00-\x1f\x7f<>\"'`{}|\\^\[\]]{2,2000}")
_URL_TRAIL = ".,;:!?)]}'\"…>"
_PDF_URI_RE = re.compile(rb"/URI\s*\(((?:[^()\\]|\\.){4,2000})\)")
_IP_IN_BRACKETS = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]{2,45})\]")
_IP_IN_PARENS = re.compile(r"\((?:IPv6:)?([0-9A-Fa-f:.]{2,45})\)")
_WALLET_DETAIL = re.compile(
    r"(?P<coin>BTC|LTC|TRX|ETH|XMR)\s+"
    r"(?:(?P<kind>P2PKH|P2SH|address|segwit v\d+|EIP-55|unchecksummed|standard|integrated|subaddress)\s+)?"
    r"(?P<text>[0-9A-Za-z]{8,110})(?P<cut>…)?"
)
_WALLET_SHAPE = {
    "ETH": re.compile(r"0x[0-9a-fA-F]{40}"),
    "BTC": re.compile(r"(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|(?:bc|BC)1[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87})"),
    "LTC": re.compile(r"(?:[LM3][1-9A-HJ-NP-Za-km-z]{25,34}|(?:ltc|LTC)1[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87})"),
    "TRX": re.compile(r"T[1-9A-HJ-NP-Za-km-z]{25,34}"),
    # Monero (the addresses analyzer checks the checksum): standard/subaddress 95 characters, integrated 106
    "XMR": re.compile(r"[48][1-9A-HJ-NP-Za-km-z]{94}(?:[1-9A-HJ-NP-Za-km-z]{11})?"),
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
    client: Hop | None = None  # the connecting client as the MTA told the milter (IP, HELO); trusted if ours
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
        """Plain JSON, every string valid UTF-8 without control characters (jsonb and the dir sidecar take it)."""
        return _json_safe({
            "message_id": self.message_id, "subject": self.subject, "date": self.date,
            "verdict": self.verdict, "score": self.score,
            "envelope_from": self.envelope_from, "header_from": list(self.header_from),
            "reply_to": list(self.reply_to), "return_path": self.return_path,
            "recipients": list(self.recipients),
            "client": self.client.to_json() if self.client else None,
            "origin": self.origin.to_json() if self.origin else None,
            "hops": [h.to_json() for h in self.hops],
            "claimed_hops": [h.to_json() for h in self.claimed_hops],
            "auth": [a.to_json() for a in self.auth],
            "urls": list(self.urls), "domains": list(self.domains),
            "files": [f.to_json() for f in self.files],
            "wallets": [w.to_json() for w in self.wallets],
            "codes": list(self.codes),
        })

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Indicators:
        origin, client = obj.get("origin"), obj.get("client")
        return cls(
            message_id=str(obj.get("message_id", "")), subject=str(obj.get("subject", "")),
            date=str(obj.get("date", "")), verdict=str(obj.get("verdict", "")),
            score=float(obj.get("score", 0) or 0),
            envelope_from=str(obj.get("envelope_from", "")),
            header_from=tuple(map(str, obj.get("header_from", ()))),
            reply_to=tuple(map(str, obj.get("reply_to", ()))),
            return_path=str(obj.get("return_path", "")),
            recipients=tuple(map(str, obj.get("recipients", ()))),
            client=Hop.from_json(client) if isinstance(client, Mapping) else None,
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

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The header block's parser (:func:`at_scan`; the body tier's, cache.py, is the same: its Message is taken).
_HEADER_PARSER = email.parser.BytesHeaderParser(policy=email.policy.compat32)


def _safe_text(text: str) -> str:
    """Lone surrogates (undecodable header bytes) back to their UTF-8 reading, controls dropped."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "replace").decode("utf-8")
    return _CONTROL.sub("", text)


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, str):  # printable ASCII (most of it) has nothing to mend
        return obj if obj.isascii() and obj.isprintable() else _safe_text(obj)
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_json_safe(v) for v in obj]
    return obj


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
    text = text.strip("[]")
    if ":" not in text and not text[:1].isdigit():  # neither IPv6 nor dotted decimal: a name
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _unfold(value: str) -> str:
    return " ".join(str(value).split())


def _addresses(msg: Message, name: str) -> tuple[str, ...]:
    values = tuple(str(v) for v in msg.get_all(name, []))
    if not values:
        return ()
    if sum(map(len, values)) > ADDRESS_MEMO_CHARS:
        return _parsed_addresses.__wrapped__(values)
    return _parsed_addresses(values)


#: Header values (From, Sender, Reply-To, Return-Path) whose addresses are remembered (a campaign's copies
#: share them), and the longest set of values remembered.
ADDRESS_MEMO, ADDRESS_MEMO_CHARS = 64, 4096


@lru_cache(maxsize=ADDRESS_MEMO)
def _parsed_addresses(values: tuple[str, ...]) -> tuple[str, ...]:
    return _unique(addr.strip().lower() for _n, addr in email.utils.getaddresses(list(values)) if "@" in addr)


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
    return _trusted_by(hop, settings.trusted_networks, settings.trusted_hosts)


def _trusted_by(hop: Hop, networks: tuple[str, ...], hosts: tuple[str, ...]) -> bool:
    addr = _ip(hop.ip) if hop.ip else None
    if addr is not None and any(addr in net for net in _networks(networks)):
        return True
    name = hop.rdns
    for host in hosts:
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


def client_hop(client_addr: str, helo: str, settings: ReportSettings) -> Hop | None:
    """The connecting client as the MTA saw it (None when there is no usable address); remembered for the
    last few clients (a Hop is immutable; whether it is trusted reads only the trusted networks and hosts)."""
    if len(client_addr or "") + len(helo) > CLIENT_MEMO_CHARS:
        return _client_hop.__wrapped__(client_addr or "", helo, settings.trusted_networks, settings.trusted_hosts)
    return _client_hop(client_addr or "", helo, settings.trusted_networks, settings.trusted_hosts)


#: Clients (address, HELO) whose Hop is remembered, and the longest address + HELO remembered.
CLIENT_MEMO, CLIENT_MEMO_CHARS = 64, 512


@lru_cache(maxsize=CLIENT_MEMO)
def _client_hop(client_addr: str, helo: str, networks: tuple[str, ...], hosts: tuple[str, ...]) -> Hop | None:
    addr = _ip(client_addr)
    if addr is None:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:  # ::ffff:a.b.c.d
        addr = addr.ipv4_mapped
    hop = Hop(helo=_unfold(helo)[:255].lower(), ip=str(addr))
    return replace(hop, trusted=_trusted_by(hop, networks, hosts))


def chain_from(client: Hop | None, values: Sequence[str], settings: ReportSettings
               ) -> tuple[Hop | None, tuple[Hop, ...], Hop | None, tuple[Hop, ...]]:
    """(client, our hops, origin, claimed hops) with the MTA's own word on the client first.

    Without a client, the plain walk of :func:`received_chain` (the top line was written by
    our MTA, as in a message saved from a mailbox).
    """
    if client is None:
        return (None, *received_chain(values, settings))
    values = list(values[:MAX_HOPS])
    top = next(((n, h) for n, h in enumerate(map(parse_received, values)) if h is not None), None)
    if top is not None and top[1].ip == client.ip:  # the MTA showed us its own line (Sendmail does)
        client = replace(client, rdns=client.rdns or top[1].rdns, by=top[1].by)
        del values[: top[0] + 1]
    if not client.trusted:
        claimed = tuple(h for h in map(parse_received, values) if h is not None)
        return client, (client,), client, claimed
    hops, origin, claimed = received_chain(values, settings)  # our relay wrote the top line
    return client, (client, *hops), origin, claimed


def _stored_client(verdict: Verdict | Mapping[str, Any], settings: ReportSettings) -> Hop | None:
    """``client_addr``/``helo`` of a stored verdict JSON that carries them (else None)."""
    if not isinstance(verdict, Mapping):
        return None
    return client_hop(str(verdict.get("client_addr", "")), str(verdict.get("helo", "")), settings)


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


def _our_auth(msg: Message, verdict: Verdict, ids: Iterable[str]) -> tuple[AuthResult, ...]:
    """The verdict's own ``Authentication-Results``, then the message's from the trusted ``ids``.

    A header in the message that claims the verdict's own authserv-id is not ours: the scan
    sees the message before the daemon removes such forgeries (and the ``dir`` store keeps
    those bytes), so only ids configured as other hosts of ours are read from the message.
    """
    results: list[AuthResult] = []
    for name, value in verdict.headers:
        if name.lower() == "authentication-results":
            results.extend(parse_auth_results(value))
    trusted = {i.lower() for i in ids if i} - {r.authserv_id for r in results}
    if trusted:
        for value in msg.get_all("Authentication-Results", [])[:20]:
            for r in parse_auth_results(str(value)):
                if r.authserv_id in trusted and r not in results:
                    results.append(r)
    return tuple(results[:MAX_ITEMS])


# --------------------------------------------------------------------------- URLs


#: A link-carrying attribute of an HTML tag, its value quoted either way or bare (a regex, not a parser:
#: an HTML parser costs ~0.2 s per MB of markup, this a few ms; the text scan below sees the rest).
_HTML_LINK = re.compile(
    r"""(?i)[\s/](?:href|src|action|formaction|background|data|poster)\s*=\s*"""
    r"""(?:"([^"]{1,2000})"|'([^']{1,2000})'|([^\s"'<>`]{1,2000}))"""
)
_LINK_START = re.compile(r"(?i)(?:https?|hxxps?)://|www\.")


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
    text = text[:MAX_TEXT]
    if "://" not in text and "www." not in text.lower():  # what every URL of _URL_RE holds (its "w" is only w/W)
        return
    for m in _URL_RE.finditer(text):
        yield clean_url(m.group(0))


def _html_urls(html: str) -> Iterator[str]:
    """Links of tags (href, src, form actions; entities decoded), then every URL in the markup's text."""
    html = html[:MAX_TEXT]
    found = 0
    for m in _HTML_LINK.finditer(html):
        link = unescape(m.group(1) or m.group(2) or m.group(3) or "").strip()
        if _LINK_START.match(link):
            yield clean_url(link)
            found += 1
            if found >= MAX_ITEMS:
                break
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
    seen: dict[str, None] = field(default_factory=dict)

    @property
    def urls(self) -> list[str]:
        return list(self.seen)

    def add(self, urls: Iterable[str]) -> None:
        """Keep the first MAX_ITEMS distinct URLs with a host; stop reading ``urls`` (lazy) once full."""
        for url in urls:
            if len(self.seen) >= MAX_ITEMS:
                return
            if url not in self.seen and url_host(url):
                self.seen[url] = None

    def read(self, text: str, html: bool) -> None:
        """The URLs of a text (links of markup too) and the text itself, for the wallet search."""
        if html:
            self.add(_html_urls(text))
            text = re.sub(r"<[^>]*>", " ", text)
        else:
            self.add(text_urls(text))
        self.texts.append(text)


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
            out.add(_pdf_urls(payload))
            continue
        if not ctype.startswith("text/"):
            continue
        text = decode_text(payload[:MAX_TEXT], charset_of(part))
        out.read(text, html=ctype == "text/html")
    return out


def _given_urls(value: Any) -> Iterator[str]:
    """The URLs an analyzer handed over under :data:`URLS_KEY` (a sequence of strings; anything else ignored)."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return
    for n, url in enumerate(value):
        if n >= MAX_ITEMS:
            break
        if isinstance(url, str) and url.strip():
            yield clean_url(url)


def _memo_urls(memo: Mapping[str, Any]) -> Iterator[str]:
    yield from _given_urls(memo.get(URLS_KEY))
    for value in list(memo.values())[:MAX_PARTS]:
        if isinstance(value, Mapping):
            yield from _given_urls(value.get(URLS_KEY))


def _item_text(item: Item) -> str:
    return decode_item(item, MAX_TEXT)


def _walk_items(items: Sequence[Item], memo: Mapping[str, Any]) -> _Walk:
    """URLs and text from the scan's items (every layer, not only the MIME parts) and its memo.

    The memo's URLs first, then the items' (:func:`_items_walk`: its first MAX_ITEMS URLs hold every one
    this walk can still take after the memo's, so the result is the one walk over both)."""
    urls, texts = _items_walk(items)
    out = _Walk()
    out.add(_memo_urls(memo))
    out.add(urls)
    out.texts.extend(texts)
    return out


#: The last item lists walked (:func:`_items_walk`), newest last: the body tier of the verdict cache gives
#: a campaign's copies the very same (immutable) Item objects, so their walk is the same.
_ITEM_WALKS: list[tuple[tuple[Item, ...], list[str], list[str]]] = []
#: How many are kept, and the largest one kept (item bytes: what the memo keeps alive).
ITEM_WALK_MEMO = 4
ITEM_WALK_MEMO_BYTES = 4 * 1024 * 1024


def _items_walk(items: Sequence[Item]) -> tuple[list[str], list[str]]:
    """The URLs (the first MAX_ITEMS with a host, in order) and the texts of ``items``; for the same Item
    objects as a walk moments ago, that walk's (identity: an Item is immutable)."""
    key = tuple(items[:MAX_FILES])
    for kept, urls, texts in reversed(_ITEM_WALKS):
        if len(kept) == len(key) and all(a is b for a, b in zip(kept, key, strict=True)):
            return urls, texts
    out = _Walk()
    budget = MAX_SCAN_TEXT
    for item in items[:MAX_FILES]:
        out.add(_given_urls(item.meta.get(URLS_KEY)))
        if budget <= 0:
            continue
        if item.type == "pdf":
            out.add(_pdf_urls(item.data))
            budget -= min(item.size, MAX_PDF_SCAN)
            continue
        if not (item.type in _TEXT_TYPES or item.role in (Role.BODY, Role.TEXT)):
            continue
        text = _item_text(item)
        budget -= len(text)
        out.read(text, html=item.type in _HTML_TYPES)
    found = (out.urls, out.texts)
    if sum(i.size for i in key) <= ITEM_WALK_MEMO_BYTES:
        _ITEM_WALKS[:] = [*_ITEM_WALKS[-(ITEM_WALK_MEMO - 1):], (key, *found)]
    return found


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


def _printable(name: str) -> str:
    """A sender's file name kept as written, control and format characters (RTLO) escaped."""
    name = name[:MAX_NAME]
    if name.isprintable():
        return name
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in name)


def _build(msg: Message, v: Verdict, walk: _Walk, settings: ReportSettings, *, client: Hop | None,
           auth_ids: Iterable[str], names: Mapping[str, str]) -> Indicators:
    subject = _unfold(str(msg.get("Subject", "")))
    received = [str(h) for h in msg.get_all("Received", [])[:MAX_HOPS]]
    client, hops, origin, claimed = chain_from(client, received, settings)
    finding_urls = [u for f in v.findings for u in text_urls(f.detail) if not u.endswith("…")]
    hosts = {u: url_host(u) for u in (*finding_urls, *walk.urls)}  # each URL's host parsed once
    urls = _unique(u for u, host in hosts.items() if host)
    domains = _unique(registrable_domain(hosts[u]) for u in urls if not _ip(hosts[u]))
    return_path = _addresses(msg, "Return-Path")
    files = tuple(
        FileIndicator(a.sha256, _printable(names.get(a.path) or a.path.rsplit("/", 1)[-1]), a.path, a.type, a.size)
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
        client=client,
        origin=origin,
        hops=hops,
        claimed_hops=claimed,
        auth=_our_auth(msg, v, auth_ids),
        urls=urls,
        domains=domains,
        files=files,
        wallets=_wallets(v, [subject, *walk.texts]),
        codes=tuple(v.codes),
    )


def extract(raw: bytes, verdict: Verdict | Mapping[str, Any], settings: ReportSettings | None = None) -> Indicators:
    """The indicators of one message from its stored bytes and verdict (a Verdict or its JSON).

    The fallback for records without stored indicators: what only the scan knew (the MTA's
    client, document text, URLs analyzers handed over, original names) is missing, unless the
    verdict JSON carries ``client_addr``/``helo``.
    """
    settings = settings or ReportSettings()
    v = _verdict_obj(verdict)
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    return _build(msg, v, _walk(msg), settings, client=_stored_client(verdict, settings),
                  auth_ids=settings.authserv_ids, names={})


def at_scan(raw: bytes, verdict: Verdict, items: Sequence[Item] = (), *, client_addr: str = "", helo: str = "",
            memo: Mapping[str, Any] | None = None, config: Config | None = None,
            parsed: tuple[bytes, Message] | None = None) -> dict[str, Any] | None:
    """The indicators JSON for ``Verdict.indicators``, from the end of a scan (see the module docstring).

    ``raw`` is the message as the MTA handed it over (only its header block is parsed again),
    ``items`` every item the scan handled, ``memo`` the scan's ``AnalysisContext.memo``; ``parsed``: a header
    block the scan has parsed already with this parser (the body tier's, cache.BodyCache), and its Message,
    used when it is the very block read here (bytes compared), not parsed again.
    Returns None, logged, if extraction fails: the report then falls back to :func:`extract`.
    """
    try:
        settings = report_settings(config)
        upstream = config.dkim.trust_upstream if config is not None else ()
        end = re.search(rb"\r?\n\r?\n", raw)  # the header block only: the items hold the rest, decoded
        block = raw[: end.end()] if end else raw
        msg = parsed[1] if parsed is not None and parsed[0] == block else _HEADER_PARSER.parsebytes(block)
        names = {i.path: i.name for i in items[:MAX_FILES] if i.name}
        ind = _build(msg, verdict, _walk_items(items, memo or {}), settings,
                     client=client_hop(client_addr, helo, settings), auth_ids=(*settings.authserv_ids, *upstream),
                     names=names)
        return ind.to_json()
    except Exception as exc:  # a bug here must not cost the verdict: the report extracts them later
        log.warning("indicators of %s failed: %s: %s", verdict.id or "-", type(exc).__name__, exc, exc_info=True)
        return None
