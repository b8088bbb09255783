"""The ONE place the hostile tests and fuzz harnesses import names that issue 9 moves.

Issue 9 restructures the package (``analyzers.base`` -> ``handlers``, text helpers ->
``text``, daemon header handling -> ``actions``...).  Each name below is looked up at its
new home first and its old one second, so the tests run on both sides of that merge;
after it, drop the fallbacks.  Stable entry points (``coinguard.scan.scan_message``,
``coinguard.config``, ``coinguard.unpack.UNPACKERS``...) are imported directly elsewhere.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def _first(name: str, *modules: str) -> Any:
    """``name`` from the first of ``modules`` that defines it."""
    for module in modules:
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        if hasattr(mod, name):
            return getattr(mod, name)
    raise ImportError(f"{name} is in none of {', '.join(modules)}")


AnalysisContext: Any = _first("AnalysisContext", "coinguard.handlers", "coinguard.analyzers.base")
MessageInfo: Any = _first("MessageInfo", "coinguard.handlers", "coinguard.analyzers.base")

# MIME top-level functions (mime.py keeps them; html_to_text may move to text.py)
extract_parts: Callable[..., Any] = _first("extract_parts", "coinguard.mime")
message_info: Callable[..., Any] = _first("message_info", "coinguard.mime")
decode_header: Callable[[str | None], str] = _first("decode_header", "coinguard.mime", "coinguard.text")
html_to_text: Callable[[str], tuple[str, list[str]]] = _first("html_to_text", "coinguard.text", "coinguard.mime")

#: "Is this incoming Authentication-Results header ours?" (value bytes, our authserv-id) -> bool.
#: ``actions.ar_is_ours`` since the restructuring (``daemon._ar_is_ours`` before it).
ar_is_ours: Callable[[bytes, str], bool] = _first("ar_is_ours", "coinguard.actions")


def item_analyzer(name: str) -> Any:
    """The registered item analyzer called ``name``."""
    from coinguard.analyzers import ITEM_ANALYZERS

    return next(a for a in ITEM_ANALYZERS if a.name == name)


def message_analyzer(name: str) -> Any:
    """The registered message analyzer called ``name``."""
    from coinguard.analyzers import MESSAGE_ANALYZERS

    return next(a for a in MESSAGE_ANALYZERS if a.name == name)
