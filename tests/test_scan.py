from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from typing import ClassVar

import pytest

from coinguard import scan
from coinguard.config import Config, parse_config
from coinguard.findings import Action, Category, CodeInfo, Finding, Item, VerdictKind
from coinguard.handlers import AnalysisContext
from coinguard.scan import Envelope, ScanContext, scan_message, unchecked_verdict

from helpers import make_message


class Exploder:
    name: ClassVar[str] = "exploder"
    codes: ClassVar[tuple[CodeInfo, ...]] = ()

    def applies_to(self, item: Item) -> bool:
        return item.name == "boom.bin"

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        yield Finding("test.before", self.name, item.path)
        raise ValueError("parser bug")


class Matryoshka:
    """Every .doll item yields a child doll: an unbounded nesting the budget must stop."""

    name: ClassVar[str] = "matryoshka"
    codes: ClassVar[tuple[CodeInfo, ...]] = (CodeInfo("test.doll", 0.0, Category.CONTAINER, "a doll"),)

    def applies_to(self, item: Item) -> bool:
        return item.name.endswith(".doll")

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        yield Finding("test.doll", self.name, item.path)
        yield item.child("inner.doll", item.data + b"x", source=self.name)


def _blank_pdf() -> bytes:
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(72, 72)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_clean_message_lists_attachments_with_hashes() -> None:
    data = _blank_pdf()
    raw = make_message(attachments=[("report.pdf", data, "application/pdf")])
    v = scan_message(raw, ScanContext(envelope=Envelope(id="Q1", sender="a@example.org", rcpts=("b@example.net",))))
    assert v.verdict is VerdictKind.CLEAN and v.action is Action.ACCEPT
    att = [a for a in v.attachments if a.path == "report.pdf"]
    assert att and att[0].type == "pdf" and att[0].sha256 == hashlib.sha256(data).hexdigest()
    assert v.id == "Q1" and v.rcpt == ("b@example.net",) and v.message_id == "<test-1@example.org>"
    json.dumps(v.to_json())


def test_a_pdf_nobody_could_parse_is_unchecked_not_clean() -> None:
    raw = make_message(attachments=[("report.pdf", b"%PDF-1.4\n% plain\n", "application/pdf")])
    v = scan_message(raw, ScanContext(envelope=Envelope(id="Q1")))
    assert "pdf.parse_error" in v.codes
    assert (v.verdict, v.action, v.reason) == (VerdictKind.UNCHECKED, Action.QUARANTINE, "incomplete")


def test_failing_analyzer_is_a_finding_and_the_rest_still_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "ITEM_ANALYZERS", (Exploder(), Matryoshka()))
    raw = make_message(attachments=[("boom.bin", b"\x01\x02"), ("a.doll", b"d")])
    v = scan_message(raw, ScanContext(config=parse_config("[scan]\nmax_depth = 3\n")))
    codes = [f.code for f in v.findings]
    assert "test.before" in codes and "scan.analyzer_error" in codes
    assert any("ValueError: parser bug" in e for e in v.errors)
    assert "container.limit.depth" in codes  # the dolls were stopped by the budget
    assert [a.path for a in v.attachments if a.path.startswith("a.doll")] == [
        "a.doll", "a.doll/inner.doll", "a.doll/inner.doll/inner.doll", "a.doll/inner.doll/inner.doll/inner.doll"
    ]


def test_scan_time_limit_stops_the_queue_and_the_verdict_is_unchecked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "ITEM_ANALYZERS", (Matryoshka(),))
    limits = "[scan]\ntimeout_s = 1.0\nmax_depth = 100000\nmax_files = 100000\n"
    ticks = iter(range(0, 10_000))
    monkeypatch.setattr("coinguard.limits.time.monotonic", lambda: next(ticks) * 0.01)
    v = scan_message(make_message(attachments=[("a.doll", b"d")]), ScanContext(config=parse_config(limits)))
    assert "scan.timeout" in v.codes
    assert (v.verdict, v.action, v.reason) == (VerdictKind.UNCHECKED, Action.QUARANTINE, "timeout")
    tag = parse_config(limits + "[policy]\naction_unchecked = 'tag'\n")
    ticks = iter(range(0, 10_000))
    assert scan_message(make_message(attachments=[("a.doll", b"d")]), ScanContext(config=tag)).action is Action.TAG


def test_a_mime_stage_bug_is_unchecked_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise UnicodeError("a decoding path nobody thought of")

    monkeypatch.setattr(scan.mime, "extract_parts", broken)
    v = scan_message(make_message(body="hello"), ScanContext())
    assert v.verdict is VerdictKind.UNCHECKED and "mime.parse_error" in v.codes
    assert any("UnicodeError" in e for e in v.errors)


