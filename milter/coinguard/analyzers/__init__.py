"""The analyzer registry: one line per analyzer module, in the order they run.

Adding an analyzer: one new module in this package, one line below, one test file
in ``tests/analyzers/``.  ``tests/test_registry.py`` fails if a module here is not
registered or has no test, and names must be unique (checked at import).
"""

from __future__ import annotations

from coinguard.analyzers.addresses import AddressDocument, AddressMessage
from coinguard.analyzers.base import (
    AnalysisContext,
    Analyzer,
    MessageAnalyzer,
    MessageInfo,
    Unpacker,
    text_item,
)
from coinguard.analyzers.brands import BrandAnalyzer
from coinguard.analyzers.crypto_theme import CryptoThemeDocument, CryptoThemeMessage
from coinguard.analyzers.dde import DdeFields
from coinguard.analyzers.dkim_auth import DkimAnalyzer
from coinguard.analyzers.doctext import DocTextAnalyzer
from coinguard.analyzers.encrypted import EncryptedOffice
from coinguard.analyzers.filetype import FileTypeAnalyzer
from coinguard.analyzers.hwp import HwpAnalyzer
from coinguard.analyzers.lnk import LnkAnalyzer
from coinguard.analyzers.office import OfficeMacros, OleEmbedded
from coinguard.analyzers.onenote import OneNoteAnalyzer
from coinguard.analyzers.ooxml import OoxmlRelations
from coinguard.analyzers.pdf import PdfAnalyzer
from coinguard.analyzers.rtf import RtfObjects
from coinguard.analyzers.seed_phrase import SeedPhraseDocument, SeedPhraseMessage
from coinguard.analyzers.yara_rules import YaraRules

# Item analyzers (run on every Item: attachments, archive members, extracted objects).
ITEM_ANALYZERS: tuple[Analyzer, ...] = (
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
    DocTextAnalyzer(),
    # -- YARA over raw and extracted content --
    YaraRules(),
    # -- crypto theme inside documents --
    CryptoThemeDocument(),
    AddressDocument(),
    SeedPhraseDocument(),
)

# Message analyzers (run once per message after every item was handled).
MESSAGE_ANALYZERS: tuple[MessageAnalyzer, ...] = (
    # -- crypto theme, brands, sender authentication --
    DkimAnalyzer(),  # first: the others read dkim.aligned (verified brand senders)
    CryptoThemeMessage(),
    BrandAnalyzer(),
    AddressMessage(),
    SeedPhraseMessage(),
)


def _check_unique() -> None:
    seen: set[str] = set()
    for handler in (*ITEM_ANALYZERS, *MESSAGE_ANALYZERS):
        if handler.name in seen:
            raise RuntimeError(f"duplicate analyzer name {handler.name!r}")
        seen.add(handler.name)


_check_unique()

__all__ = [
    "ITEM_ANALYZERS",
    "MESSAGE_ANALYZERS",
    "AnalysisContext",
    "Analyzer",
    "MessageAnalyzer",
    "MessageInfo",
    "Unpacker",
    "text_item",
]
