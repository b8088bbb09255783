"""The values that flow through the core: Item, Finding, Verdict, and catalogue entries.

Everything here is a frozen dataclass or an enum, so it pickles across the worker
pool and cannot be changed behind a caller's back.  Strings only appear at the
JSON/header edge (``Verdict.to_json``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from types import MappingProxyType
from typing import Any

#: Longest detail text kept in a finding (attacker-controlled text is truncated).
MAX_DETAIL = 300


class VerdictKind(StrEnum):
    CLEAN = "clean"
    SUSPICIOUS = "suspicious"
    MALICIOUS = "malicious"
    #: part of the message was not fully examined (a limit, a parse failure, a tool that failed, the
    #: time budget): never "clean"; the action is ``policy.action_unchecked`` (or the fail mode when the
    #: whole scan could not run)
    UNCHECKED = "unchecked"


class Action(StrEnum):
    ACCEPT = "accept"
    TAG = "tag"
    STRIP = "strip"  # deliver with the offending attachments replaced by a notice (coinguard.strip)
    QUARANTINE = "quarantine"
    REJECT = "reject"
    TEMPFAIL = "tempfail"


class Category(StrEnum):
    """What a finding is evidence of; the policy weighs categories differently."""

    ATTACHMENT = "attachment"  # risky content: macros, exploits, executables, scripts
    CONTAINER = "container"  # archives, encryption, limits hit while unpacking
    THEME = "theme"  # crypto lure language, brands, addresses, seed phrases
    SENDER = "sender"  # DKIM, lookalike domains, impersonation
    MESSAGE = "message"  # MIME structure, malformed input
    INTERNAL = "internal"  # our own trouble (analyzer error, timeout)


class Strength(StrEnum):
    """How much one finding proves on its own (the policy combines strengths, issue 11).

    - ``conclusive``: quarantines alone (executable content or a script with behaviour delivered by
      mail, a shortcut that runs something, a remote template/frame/OLE link, auto-running macros,
      exploit structures);
    - ``strong``: malicious together with another strong finding or with a crypto theme;
    - ``weak``: context only; weak evidence alone never makes a message more than suspicious.
    """

    CONCLUSIVE = "conclusive"
    STRONG = "strong"
    WEAK = "weak"


#: A risk finding without a declared strength is strong from this score on (weak below).
STRONG_SCORE = 10.0
RISK_CATEGORIES = frozenset({Category.ATTACHMENT, Category.CONTAINER})


def default_strength(score: float, category: Category, malicious_score: float = 15.0) -> Strength:
    """Strength of a code that declares none (YARA rules, codes of other families): by its score.

    A risk (attachment/container) finding scored at ``malicious_score`` or more is declared
    malicious by itself (a YARA rule's ``score`` meta) and is conclusive; from :data:`STRONG_SCORE`
    strong.  Theme, sender, message and internal evidence is weak unless its code says otherwise.
    """
    if category in RISK_CATEGORIES:
        if score >= malicious_score:
            return Strength.CONCLUSIVE
        if score >= STRONG_SCORE:
            return Strength.STRONG
    return Strength.WEAK


class Role(StrEnum):
    """Where an Item sits in the message (``Item.role``)."""

    ATTACHMENT = "attachment"  # a MIME part with a file name or Content-Disposition: attachment
    INLINE = "inline"  # an inline MIME part (pictures of an HTML mail)
    BODY = "body"  # the text/plain or text/html body
    MEMBER = "member"  # a file inside an archive or disk image
    EMBEDDED = "embedded"  # an object embedded in a document (OLE Package, RTF object, PDF attachment)
    EXTRACTED = "extracted"  # content an analyzer decoded (macro source, decrypted document)
    TEXT = "text"  # text an analyzer extracted from a document, for YARA and the lure analyzers


#: Finding code that one message analyzer emits and others read (the registry runs dkim_auth before them):
#: a DKIM signature passed and is aligned with the From domain.
DKIM_ALIGNED = "dkim.aligned"
#: ... and DMARC passed for the From domain (dmarc_auth runs before the readers of either).
DMARC_PASS = "dmarc.pass"


#: Last segments of the codes that, by convention, say "this was not fully read" (``pdf.parse_error``,
#: ``yara.timeout``, ``rtf.skipped``, ``archive.encrypted_unopened``); limit codes have a ``.limit.``
#: segment.  A code named this way is :attr:`CodeInfo.incomplete` unless its declaration says otherwise.
INCOMPLETE_WORDS = ("error", "timeout", "skipped", "unopened", "unreadable")


def incomplete_by_name(code: str) -> bool:
    """Whether ``code``'s name follows the convention of a "not fully read" code."""
    last = code.rsplit(".", 1)[-1]
    return ".limit." in code or any(last == w or last.endswith("_" + w) for w in INCOMPLETE_WORDS)


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """One catalogue entry: a finding code, its default score, what triggers it and its strength.

    ``strength`` None leaves it to the policy (:func:`coinguard.policy.default_strength`: by category
    and score).  ``strict`` is the strength under ``policy.profile = "strict"`` when it differs (a
    carrier only an attacker mails, which the balanced profile still only tags).

    ``incomplete``: the code means part of the message was not fully examined (a limit, a parse
    failure, a member a library would not read, a tool or the time budget that ran out).  Any such
    finding makes the verdict at least ``unchecked``.  Left as None it follows the code's name
    (:func:`incomplete_by_name`), so a new ``*.limit.*`` or ``*.parse_error`` code is incomplete by
    construction.
    """

    code: str
    score: float
    category: Category
    description: str
    strength: Strength | None = None
    incomplete: bool | None = None
    strict: Strength | None = None

    def __post_init__(self) -> None:
        if self.incomplete is None:
            object.__setattr__(self, "incomplete", incomplete_by_name(self.code))


def sanitize_detail(text: str, limit: int = MAX_DETAIL) -> str:
    """Make attacker text safe for headers and logs: printable, one line, bounded."""
    out = text if text.isprintable() else "".join(ch if ch.isprintable() else " " for ch in text)
    out = " ".join(out.split())
    return out if len(out) <= limit else out[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of evidence.

    ``score`` is None when the analyzer leaves it to the catalogue (the usual case);
    YARA rules carry their own ``score`` meta.  The policy fills in the final score and the
    ``strength`` (empty until then, and for a finding that scored 0: no evidence).
    """

    code: str
    analyzer: str
    path: str = ""
    detail: str = ""
    score: float | None = None
    strength: str = ""  # a Strength, set by the policy
    cached: bool = False  # replayed from the verdict cache (coinguard.cache), not analysed again

    def __post_init__(self) -> None:
        object.__setattr__(self, "detail", sanitize_detail(self.detail))

    def graded(self, score: float | None, strength: str) -> Finding:
        """This finding with another ``score`` and ``strength`` (the policy's), every other field kept.

        ``dataclasses.replace`` without ``__post_init__``: the detail was sanitized when this finding
        was made, and sanitizing it again costs more than the copy (the policy grades every finding).
        """
        new = object.__new__(Finding)
        for name in _FINDING_KEPT:
            object.__setattr__(new, name, getattr(self, name))
        object.__setattr__(new, "score", score)
        object.__setattr__(new, "strength", strength)
        return new

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "score": self.score if self.score is not None else 0,
            "path": self.path,
            "detail": self.detail,
            "analyzer": self.analyzer,
            "strength": self.strength,
        }
        if self.cached:
            out["cached"] = True
        return out


#: The fields :meth:`Finding.graded` copies as they are (every one but the two it sets).
_FINDING_KEPT = tuple(f.name for f in fields(Finding) if f.name not in ("score", "strength"))


@dataclass(frozen=True, slots=True)
class Item:
    """A file-like thing found in a message: a MIME part, an archive member, an extracted stream.

    ``name`` and ``declared_type`` come from the attacker and are kept only as data;
    ``type`` is what :mod:`coinguard.sniff` found in the bytes.  ``path`` joins the
    names of every layer (``statement.zip/docs/invoice.pdf.lnk``).
    """

    path: str
    name: str
    data: bytes
    type: str
    depth: int = 0
    declared_type: str = ""
    role: str = Role.ATTACHMENT  # a Role
    source: str = "mime"  # the unpacker or analyzer that produced it
    sha256: str = ""
    meta: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if not self.sha256:
            object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())
        if not isinstance(self.meta, MappingProxyType):
            object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))

    @property
    def size(self) -> int:
        return len(self.data)

    def child(
        self,
        name: str,
        data: bytes,
        *,
        source: str,
        role: str = Role.MEMBER,
        declared_type: str = "",
        type: str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> Item:
        """A new Item one layer below this one; its type is sniffed unless given."""
        from coinguard.sniff import sniff  # local: sniff imports nothing from here but names

        safe = safe_name(name) or f"<{source}>"
        return Item(
            path=f"{self.path}/{safe}" if self.path else safe,
            name=name,
            data=data,
            type=type if type is not None else sniff(data, name),
            depth=self.depth + 1,
            declared_type=declared_type,
            role=role,
            source=source,
            meta=meta or {},
        )


def safe_name(name: str, limit: int = 120) -> str:
    """A member or attachment name as shown in paths: printable, no slashes, bounded."""
    name = name.replace("\\", "/").rstrip("/")
    name = name.rsplit("/", 1)[-1] if "/" in name else name
    return sanitize_detail(name, limit).replace("/", "_")


@dataclass(frozen=True, slots=True)
class AddHeader:
    """A header a message analyzer asks the daemon to add (e.g. ``Authentication-Results``).

    Yielded like a Finding; it ends up in ``Verdict.headers``.  The daemon removes incoming
    headers of the same name that claim our authserv-id before adding it.
    """

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    path: str
    type: str
    size: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "type": self.type, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of scanning one message (DESIGN §4, verdict JSON)."""

    id: str
    verdict: VerdictKind
    action: Action
    score: float
    crypto_theme: float = 0.0
    findings: tuple[Finding, ...] = ()
    attachments: tuple[AttachmentInfo, ...] = ()
    message_id: str = ""
    sender: str = ""
    rcpt: tuple[str, ...] = ()
    subject: str = ""
    elapsed_ms: int = 0
    errors: tuple[str, ...] = ()
    reason: str = ""  # why unchecked/tempfail: timeout | limit | error
    dry_run: bool = False
    headers: tuple[tuple[str, str], ...] = ()  # extra headers to add (Authentication-Results)
    cache_counts: tuple[tuple[str, int], ...] = ()  # verdict cache lookups of this scan: (result, n)
    basis: str = ""  # why the policy chose the verdict ("conclusive: office.vba.autoexec", ...)
    #: What a report needs of the message (senders, hops, URLs, hashes, wallets: the JSON of
    #: ``coinguard.report.indicators.Indicators``), computed by the scan for what it quarantines; plain
    #: JSON data so it pickles and stores as it is.  None: not computed (reports extract them later).
    indicators: dict[str, Any] | None = field(default=None, hash=False)

    def strengths(self) -> dict[str, str]:
        """Each scored code's strongest strength (``{"office.vba.autoexec": "conclusive"}``)."""
        order = {Strength.CONCLUSIVE: 0, Strength.STRONG: 1, Strength.WEAK: 2}
        out: dict[str, str] = {}
        for f in self.findings:
            if f.strength and (f.code not in out or order[Strength(f.strength)] < order[Strength(out[f.code])]):
                out[f.code] = f.strength
        return out

    @property
    def codes(self) -> list[str]:
        """Distinct finding codes, highest score first (for headers and logs)."""
        best: dict[str, float] = {}
        for f in self.findings:
            best[f.code] = max(best.get(f.code, 0.0), f.score or 0.0)
        return sorted(best, key=lambda c: (-best[c], c))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "message_id": self.message_id,
            "from": self.sender,
            "rcpt": list(self.rcpt),
            "subject": self.subject,
            "verdict": str(self.verdict),
            "action": str(self.action),
            "score": round(self.score, 2),
            "crypto_theme": round(self.crypto_theme, 2),
            "findings": [f.to_json() for f in self.findings],
            "attachments": [a.to_json() for a in self.attachments],
            "elapsed_ms": self.elapsed_ms,
            "errors": list(self.errors),
        }
        if self.reason:
            out["reason"] = self.reason
        if self.basis:
            out["basis"] = self.basis
        if self.dry_run:
            out["dry_run"] = True
        if self.headers:
            out["headers"] = [[n, v] for n, v in self.headers]
        if self.indicators is not None:
            out["indicators"] = self.indicators
        return out

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Verdict:
        return cls(
            id=str(obj.get("id", "")),
            verdict=VerdictKind(obj.get("verdict", "clean")),
            action=Action(obj.get("action", "accept")),
            score=float(obj.get("score", 0)),
            crypto_theme=float(obj.get("crypto_theme", 0)),
            findings=tuple(
                Finding(
                    code=f["code"],
                    analyzer=f.get("analyzer", ""),
                    path=f.get("path", ""),
                    detail=f.get("detail", ""),
                    score=f.get("score"),
                    cached=bool(f.get("cached", False)),
                    strength=str(f.get("strength", "")),
                )
                for f in obj.get("findings", ())
            ),
            attachments=tuple(
                AttachmentInfo(a["path"], a.get("type", ""), int(a.get("size", 0)), a.get("sha256", ""))
                for a in obj.get("attachments", ())
            ),
            message_id=str(obj.get("message_id", "")),
            sender=str(obj.get("from", "")),
            rcpt=tuple(obj.get("rcpt", ())),
            subject=str(obj.get("subject", "")),
            elapsed_ms=int(obj.get("elapsed_ms", 0)),
            errors=tuple(obj.get("errors", ())),
            reason=str(obj.get("reason", "")),
            basis=str(obj.get("basis", "")),
            dry_run=bool(obj.get("dry_run", False)),
            headers=tuple((str(n), str(v)) for n, v in obj.get("headers", ())),
            indicators=dict(obj["indicators"]) if isinstance(obj.get("indicators"), Mapping) else None,
        )
