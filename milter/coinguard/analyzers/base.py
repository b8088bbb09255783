"""The tiny interfaces every analyzer and unpacker implements, and what they are given.

An *item handler* (analyzer or unpacker) looks at one :class:`~coinguard.findings.Item`
and yields :class:`~coinguard.findings.Finding` values and/or new child ``Item`` values
(decoded macro source, a decrypted document, an archive member, extracted text).
The scan loop sends every child through all handlers again, under the Budget.

A *message analyzer* runs once per message after all items were handled; it sees
the headers, the body text, every item and every finding so far (crypto theme,
sender authentication).

Handlers are stateless: everything per-message lives in :class:`AnalysisContext`.
Bad input is a finding (``<name>.parse_error``), never an exception; an exception
that escapes anyway is caught once in :mod:`coinguard.scan` as ``scan.analyzer_error``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from coinguard.findings import AddHeader, CodeInfo, Finding, Item
from coinguard.limits import Budget

if TYPE_CHECKING:
    from coinguard.config import Config


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
    passwords: tuple[str, ...] = ()  # candidates for encrypted archives and documents
    dns_resolver: Any = None  # callable(name: bytes, timeout: float) -> bytes | None, for DKIM
    #: Per-message scratch space for handlers that must remember something across items
    #: (e.g. YARA results by content hash).  Key it by the handler's name.  Dies with the message.
    memo: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Analyzer(Protocol):
    name: ClassVar[str]
    codes: ClassVar[tuple[CodeInfo, ...]]

    def applies_to(self, item: Item) -> bool: ...

    def analyze(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]: ...


@runtime_checkable
class Unpacker(Protocol):
    name: ClassVar[str]
    codes: ClassVar[tuple[CodeInfo, ...]]

    def applies_to(self, item: Item) -> bool: ...

    def unpack(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]: ...


@runtime_checkable
class MessageAnalyzer(Protocol):
    name: ClassVar[str]
    codes: ClassVar[tuple[CodeInfo, ...]]

    def analyze_message(
        self, msg: MessageInfo, items: Sequence[Item], findings: Sequence[Finding], ctx: AnalysisContext
    ) -> Iterator[Finding | AddHeader]: ...


def text_item(parent: Item, text: str, source: str, label: str = "text") -> Item:
    """Extracted document text as a child Item (type ``text``) so YARA and the lure analyzer see it."""
    return parent.child(f"<{label}>", text.encode("utf-8", "replace"), source=source, role="text", type="text")
