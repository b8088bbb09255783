"""Loops through nested-message layers: a zip whose member is a message (.eml, .msg, winmail.dat)
that attaches the very same zip.  The enclosing-archive chain (unpack.common.ancestors) crosses
those layers, so the repeat is ``container.recursive`` (malicious), not a nest unpacked again and
again until the depth limit stops it (``unchecked``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from coinguard.config import parse_config
from coinguard.findings import Finding, Item
from coinguard.scan import ScanContext, scan_message
from coinguard.unpack.message import MessageUnpacker
from unpack.builders import outlook_msg, tnef, zip_archive

from helpers import make_context, make_message

OFFLINE = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.3\n')
ZIP = zip_archive({"fwd.bin": b"placeholder"})  # its one member "inflates" to the message below


def _eml(inner: bytes) -> bytes:
    return make_message(subject="fwd: statement", attachments=[("statement.zip", inner, "application/zip")])


def _msg(inner: bytes) -> bytes:
    return outlook_msg("fwd: statement", "see attached", {"statement.zip": inner})


def _tnef(inner: bytes) -> bytes:
    return tnef({"statement.zip": inner})


LAYERS: dict[str, Callable[[bytes], bytes]] = {"eml": _eml, "msg": _msg, "tnef": _tnef}


@pytest.fixture
def looping_zip(monkeypatch: pytest.MonkeyPatch) -> Callable[[bytes], None]:
    """Make ZIP's member read as ``message`` (what a crafted zip/message quine does: a real one needs
    deflate back-references and CRCs solved into its own bytes; the unpackers' contract is the same)."""
    from coinguard.unpack import zip_archive as module

    def use(message: bytes) -> None:
        monkeypatch.setattr(module._ZipReader, "read", lambda self, entry, password, cap: message)
    return use


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_zip_message_same_zip_is_recursive_not_a_depth_limit(layer: str, looping_zip: Callable[[bytes], None]
                                                              ) -> None:
    looping_zip(LAYERS[layer](ZIP))
    v = scan_message(make_message(attachments=[("statement.zip", ZIP, "application/zip")]),
                     ScanContext(config=OFFLINE))
    recursive = [f for f in v.findings if f.code == "container.recursive"]
    assert recursive and "repeats the archive 2 levels up" in recursive[0].detail, v.codes
    assert not [c for c in v.codes if c.startswith("container.limit")], v.codes
    assert (str(v.verdict), str(v.action)) == ("malicious", "quarantine"), v.basis
    # the zip and its message are read once each, the repeat never again
    assert [a.path for a in v.attachments if a.path.endswith("statement.zip")] == ["statement.zip"]


def test_message_children_record_the_enclosing_chain() -> None:
    outer = Item(path="a.zip", name="a.zip", data=b"zip bytes", type="zip")
    eml = Item(path="a.zip/fwd.eml", name="fwd.eml", data=_eml(b"PK other zip"), type="eml", depth=1,
               meta={"ancestors": [outer.sha256]})  # a JSON list once replayed from the verdict cache
    children = [o for o in MessageUnpacker().handle(eml, make_context()) if isinstance(o, Item)]
    assert children and all(c.meta["ancestors"] == (outer.sha256, eml.sha256) for c in children)


def test_a_message_attaching_a_different_zip_is_unpacked() -> None:
    other = zip_archive({"readme.txt": b"hello"})
    eml = Item(path="a.zip/fwd.eml", name="fwd.eml", data=_eml(other), type="eml", depth=1,
               meta={"ancestors": (Item(path="a.zip", name="a.zip", data=ZIP, type="zip").sha256,)})
    out = list(MessageUnpacker().handle(eml, make_context()))
    assert "container.recursive" not in {o.code for o in out if isinstance(o, Finding)}
    assert other in [o.data for o in out if isinstance(o, Item)]