def test_long_text_is_sampled_and_says_so() -> None:
    from coinguard import text

    raw = make_message(body="word " * (600 * 1024 // 5))
    v = scan_message(raw, ScanContext())
    assert "text.sampled" in v.codes and v.verdict is VerdictKind.CLEAN  # informational, not unread
    small = scan_message(make_message(body="word " * 100), ScanContext())
    assert "text.sampled" not in small.codes
    big = Item(path="a.txt", name="a.txt", data=b"x" * (text.MAX_TEXT + 1), type="text", role="attachment")
    found = scan.text_sample_finding(big)
    assert found is not None and found.path == "a.txt"
    assert scan.text_sample_finding(Item(path="a.bin", name="", data=b"x" * (text.MAX_TEXT + 1), type="pe")) is None


def test_oversized_message_is_unchecked_with_the_fail_mode() -> None:
    cfg = parse_config("[scan]\nmax_message_bytes = 100\n")
    v = scan_message(make_message(body="x" * 500), ScanContext(config=cfg, envelope=Envelope(queue_id="Q9")))
    assert (v.verdict, v.action, v.reason, v.id) == (VerdictKind.UNCHECKED, Action.REJECT, "limit", "Q9")
    for mode, action in (("tempfail", Action.TEMPFAIL), ("accept", Action.TAG)):
        cfg = parse_config(f"[scan]\nmax_message_bytes = 100\noversize_action = '{mode}'\n")
        assert scan_message(make_message(body="x" * 500), ScanContext(config=cfg)).action is action
    timeout = unchecked_verdict(Envelope(id="x"), "timeout", Config())
    assert timeout.action is Action.TEMPFAIL
    accept = parse_config("[milter]\nfail_mode = 'accept'\n")
    v2 = unchecked_verdict(Envelope(id="x"), "timeout", accept, "60s")
    assert v2.action is Action.TAG and v2.errors == ("timeout: 60s",)


def test_path_input_and_hostile_bytes(tmp_path) -> None:
    p = tmp_path / "m.eml"
    p.write_bytes(bytes(range(256)) * 100)
    v = scan_message(p, ScanContext())
    assert v.verdict in (VerdictKind.CLEAN, VerdictKind.SUSPICIOUS)


def test_verdict_json_round_trip() -> None:
    raw = make_message(attachments=[("x.bin", b"\x00")])
    v = scan_message(raw, ScanContext(envelope=Envelope(id="a")))
    again = type(v).from_json(json.loads(json.dumps(v.to_json())))
    assert again.to_json() == v.to_json()


def test_null_envelope_sender_from_the_mta_is_kept() -> None:
    raw = make_message(sender="Mailer <mailer-daemon@example.org>")
    bounce = scan_message(raw, ScanContext(envelope=Envelope(id="Q2", queue_id="Q2", sender="")))
    assert bounce.sender == ""
    offline = scan_message(raw, ScanContext(envelope=Envelope(id="file.eml")))
    assert offline.sender == "mailer-daemon@example.org"


@pytest.mark.parametrize(("mode", "effect"), [("quarantine", "discard"), ("tag", "accept"), ("tempfail", "tempfail")])
def test_an_unchecked_scan_reaches_the_mta_through_action_unchecked(mode: str, effect: str) -> None:
    """scan_message -> actions.apply (the daemon's mapping, read-only here): header, quarantine, tempfail."""
    from test_actions import Run, buffer, config

    raw = make_message(attachments=[("report.pdf", b"%PDF-1.4\n% truncated\n", "application/pdf")])
    cfg = parse_config(f"[policy]\naction_unchecked = '{mode}'\n")
    v = scan_message(raw, ScanContext(config=cfg))
    assert v.verdict is VerdictKind.UNCHECKED
    r = Run(v, config(action_unchecked=mode), buf=buffer())
    assert r.mta.kinds()[-1] == effect
    if mode == "tag":
        assert r.mta.added("X-Coinguard-Verdict") == ["unchecked reason=incomplete"]
        assert "pdf.parse_error" in r.mta.added("X-Coinguard-Findings")[0]
    if mode == "quarantine":
        assert [s[1].verdict for s in r.store.stored] == [VerdictKind.UNCHECKED]
    r.metrics.observe(v)  # what the daemon does with the verdict it got back
    assert r.count("coinguard_messages_total", verdict="unchecked", action=mode) == 1.0
