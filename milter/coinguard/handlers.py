"""The tiny interfaces every analyzer and unpacker implements, and what they are given.

A *handler* (item analyzer or unpacker) looks at one :class:`~coinguard.findings.Item`
and yields :class:`~coinguard.findings.Finding` values and/or new child ``Item`` values
(decoded macro source, a decrypted document, an archive member, extracted text).  Both
kinds have the same shape, :class:`Handler`; they differ only in which registry lists
them (``coinguard.unpack.UNPACKERS`` runs before ``coinguard.analyzers.ITEM_ANALYZERS``).
The scan loop sends every child through all handlers again, under the Budget.

A *message analyzer* runs once per message after all items were handled; it sees
the headers, the body text, every item and every finding so far (crypto theme,
sender authentication).  It names the analyzers whose findings it reads in ``after``;
the registry orders them and refuses a missing name or a cycle at import.

Handlers are stateless: everything per-message lives in :class:`AnalysisContext`.
Bad input is a finding (``<name>.parse_error``), never an exception; an exception
that escapes anyway is caught once in :mod:`coinguard.scan` as ``scan.analyzer_error``.

This module is core: it imports no analyzer, no unpacker and no parsing library, so
``coinguard.mime`` and every unpacker can use it without loading the analyzers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from coinguard.findings import AddHeader, Category, CodeInfo, Finding, Item, Role
from coinguard.limits import Budget
from coinguard.sniff import ItemType

if TYPE_CHECKING:
    from coinguard.config import Config

#: dkimpy's ``dnsfunc`` contract: ``dnsfunc(name: bytes, timeout: float) -> bytes | None`` (a TXT record).
DnsFunc = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class MessageInfo:
    """What the message-level analyzers need to know about the message itself."""

    raw: bytes = b""  # exact bytes as received (headers + body), for DKIM
    headers: tuple[tuple[str, str], ...] = ()  # decoded (name, value) in order
    from_header: str = ""  # the From: value as decoded text
    from_display: str = ""  # display name part of From:
    from_addr: str = ""  # addr-spec of From: (lower-cased domain)
    from_domain: str = ""  # domain of from_addr, lower case, IDNA-decoded to Unicode
    subject: str = ""
    message_id: str = ""
    envelope_from: str = ""
    rcpts: tuple[str, ...] = ()
    body_text: str = ""  # text/plain parts plus HTML rendered to text, bounded
    body_html_links: tuple[str, ...] = ()  # href targets found in HTML parts
    attachment_names: tuple[str, ...] = ()
    queue_id: str = ""
    client_addr: str = ""
    helo: str = ""


@dataclass(slots=True)
class AnalysisContext:
    """Per-message context handed to every handler.  Owned by one scan; never shared."""

    config: Config
    budget: Budget
    message: MessageInfo = field(default_factory=MessageInfo)
    rules: Any = None  # compiled yara.Rules or None
    #: Candidates for encrypted archives and documents (the scan gives a passwords.Candidates: harvested on first read)
    passwords: Sequence[str] = ()
    dns_resolver: DnsFunc | None = None  # injected TXT lookup for DKIM (tests, offline runs)
    #: Per-message scratch space for handlers that must remember something across items
    #: (e.g. YARA results by content hash).  Key it by the handler's name.  Dies with the message.
    memo: dict[str, Any] = field(default_factory=dict)


class Registered(Protocol):
    """What every registry entry declares: a unique name and the finding codes it may emit."""

    name: ClassVar[str]
    codes: ClassVar[tuple[CodeInfo, ...]]


class Handler(Registered, Protocol):
    """An item analyzer or an unpacker: ``handle`` runs on every Item that ``applies_to`` accepts."""

    def applies_to(self, item: Item) -> bool: ...

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]: ...


class MessageAnalyzer(Registered, Protocol):
    """Runs once per message, after every item; ``after`` names the analyzers whose findings it reads."""

    after: ClassVar[tuple[str, ...]]

    def analyze_message(
        self, msg: MessageInfo, items: Sequence[Item], findings: Sequence[Finding], ctx: AnalysisContext
    ) -> Iterator[Finding | AddHeader]: ...


#: The headers that make a message a mailing (a newsletter, a digest, a list's post).
LIST_HEADERS = frozenset({"list-id", "list-unsubscribe"})


def is_mailing(msg: MessageInfo) -> bool:
    """Is ``msg`` a mailing: a List-Id or List-Unsubscribe header?"""
    return any(name.lower() in LIST_HEADERS for name, _ in msg.headers)


def text_item(parent: Item, text: str, source: str, label: str = "text") -> Item:
    """Extracted document text as a child Item (type ``text``) so YARA and the lure analyzer see it."""
    return parent.child(f"<{label}>", text.encode("utf-8", "replace"), source=source, role=Role.TEXT,
                        type=ItemType.TEXT)


__all__ = [
    "AddHeader",
    "AnalysisContext",
    "Category",
    "CodeInfo",
    "DnsFunc",
    "Finding",
    "Handler",
    "Item",
    "ItemType",
    "MessageAnalyzer",
    "MessageInfo",
    "Registered",
    "Role",
    "text_item",
]
