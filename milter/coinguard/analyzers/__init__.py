"""The analyzer registry: one line per analyzer module.

Adding an analyzer: one new module in this package, one line below, one test file
in ``tests/analyzers/``.  ``tests/test_architecture.py`` fails if a module here is not
registered or has no test, or imports another analyzer (``*_common`` helpers are allowed).
Names must be unique, and message analyzers run in the order their ``after`` asks for
(both checked at import).
"""

from __future__ import annotations

from collections.abc import Sequence

from coinguard.analyzers.addresses import AddressDocument, AddressMessage
from coinguard.analyzers.allow import AllowlistAnalyzer
from coinguard.analyzers.arc_auth import ArcAnalyzer
from coinguard.analyzers.auth_results import AuthResultsHeader
from coinguard.analyzers.brands import BrandAnalyzer
from coinguard.analyzers.crypto_theme import CryptoThemeDocument, CryptoThemeMessage
from coinguard.analyzers.dde import DdeFields
from coinguard.analyzers.dkim_auth import DkimAnalyzer
from coinguard.analyzers.dmarc_auth import DmarcAnalyzer
from coinguard.analyzers.doctext import DocTextAnalyzer
from coinguard.analyzers.encrypted import EncryptedOffice
from coinguard.analyzers.filetype import FileTypeAnalyzer
from coinguard.analyzers.hwp import HwpAnalyzer
from coinguard.analyzers.links import LinkAnalyzer
from coinguard.analyzers.lnk import LnkAnalyzer
from coinguard.analyzers.macos import MacCarriers
from coinguard.analyzers.markup import Markup
from coinguard.analyzers.office import OfficeMacros, OleEmbedded
from coinguard.analyzers.onenote import OneNoteAnalyzer
from coinguard.analyzers.ooxml import OoxmlRelations
from coinguard.analyzers.pdf import PdfAnalyzer
from coinguard.analyzers.qr import QrCodes
from coinguard.analyzers.rtf import RtfObjects
from coinguard.analyzers.seed_phrase import SeedPhraseDocument, SeedPhraseMessage
from coinguard.analyzers.spf_auth import SpfAnalyzer
from coinguard.analyzers.yara_rules import YaraRules
from coinguard.handlers import Handler, MessageAnalyzer, Registered

# Item analyzers (run on every Item: attachments, archive members, extracted objects).
ITEM_ANALYZERS: tuple[Handler, ...] = (
    # -- documents and files (office, ooxml, rtf, dde, encrypted, hwp, lnk, pdf, filetype) --
    EncryptedOffice(),
    OfficeMacros(),
    OleEmbedded(),
    OoxmlRelations(),
    RtfObjects(),
    DdeFields(),
    HwpAnalyzer(),
    LnkAnalyzer(),
    PdfAnalyzer(),
    OneNoteAnalyzer(),
    FileTypeAnalyzer(),
    Markup(),
    MacCarriers(),
    DocTextAnalyzer(),
    QrCodes(),
    # -- YARA over raw and extracted content --
    YaraRules(),
    # -- crypto theme inside documents --
    CryptoThemeDocument(),
    AddressDocument(),
    SeedPhraseDocument(),
)


def ordered(analyzers: Sequence[MessageAnalyzer]) -> tuple[MessageAnalyzer, ...]:
    """``analyzers`` in an order where each runs after every analyzer its ``after`` names.

    Listed order is kept wherever ``after`` allows (a stable topological sort).  A name in
    ``after`` that is not registered, or a cycle, raises RuntimeError: at import, not at scan time.
    """
    names = {a.name for a in analyzers}
    for a in analyzers:
        missing = [n for n in a.after if n not in names]
        if missing:
            raise RuntimeError(f"message analyzer {a.name!r} runs after unknown analyzer(s) {', '.join(missing)}")
    done: list[MessageAnalyzer] = []
    pending = list(analyzers)
    while pending:
        placed = {a.name for a in done}
        ready = next((a for a in pending if set(a.after) <= placed), None)
        if ready is None:
            raise RuntimeError("message analyzers' 'after' form a cycle: " + ", ".join(a.name for a in pending))
        done.append(ready)
        pending.remove(ready)
    return tuple(done)


# Message analyzers (run once per message after every item was handled), ordered by their ``after``.
MESSAGE_ANALYZERS: tuple[MessageAnalyzer, ...] = ordered((
    # -- crypto theme, brands, sender authentication --
    DkimAnalyzer(),
    SpfAnalyzer(),
    DmarcAnalyzer(),
    ArcAnalyzer(),
    AuthResultsHeader(),
    CryptoThemeMessage(),
    BrandAnalyzer(),
    AddressMessage(),
    SeedPhraseMessage(),
    LinkAnalyzer(),
    # -- allowlists (hashes, DKIM-verified sender domains) --
    AllowlistAnalyzer(),
))


def _check_unique() -> None:
    seen: set[str] = set()
    registered: tuple[Registered, ...] = (*ITEM_ANALYZERS, *MESSAGE_ANALYZERS)
    for handler in registered:
        if handler.name in seen:
            raise RuntimeError(f"duplicate analyzer name {handler.name!r}")
        seen.add(handler.name)


_check_unique()

__all__ = ["ITEM_ANALYZERS", "MESSAGE_ANALYZERS", "ordered"]
