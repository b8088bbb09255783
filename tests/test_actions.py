"""The verdict -> MTA mapping through a recording fake of the ``Mta`` protocol (no libmilter)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from prometheus_client import CollectorRegistry

from coinguard import actions
from coinguard.actions import Reply
from coinguard.buffer import MessageBuffer
from coinguard.config import Config
from coinguard.errors import QuarantineError
from coinguard.findings import Action, Finding, Verdict, VerdictKind
from coinguard.metrics import Metrics, make_metrics

ACCEPT, DISCARD, REJECT, TEMPFAIL = 1, 2, 3, 4
HEADERS = (
    ("From", b"alice@sender.test"),
    ("Subject", b"Your wallet"),
    ("X-Coinguard-Verdict", b"clean score=0"),
    ("Authentication-Results", b"mx.other.test; dkim=pass"),
    ("Authentication-Results", b"gw.coinguard.test; dkim=pass header.d=spoof.test"),
)


class RecordingMta:
    """Implements ``actions.Mta``; records every operation in order."""

    def __init__(self) -> None:
        self.ops: list[tuple] = []

    def add_header(self, name: str, value: str, index: int = -1) -> None:
        self.ops.append(("add", name, value, index))

    def change_header(self, name: str, index: int, value: str) -> None:
        self.ops.append(("change", name, index, value))

    def delete_header(self, name: str, index: int) -> None:
        self.ops.append(("delete", name, index))

    def quarantine_hold(self, reason: str) -> None:
        self.ops.append(("hold", reason))

    def replace_body(self, body: bytes) -> None:
        self.ops.append(("body", body))

    def accept(self) -> int:
        self.ops.append(("accept",))
        return ACCEPT

    def discard(self) -> int:
        self.ops.append(("discard",))
        return DISCARD

    def reject(self, reply: Reply) -> int:
        self.ops.append(("reject", reply))
        return REJECT

    def tempfail(self, reply: Reply | None) -> int:
        self.ops.append(("tempfail", reply))
        return TEMPFAIL

    def kinds(self) -> list[str]:
        return [op[0] for op in self.ops]

    def added(self, name: str) -> list[str]:
        return [op[2] for op in self.ops if op[0] == "add" and op[1] == name]


class Store:
    backend = "fake"

    def __init__(self, mta_holds: bool = False, fail: bool = False) -> None:
        self.mta_holds = mta_holds
        self.fail = fail
        self.stored: list[tuple[bytes, Verdict]] = []

    def put(self, raw: bytes, verdict: Verdict) -> str:
        if self.fail:
            raise QuarantineError("disk full")
        self.stored.append((raw, verdict))
        return f"id{len(self.stored)}"

    def close(self) -> None:
        pass


def config(**policy: object) -> Config:
    cfg = Config()
    return replace(cfg, policy=replace(cfg.policy, **policy), dkim=replace(cfg.dkim, authserv_id="gw.coinguard.test"))


_BUFFERS: list[MessageBuffer] = []


@pytest.fixture(autouse=True)
def _close_buffers():
    yield
    while _BUFFERS:
        _BUFFERS.pop().close()


def buffer(headers: tuple[tuple[str, bytes], ...] = HEADERS, body: bytes = b"Hello\n") -> MessageBuffer:
    buf = MessageBuffer(1 << 20)
    _BUFFERS.append(buf)
    for name, value in headers:
        buf.add_header(name, value)
    buf.add_body(body)
    return buf


def verdict(kind: str = "clean", action: str = "accept", score: float = 0.0, codes: tuple[str, ...] = (),
            **kw: object) -> Verdict:
    return Verdict(id="QID1", verdict=VerdictKind(kind), action=Action(action), score=score,
                   findings=tuple(Finding(c, "test", "a.doc", "x", score=10.0) for c in codes), **kw)


class Run:
    def __init__(self, v: Verdict, cfg: Config | None = None, store: Store | None = None,
                 buf: MessageBuffer | None = None) -> None:
        self.mta = RecordingMta()
        self.store = store or Store()
        self.opened = 0
        self.metrics: Metrics = make_metrics(CollectorRegistry())
        self.buf = buf or buffer()

        def open_store() -> Store:
            self.opened += 1
            return self.store

        self.out = actions.apply(v, cfg or config(), self.buf, self.mta, open_store, self.metrics, "QID1")

    def count(self, name: str, **labels: str) -> float:
        return self.metrics.registry.get_sample_value(name, labels) or 0.0


def test_clean_accept_removes_spoofed_headers_then_labels() -> None:
    r = Run(verdict())
    assert r.out.rc == ACCEPT and r.out.action == Action.ACCEPT
    assert r.mta.ops == [
        ("delete", "Authentication-Results", 2),  # only the one claiming our authserv-id
        ("delete", "X-Coinguard-Verdict", 1),
        ("add", "X-Coinguard-Verdict", "clean score=0", -1),
        ("accept",),
    ]
    assert r.out.fields == {"removed_headers": 2}
    assert r.opened == 0  # the store is opened only for a quarantine


def test_every_forged_spelling_of_our_authentication_results_is_deleted_by_index() -> None:
    forged = (
        ("Authentication-Results", b"mx.other.test; dkim=pass"),  # 1: kept
        ("Authentication-Results", b"(comment) gw.coinguard.test; dkim=pass header.d=binance.com"),  # 2
        ("authentication-results", b"GW.Coinguard.Test 1; dkim=pass"),  # 3
        ("Authentication-Results", b"\r\n\t(folded)\r\n gw.coinguard.test\r\n ; dkim=pass"),  # 4
        ("Authentication-Results ", b'"gw.coinguard.test"; dkim=pass'),  # 5: space before the colon
        ("Authentication-Results", b"other.test; dkim=fail (gw.coinguard.test)"),  # 6: kept
    )
    r = Run(verdict(), buf=buffer(forged))
    deleted = [op[1:] for op in r.mta.ops if op[0] == "delete"]
    assert deleted == [("Authentication-Results", 5), ("Authentication-Results", 4),
                       ("authentication-results", 3), ("Authentication-Results", 2)]
    assert r.out.fields["removed_headers"] == 4


def test_clean_is_not_labelled_when_tag_clean_is_off() -> None:
    r = Run(verdict(), cfg=config(tag_clean=False))
    assert r.mta.added("X-Coinguard-Verdict") == [] and r.mta.kinds()[-1] == "accept"


def test_tag_labels_findings_and_prefixes_subject_once() -> None:
    r = Run(verdict("suspicious", "tag", 7, codes=("office.vba.autoexec", "lure.wallet")))
    assert r.mta.added("X-Coinguard-Verdict") == ["suspicious score=7"]
    assert r.mta.added("X-Coinguard-Findings") == ["lure.wallet=10, office.vba.autoexec=10"]
    assert ("change", "Subject", 1, "[SUSPICIOUS] Your wallet") in r.mta.ops
    tagged = buffer((("Subject", b" [SUSPICIOUS] Your wallet"),))
    again = Run(verdict("suspicious", "tag", 7), buf=tagged)
    assert [op for op in again.mta.ops if op[1:2] == ("Subject",)] == []


def test_tag_without_subject_adds_one() -> None:
    r = Run(verdict("malicious", "tag", 30), buf=buffer((("From", b"a@b.test"),)))
    assert ("add", "Subject", "[SUSPICIOUS]", -1) in r.mta.ops


def test_analyzer_headers_go_on_top_for_authentication_results() -> None:
    ar = "gw.coinguard.test; dkim=fail header.d=binance.com"
    r = Run(verdict(headers=(("Authentication-Results", ar), ("X-Other", "v"))))
    assert ("add", "Authentication-Results", ar, 0) in r.mta.ops
    assert ("add", "X-Other", "v", -1) in r.mta.ops


def test_reject_uses_configured_reply_and_oversize_reply_for_limits() -> None:
    r = Run(verdict("malicious", "reject", 42))
    assert r.out.rc == REJECT and r.mta.ops == [("reject", ("550", "5.7.1", "Message rejected: dangerous content"))]
    big = Run(verdict("unchecked", "reject", reason="limit"))
    assert big.mta.ops == [("reject", ("552", "5.3.4", "Message too big to be scanned"))]


def test_tempfail_with_unparsable_reply_still_tempfails() -> None:
    cfg = Config()
    cfg = replace(cfg, milter=replace(cfg.milter, tempfail_reply="try later"))
    r = Run(verdict("unchecked", "tempfail", reason="timeout"), cfg=cfg)
    assert r.out.rc == TEMPFAIL and r.mta.ops == [("tempfail", None)]
    ok = Run(verdict("unchecked", "tempfail", reason="timeout"))
    assert ok.mta.ops == [("tempfail", ("451", "4.7.1", "Message could not be scanned, please try again later"))]


def test_store_that_keeps_mail_gets_the_exact_bytes_before_the_discard() -> None:
    store = Store(mta_holds=False)
    r = Run(verdict("malicious", "quarantine", 42, codes=("yara.eicar",)), store=store)
    assert r.out.rc == DISCARD and r.mta.ops == [("discard",)]  # no labels on mail nobody receives
    raw, v = store.stored[0]
    assert raw == r.buf.raw_bytes() and b"X-Coinguard-Verdict: clean score=0\r\n" in raw
    assert v.verdict == VerdictKind.MALICIOUS
    assert r.out.fields == {"quarantine": "fake:id1"}
    assert r.count("coinguard_quarantine_messages_total") == 1


def test_failed_put_tempfails_never_discards() -> None:
    r = Run(verdict("malicious", "quarantine", 42), store=Store(fail=True))
    assert r.out.rc == TEMPFAIL and r.out.action == Action.TEMPFAIL
    assert "discard" not in r.mta.kinds()
    assert r.out.fields == {"quarantine_error": "QuarantineError"}
    assert r.count("coinguard_errors_total", stage="quarantine") == 1
    assert r.count("coinguard_quarantine_messages_total") == 0


def test_store_that_cannot_be_opened_tempfails() -> None:
    mta = RecordingMta()

    def broken() -> Store:
        raise QuarantineError("database down")

    out = actions.apply(verdict("malicious", "quarantine", 42), config(), buffer(), mta, broken,
                        make_metrics(CollectorRegistry()))
    assert out.rc == TEMPFAIL and mta.kinds() == ["tempfail"]


def test_store_the_mta_holds_for_labels_holds_and_accepts_without_put() -> None:
    store = Store(mta_holds=True)
    r = Run(verdict("malicious", "quarantine", 42, codes=("yara.eicar", "lure.wallet")), store=store)
    assert store.stored == []
    assert r.out.rc == ACCEPT and r.mta.kinds()[-2:] == ["hold", "accept"]
    assert r.mta.ops[-2] == ("hold", "coinguard malicious score=42 lure.wallet,yara.eicar")
    assert r.mta.added("X-Coinguard-Verdict") == ["malicious score=42"]  # `quarantine show` reads it back
    assert r.out.fields["quarantine"] == "fake"
    assert r.count("coinguard_quarantine_messages_total") == 1


@pytest.mark.parametrize("action", ["quarantine", "reject", "tempfail"])
def test_dry_run_accepts_and_says_what_it_would_have_done(action: str) -> None:
    r = Run(verdict("malicious", action, 42, dry_run=True))
    assert r.out.rc == ACCEPT and r.out.action == Action.ACCEPT
    assert r.mta.added("X-Coinguard-Verdict") == [f"malicious score=42 dry-run={action}"]
    assert r.out.fields["dry_run"] == action
    assert r.opened == 0 and not {"hold", "reject", "tempfail", "discard"} & set(r.mta.kinds())


def test_dry_run_from_policy_config() -> None:
    r = Run(verdict("malicious", "reject", 42), cfg=config(dry_run=True))
    assert r.out.rc == ACCEPT and r.out.fields["dry_run"] == "reject"


def test_header_values() -> None:
    assert actions.verdict_header_value(verdict("unchecked", "tag", reason="timeout")) == "unchecked reason=timeout"
    assert actions.verdict_header_value(verdict("unchecked", "tag")) == "unchecked reason=error"
    codes = tuple(f"c.x{i:02d}" for i in range(25))
    assert actions.findings_header_value(verdict("malicious", "tag", codes=codes)).endswith("c.x19=10, +5")
    zero = replace(verdict("suspicious", "tag"), findings=(Finding("info.only", "t", "p", "d", score=0.0),))
    assert actions.findings_header_value(zero) == ""


def test_findings_header_carries_strength_and_score_of_each_code() -> None:
    found = (Finding("crypto.lure.body", "t", "", "d", score=3.25, strength="weak"),
             Finding("office.vba.autoexec", "t", "a.doc", "d", score=22.0, strength="conclusive"),
             Finding("office.vba.autoexec", "t", "b.doc", "d", score=9.0, strength="strong"),
             Finding("brand.impersonation", "t", "", "d", score=5.0, strength="strong"),
             Finding("dkim.none", "t", "", "d", score=0.0))
    v = replace(verdict("malicious", "quarantine", 30.25), findings=found)
    assert actions.findings_header_value(v) == (
        "office.vba.autoexec=conclusive:22, brand.impersonation=strong:5, crypto.lure.body=weak:3.25")


def test_findings_header_stays_one_bounded_line() -> None:
    long_codes = tuple(f"yara.{'x' * 60}_{i:02d}" for i in range(15))
    value = actions.findings_header_value(verdict("malicious", "tag", codes=long_codes))
    assert len(value) <= actions.MAX_HEADER_CHARS + len(", +15") and "\n" not in value
    shown = value.split(", ")
    assert shown[-1] == f"+{15 - (len(shown) - 1)}" and 1 < len(shown) - 1 < 15


@pytest.mark.parametrize(("value", "ours"), [
    (b"gw.coinguard.test; dkim=pass", True),
    (b" GW.Coinguard.Test;dkim=pass", True),
    (b"gw.coinguard.test.evil; dkim=pass", False),
    (b"", False),
    # RFC 8601 spellings of the same authserv-id (issue 10 §8): each must be recognised and removed
    (b"(comment) gw.coinguard.test; dkim=pass header.d=binance.com", True),
    (b" (nested (comment) \\) here) gw.coinguard.test; dkim=pass", True),
    (b"gw.coinguard.test 1; dkim=pass", True),  # authres-version
    (b"gw.coinguard.test (v) 1 ; dkim=pass", True),
    (b"gw.coinguard.test\r\n\t; dkim=pass", True),  # folded before the semicolon
    (b"\r\n (folded\r\n comment)\r\n\tGW.COINGUARD.TEST;\r\n dkim=pass", True),
    (b'"gw.coinguard.test"; dkim=pass', True),  # quoted-string authserv-id
    (b'"gw.coin\\guard.test"; dkim=pass', True),  # quoted-pair inside it
    (b"gw.coinguard.test.; dkim=pass", True),  # the root dot names the same host
    (b"gw.coinguard.test(comment); dkim=pass", True),
    (b"gw.coin(x)guard.test; dkim=pass", True),  # a reader that drops comments sees our id
    (b"gw.coinguard.test/1; dkim=pass", True),
    (b"gw.coinguard.test", True),  # no result at all
    (b"(gw.coinguard.test) mx.other.test; dkim=pass", False),  # our id only inside a comment
    (b"mx.other.test; dkim=pass (gw.coinguard.test)", False),
    (b'"gw.coinguard.test.evil"; dkim=pass', False),
    (b"xgw.coinguard.test; dkim=pass", False),
    (b"(unterminated comment gw.coinguard.test; dkim=pass", False),
])
def test_ar_is_ours(value: bytes, ours: bool) -> None:
    assert actions.ar_is_ours(value, "gw.coinguard.test") is ours


# --------------------------------------------------------------------------- strip
STRIP_HEADERS = (("From", b"alice@sender.test"), ("Subject", b"invoice"), ("MIME-Version", b"1.0"),
                 ("Content-Type", b'multipart/mixed; boundary="BB"'), ("X-Coinguard-Stripped", b"spoofed"))
STRIP_BODY = (b"--BB\r\nContent-Type: text/plain\r\n\r\nHello\r\n"
              b"--BB\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; "
              b'filename="evil.exe"\r\n\r\nMZevil\r\n--BB--\r\n')


def strip_verdict(path: str = "evil.exe") -> Verdict:
    return Verdict(id="QID1", verdict=VerdictKind.MALICIOUS, action=Action.STRIP, score=20.0,
                   findings=(Finding("file.executable", "filetype", path, score=20.0),))


def test_strip_stores_the_original_then_replaces_the_part() -> None:
    r = Run(strip_verdict(), buf=buffer(STRIP_HEADERS, STRIP_BODY))
    assert r.out.rc == ACCEPT and r.out.action == Action.STRIP
    assert r.store.stored[0][0] == r.buf.raw_bytes()  # the exact original is kept
    body = next(op[1] for op in r.mta.ops if op[0] == "body")
    assert b"MZevil" not in body and body.startswith(b"--BB\r\nContent-Type: text/plain\r\n\r\nHello\r\n--BB\r\n")
    assert b"id1" in body and body.endswith(b"\r\n--BB--\r\n")
    assert ("delete", "X-Coinguard-Stripped", 1) in r.mta.ops
    assert r.mta.added("X-Coinguard-Stripped") == ["1 part(s); quarantine id id1"]
    assert r.mta.kinds().index("delete") < r.mta.kinds().index("add")
    assert r.out.fields["quarantine"] == "fake:id1" and r.out.fields["stripped"] == 1


def test_strip_failures_never_deliver_the_bad_part() -> None:
    r = Run(strip_verdict(), store=Store(fail=True), buf=buffer(STRIP_HEADERS, STRIP_BODY))
    assert (r.out.rc, r.out.action) == (TEMPFAIL, Action.TEMPFAIL) and "body" not in r.mta.kinds()
    single = (("From", b"a@b"), ("Content-Type", b"application/octet-stream"))
    r = Run(strip_verdict("<part 1>"), buf=buffer(single, b"MZevil\r\n"))
    assert (r.out.rc, r.out.action) == (DISCARD, Action.QUARANTINE) and r.store.stored
    r = Run(strip_verdict(), store=Store(mta_holds=True), buf=buffer(STRIP_HEADERS, STRIP_BODY))
    assert r.out.action == Action.QUARANTINE and "hold" in r.mta.kinds() and "body" not in r.mta.kinds()


def test_strip_without_attachment_evidence_tags() -> None:
    v = replace(strip_verdict(), findings=(Finding("crypto.lure.body", "crypto_theme", "<body 1>", score=20.0),))
    r = Run(v, buf=buffer(STRIP_HEADERS, STRIP_BODY))
    assert r.out.action == Action.TAG and not r.store.stored and "body" not in r.mta.kinds()


def test_tag_of_an_unchecked_message_prefixes_the_subject_by_default() -> None:
    """``action_unchecked = "tag"``: the reader sees the message was not fully read (subject_tag_verdicts)."""
    r = Run(verdict("unchecked", "tag", reason="incomplete"))
    assert r.mta.added("X-Coinguard-Verdict") == ["unchecked reason=incomplete"]
    assert ("change", "Subject", 1, "[SUSPICIOUS] Your wallet") in r.mta.ops
    off = Run(verdict("unchecked", "tag", reason="incomplete"),
              cfg=config(subject_tag_verdicts=("suspicious", "malicious")))
    assert [op for op in off.mta.ops if op[1:2] == ("Subject",)] == []
