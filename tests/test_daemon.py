"""The milter object through pymilter's TestCtx, with a fake pool and quarantine store."""

from __future__ import annotations

import concurrent.futures
import functools
import io
import logging
import socket
import threading
from dataclasses import replace

import Milter
import pytest
from Milter import testctx
from prometheus_client import CollectorRegistry

from coinguard import actions, daemon, systemd
from coinguard.config import Config
from coinguard.errors import QuarantineError, ScanTimeout
from coinguard.findings import Action, AttachmentInfo, Finding, Verdict, VerdictKind
from coinguard.metrics import make_metrics
from coinguard.pool import WorkerCrashed
from coinguard.runtime import Generation, Runtime, open_quarantine

MESSAGE = (
    b"From: Alice <alice@sender.test>\n"
    b"To: bob@rcpt.test\n"
    b"Subject: Your wallet\n"
    b"X-Coinguard-Verdict: clean score=0\n"
    b"Authentication-Results: mx.other.test; dkim=pass\n"
    b"Authentication-Results: gw.coinguard.test; dkim=pass header.d=spoof.test\n"
    b"Message-ID: <1@sender.test>\n"
    b"\n"
    b"Hello Bob,\nplease see attached.\n"
)


class Ctx(testctx.TestCtx):
    """TestCtx that records quarantine/chgheader/progress and sends header values the way
    Postfix does with SMFIP_HDR_LEADSPC (leading space kept)."""

    def __init__(self) -> None:
        super().__init__()
        self.quarantined: list[str] = []
        self.changes: list[tuple[str, int, str]] = []
        self.added: list[tuple[str, str, int]] = []
        self.progress_calls = 0

    def quarantine(self, reason):  # TestCtx raises NotImplemented
        self.quarantined.append(reason)

    def chgheader(self, field, idx, value):
        self.changes.append((field, idx, value))
        return super().chgheader(field, idx, value)

    def addheader(self, field, value, idx):
        self.added.append((field, value, idx))
        return super().addheader(field, value, idx)

    def progress(self):
        self.progress_calls += 1
        return super().progress()

    def _header(self, fld, val):
        raw = val.encode("ascii", "surrogateescape") if isinstance(val, str) else bytes(val)
        if self._protocol & Milter.P_HDR_LEADSPC:
            raw = b" " + raw
        return _as_mta_sees(self._priv.header_bytes(fld, raw))

    # TestCtx stops at any reply but CONTINUE; for the MTA a NOREPLY (SMFIP_NR_*) is one
    def _envfrom(self, *s):
        return _as_mta_sees(super()._envfrom(*s))

    def _envrcpt(self, s):
        return _as_mta_sees(super()._envrcpt(s))

    def _data(self):
        return _as_mta_sees(super()._data())

    def _feed_body(self, bfp):
        if self._protocol & Milter.P_NOBODY:
            return Milter.CONTINUE
        while chunk := bfp.read(8192):
            rc = _as_mta_sees(self._priv.body(chunk))
            if rc != Milter.CONTINUE:
                return rc
        return Milter.CONTINUE

    def _connect(self, host="localhost", helo="spamrelay", ip="1.2.3.4"):
        self._negotiate()
        rc = _as_mta_sees(Milter.connect_callback(self, host, socket.AF_INET, ip))
        return rc if rc != Milter.CONTINUE else _as_mta_sees(self._priv.hello(helo))


def _as_mta_sees(rc: int) -> int:
    return Milter.CONTINUE if rc == Milter.NOREPLY else rc


class FakePool:
    """Calls ``decide(raw, envelope)`` on submit; ``delay`` seconds later in a thread if set."""

    def __init__(self, decide, delay: float = 0.0) -> None:
        self.decide = decide
        self.delay = delay
        self.calls: list[tuple[bytes | str, object]] = []
        self.raw: list[bytes] = []

    def submit(self, raw, envelope):
        self.calls.append((raw, envelope))
        if isinstance(raw, str):
            with open(raw, "rb") as f:
                self.raw.append(f.read())
        else:
            self.raw.append(raw)
        fut: concurrent.futures.Future[Verdict] = concurrent.futures.Future()

        def finish() -> None:
            try:
                fut.set_result(self.decide(raw, envelope))
            except BaseException as exc:
                fut.set_exception(exc)

        if self.delay:
            threading.Timer(self.delay, finish).start()
        else:
            finish()
        return fut

    def close(self, timeout=None):
        return True


class FakeStore:
    """A store that keeps messages itself (``mta_holds=True``: one that leaves them to the MTA)."""

    backend = "fake"

    def __init__(self, fail: bool = False, mta_holds: bool = False) -> None:
        self.fail = fail
        self.mta_holds = mta_holds
        self.stored: list[tuple[bytes, Verdict]] = []
        self.closed = False

    def close(self):
        self.closed = True

    def put(self, raw, verdict):
        if self.fail:
            raise QuarantineError("disk full")
        self.stored.append((raw, verdict))
        return f"q{len(self.stored)}"


def verdict(kind: str = "clean", action: str = "accept", score: float = 0.0, codes=(), **kw) -> Verdict:
    return Verdict(
        id="QID1", verdict=VerdictKind(kind), action=Action(action), score=score,
        findings=tuple(Finding(c, "test", "a.doc", "x", score=10.0) for c in codes), **kw,
    )


def config(**sections) -> Config:
    cfg = Config()
    changes = {name: replace(getattr(cfg, name), **values) for name, values in sections.items()}
    cfg = replace(cfg, **changes)
    return replace(cfg, dkim=replace(cfg.dkim, authserv_id="gw.coinguard.test")) if "dkim" not in sections else cfg


class Harness:
    def __init__(self, decide, cfg: Config | None = None, store: FakeStore | None = None, delay: float = 0.0):
        self.cfg = cfg or config()
        self.pool = FakePool(decide, delay)
        self.store = store
        self.metrics = make_metrics(CollectorRegistry())
        gen = Generation(1, self.cfg, self.pool)
        # without a fake store, the real one [quarantine] names (hold: no files, no commands to put)
        self.runtime = Runtime(gen, self.metrics,
                               store_factory=open_quarantine if store is None else lambda cfg: store)
        Milter.factory = functools.partial(daemon.CoinguardMilter, self.runtime)
        self.ctx = Ctx()
        self.ctx._setsymval("i", "QID1")
        assert self.ctx._connect(helo="client.test", ip="192.0.2.7") == Milter.CONTINUE

    def feed(self, message: bytes = MESSAGE, sender: str = "alice@sender.test", *rcpts: str) -> int:
        rcpts = rcpts or ("bob@rcpt.test",)
        return self.ctx._feedFile(io.BytesIO(message), sender, *rcpts)

    def header(self, name: str) -> list[str]:
        return [v.strip() for v in self.ctx._msg.get_all(name, [])]

    def count(self, name: str, **labels) -> float:
        return self.metrics.registry.get_sample_value(name, labels) or 0.0


@pytest.fixture(autouse=True)
def _restore_factory():
    saved = Milter.factory
    yield
    Milter.factory = saved


def test_clean_message_is_accepted_with_verdict_header_and_envelope_reaches_the_scan():
    h = Harness(lambda raw, env: verdict())
    assert h.feed(MESSAGE, "alice@sender.test", "bob@rcpt.test", "carol@rcpt.test") == Milter.ACCEPT
    raw, env = h.pool.calls[0]
    assert env.queue_id == "QID1" and env.sender == "alice@sender.test"
    assert env.rcpts == ("bob@rcpt.test", "carol@rcpt.test")
    assert env.client_addr == "192.0.2.7" and env.helo == "client.test"
    assert isinstance(raw, bytes) and raw.startswith(b"From: Alice <alice@sender.test>\r\nTo: bob@rcpt.test\r\n")
    assert raw.endswith(b"\r\n\r\nHello Bob,\nplease see attached.\n")
    assert h.header("X-Coinguard-Verdict") == ["clean score=0"]
    assert h.header("X-Coinguard-Findings") == []
    assert h.header("Subject") == ["Your wallet"]
    assert h.count("coinguard_messages_total", verdict="clean", action="accept") == 1


def test_spoofed_headers_removed_by_index_other_authserv_kept():
    h = Harness(lambda raw, env: verdict())
    h.feed()
    assert ("X-Coinguard-Verdict", 1, "") in h.ctx.changes
    # only the second Authentication-Results claims our authserv-id
    assert ("Authentication-Results", 2, "") in h.ctx.changes
    assert ("Authentication-Results", 1, "") not in h.ctx.changes


def test_spoofed_headers_deleted_highest_index_first():
    msg = b"X-Coinguard-Findings: a\nX-Coinguard-Findings: b\nX-Coinguard-Findings: c\nSubject: s\n\nbody\n"
    h = Harness(lambda raw, env: verdict())
    h.feed(msg)
    assert [c for c in h.ctx.changes if c[0] == "X-Coinguard-Findings"] == [
        ("X-Coinguard-Findings", 3, ""), ("X-Coinguard-Findings", 2, ""), ("X-Coinguard-Findings", 1, "")]


def test_tag_adds_findings_and_subject_prefix():
    h = Harness(lambda raw, env: verdict("suspicious", "tag", 7, codes=("office.vba.autoexec", "lure.wallet")))
    assert h.feed() == Milter.ACCEPT
    assert h.header("X-Coinguard-Verdict") == ["suspicious score=7"]
    assert h.header("X-Coinguard-Findings") == ["lure.wallet=10, office.vba.autoexec=10"]
    assert ("Subject", 1, " [SUSPICIOUS] Your wallet") in h.ctx.changes  # leading space: SMFIP_HDR_LEADSPC
    assert h.count("coinguard_findings_total", code="lure.wallet") == 1


def test_clean_untagged_when_tag_clean_off():
    h = Harness(lambda raw, env: verdict(), cfg=config(policy={"tag_clean": False}))
    assert h.feed() == Milter.ACCEPT
    assert h.header("X-Coinguard-Verdict") == []


def test_headers_requested_by_analyzers_are_added_on_top():
    ar = "gw.coinguard.test; dkim=fail header.d=binance.com"
    h = Harness(lambda raw, env: verdict(headers=(("Authentication-Results", ar),)))
    h.feed()
    assert ("Authentication-Results", " " + ar, 0) in h.ctx.added


def test_quarantine_hold_calls_milter_quarantine_and_accepts():
    h = Harness(lambda raw, env: verdict("malicious", "quarantine", 42, codes=("yara.eicar",)),
                cfg=config(quarantine={"backend": "hold"}))
    assert h.feed() == Milter.ACCEPT
    assert len(h.ctx.quarantined) == 1 and "malicious" in h.ctx.quarantined[0]
    assert h.header("X-Coinguard-Verdict") == ["malicious score=42"]
    assert h.count("coinguard_quarantine_messages_total") == 1
    assert h.count("coinguard_messages_total", verdict="malicious", action="quarantine") == 1


def test_quarantine_dir_stores_exact_raw_message_then_discards():
    store = FakeStore()
    h = Harness(lambda raw, env: verdict("malicious", "quarantine", 42, codes=("yara.eicar",)),
                cfg=config(quarantine={"backend": "dir"}), store=store)
    assert h.feed() == Milter.DISCARD
    raw, v = store.stored[0]
    assert raw == h.pool.raw[0]
    assert b"\r\nX-Coinguard-Verdict: clean score=0\r\n" in raw  # stored as received, untouched
    assert v.verdict == VerdictKind.MALICIOUS
    assert h.ctx.quarantined == []


def test_the_store_not_the_backend_name_decides_who_holds_the_message():
    held = FakeStore(mta_holds=True)  # a store the MTA holds for, under a config that says "dir"
    h = Harness(lambda raw, env: verdict("malicious", "quarantine", 42, codes=("yara.eicar",)),
                cfg=config(quarantine={"backend": "dir"}), store=held)
    assert h.feed() == Milter.ACCEPT
    assert held.stored == [] and len(h.ctx.quarantined) == 1


def test_store_opened_once_per_generation_and_closed_when_it_retires():
    opened: list[FakeStore] = []

    def factory(cfg):
        opened.append(FakeStore())
        return opened[-1]

    h = Harness(lambda raw, env: verdict("malicious", "quarantine", 42), cfg=config(quarantine={"backend": "dir"}))
    h.runtime.store_factory = factory
    h.feed()
    h.feed()
    assert len(opened) == 1 and len(opened[0].stored) == 2
    retired = threading.Event()
    h.pool.close = lambda timeout=None: retired.set() or True
    h.runtime.swap(Generation(2, h.cfg, FakePool(lambda raw, env: verdict())))
    assert retired.wait(5)
    h.runtime.shutdown(5)
    assert opened[0].closed


def test_quarantine_write_failure_tempfails():
    h = Harness(lambda raw, env: verdict("malicious", "quarantine", 42), cfg=config(quarantine={"backend": "dir"}),
                store=FakeStore(fail=True))
    assert h.feed() == Milter.TEMPFAIL
    assert h.ctx._reply[:2] == ("451", "4.7.1")
    assert h.count("coinguard_errors_total", stage="quarantine") == 1


def test_reject_uses_configured_reply():
    h = Harness(lambda raw, env: verdict("malicious", "reject", 42),
                cfg=config(milter={"reject_reply": "554 5.7.0 Nope, 100% bad"}))
    assert h.feed() == Milter.REJECT
    assert h.ctx._reply == ("554", "5.7.0", "Nope, 100%% bad")


def test_oversized_message_gets_the_oversize_reply():
    from coinguard.scan import ScanContext, scan_message

    cfg = config(scan={"max_message_bytes": 50})
    h = Harness(lambda raw, env: scan_message(raw, ScanContext(config=cfg, envelope=env)), cfg=cfg)
    assert h.feed() == Milter.REJECT
    assert h.ctx._reply[:2] == ("552", "5.3.4")


def _raise(exc):
    def decide(raw, env):
        raise exc
    return decide


@pytest.mark.parametrize(("exc", "stage", "reason"), [
    (RuntimeError("boom"), "scan", "error"),
    (ScanTimeout("too slow"), "timeout", "timeout"),
    (WorkerCrashed("died"), "worker", "error"),
    # a TimeoutError the scan raised (a socket's) is its error, not the wait for it running out
    (TimeoutError("timed out"), "scan", "error"),
])
def test_scan_failure_tempfails_by_default(exc, stage, reason, caplog):
    h = Harness(_raise(exc))
    with caplog.at_level(logging.INFO, logger="coinguard.daemon"):
        assert h.feed() == Milter.TEMPFAIL
    assert h.ctx._reply == ("451", "4.7.1", "Message could not be scanned, please try again later")
    assert h.count("coinguard_errors_total", stage=stage) == 1
    assert h.count("coinguard_messages_total", verdict="unchecked", action="tempfail") == 1
    summary = [r.getMessage() for r in caplog.records if r.getMessage().startswith("qid=")][-1]
    assert f"reason={reason}" in summary and "action=tempfail" in summary


def test_scan_failure_with_fail_mode_accept_is_tagged_unchecked_never_clean():
    h = Harness(_raise(ScanTimeout("slow")), cfg=config(milter={"fail_mode": "accept"}))
    assert h.feed() == Milter.ACCEPT
    assert h.header("X-Coinguard-Verdict") == ["unchecked reason=timeout"]
    assert h.count("coinguard_messages_total", verdict="unchecked", action="tag") == 1


def test_the_mta_is_told_not_to_wait_for_the_callbacks_that_only_collect():
    """Postfix offers every SMFIP_* step bit; we ask for no reply to connect/helo/mail/rcpt/data/header/body,
    no eoh and no unknown event at all, header values with their leading space, and keep eom's reply."""
    h = Harness(lambda raw, env: verdict())
    proto = h.ctx._protocol
    for bit in (Milter.P_NR_CONN, Milter.P_NR_HELO, Milter.P_NR_MAIL, Milter.P_NR_RCPT, Milter.P_NR_DATA,
                Milter.P_NR_HDR, Milter.P_NR_BODY, Milter.P_NOEOH, Milter.P_NOUNKNOWN, Milter.P_HDR_LEADSPC):
        assert proto & bit, hex(bit)
    for bit in (Milter.P_NOCONNECT, Milter.P_NOHELO, Milter.P_NOMAIL, Milter.P_NORCPT, Milter.P_NODATA,
                Milter.P_NOHDRS, Milter.P_NOBODY, Milter.P_RCPT_REJ):
        assert not proto & bit, hex(bit)
    m = h.ctx._priv
    assert m.envfrom("<a@x.test>") == Milter.NOREPLY
    assert m.envrcpt("<b@x.test>") == Milter.NOREPLY
    assert m.data() == Milter.NOREPLY
    assert m.header_bytes("Subject", b" hi") == Milter.NOREPLY
    assert m.body(b"text\r\n") == Milter.NOREPLY
    assert h.feed() == Milter.ACCEPT


@pytest.mark.parametrize("stage", ["header", "body"])
def test_a_collecting_callback_that_fails_tempfails_the_message_at_eom_unscanned(stage, monkeypatch, caplog):
    """Without a reply to each header/body chunk the failure cannot be answered there: the message must not
    be scanned short of what arrived (a clean verdict for unread bytes), it is tempfailed at eom instead."""
    from coinguard.buffer import MessageBuffer

    def broken(self, *args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(MessageBuffer, "add_header" if stage == "header" else "add_body", broken)
    h = Harness(lambda raw, env: verdict())
    with caplog.at_level(logging.INFO, logger="coinguard.daemon"):
        assert h.feed() == Milter.TEMPFAIL
    assert h.pool.calls == []
    assert h.count("coinguard_messages_total", verdict="unchecked", action="tempfail") == 1
    assert any(f"in {stage}" in r.getMessage() for r in caplog.records)
    monkeypatch.undo()
    h.ctx._setsymval("i", "QID2")
    assert h.feed() == Milter.ACCEPT  # the next message on the connection starts clean


def test_keepalive_progress_while_waiting():
    h = Harness(lambda raw, env: verdict(), cfg=config(milter={"keepalive_s": 0.05}), delay=0.4)
    assert h.feed() == Milter.ACCEPT
    assert h.ctx.progress_calls >= 3


def test_dry_run_tags_instead_of_quarantining():
    h = Harness(lambda raw, env: verdict("malicious", "quarantine", 42, codes=("yara.eicar",), dry_run=True),
                cfg=config(quarantine={"backend": "hold"}))
    assert h.feed() == Milter.ACCEPT
    assert h.ctx.quarantined == []
    assert h.header("X-Coinguard-Verdict") == ["malicious score=42 dry-run=quarantine"]


def test_dry_run_never_rejects():
    h = Harness(lambda raw, env: verdict("malicious", "reject", 42, dry_run=True))
    assert h.feed() == Milter.ACCEPT
    assert h.ctx._reply is None


def test_big_message_goes_to_the_scanner_as_a_file(tmp_path):
    body = b"A" * 5000 + b"\n"
    h = Harness(lambda raw, env: verdict(), cfg=config(milter={"spool_threshold_bytes": 1024}))
    assert h.feed(b"Subject: big\n\n" + body) == Milter.ACCEPT
    raw, _env = h.pool.calls[0]
    assert isinstance(raw, str)
    assert h.pool.raw[0] == b"Subject: big\r\n\r\n" + body
    import os
    assert not os.path.exists(raw)  # removed after the message


def test_one_log_line_per_message_queue_id_first_no_body(caplog):
    h = Harness(lambda raw, env: verdict("suspicious", "tag", 6, codes=("x.y",)))
    with caplog.at_level(logging.INFO, logger="coinguard.daemon"):
        h.feed()
    lines = [r for r in caplog.records if r.getMessage().startswith("qid=")]
    assert len(lines) == 1
    msg = lines[0].getMessage()
    assert msg.startswith("qid=QID1 from=alice@sender.test rcpts=1 verdict=suspicious action=tag score=6 codes=x.y ms=")
    assert "Hello Bob" not in msg
    assert lines[0].fields["verdict"] == "suspicious"
    assert lines[0].fields["removed_headers"] == 2


def test_state_resets_between_messages_on_one_connection():
    seen = []
    h = Harness(lambda raw, env: (seen.append((raw, env.rcpts)), verdict())[1])
    h.feed(b"Subject: one\n\nfirst\n", "a@x.test", "r1@x.test")
    h.ctx._setsymval("i", "QID2")
    h.feed(b"Subject: two\n\nsecond\n", "b@x.test", "r2@x.test")
    assert seen[1][1] == ("r2@x.test",)
    assert b"first" not in seen[1][0] and seen[1][0].startswith(b"Subject: two\r\n")
    assert h.pool.calls[1][1].queue_id == "QID2"


def test_attachment_types_counted():
    v = verdict(attachments=(AttachmentInfo("a.zip", "zip", 10, "0" * 64),
                             AttachmentInfo("a.zip/b.lnk", "lnk", 5, "1" * 64)))
    h = Harness(lambda raw, env: v)
    h.feed()
    assert h.count("coinguard_attachments_total", type="zip") == 1
    assert h.count("coinguard_attachments_total", type="lnk") == 1


@pytest.mark.parametrize(("reply", "parsed"), [
    ("451 4.7.1 try later", ("451", "4.7.1", "try later")),
    ("550 no enhanced code", ("550", None, "no enhanced code")),
])
def test_parse_reply(reply, parsed):
    assert actions.parse_reply(reply) == parsed


def test_parse_reply_refuses_2xx():
    with pytest.raises(ValueError):
        actions.parse_reply("250 ok")


def test_reload_failure_keeps_old_generation_and_counts():
    h = Harness(lambda raw, env: verdict())

    def broken(number):
        from coinguard.errors import RulesError
        raise RulesError("bad rules", [("rules/bad.yar", 3, "syntax error")])

    h.runtime.reloader = broken
    old = h.runtime.generation
    assert h.runtime.reload() is False
    assert h.runtime.generation is old
    assert h.count("coinguard_rules_reload_total", result="error") == 1


def test_reload_success_swaps_generation_and_drains_old():
    h = Harness(lambda raw, env: verdict())
    closed = threading.Event()
    h.pool.close = lambda timeout=None: closed.set() or True
    new_pool = FakePool(lambda raw, env: verdict("suspicious", "tag", 5))
    h.runtime.reloader = lambda number: Generation(number, h.cfg, new_pool, rules_count=7)
    assert h.runtime.reload() is True
    assert h.runtime.generation.number == 2
    assert closed.wait(5)
    assert h.count("coinguard_rules_loaded") == 7
    h.feed()
    assert new_pool.calls and h.header("X-Coinguard-Verdict") == ["suspicious score=5"]


def test_sd_notify_sends_datagram(tmp_path, monkeypatch):
    import socket

    path = str(tmp_path / "notify")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    srv.bind(path)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    try:
        assert systemd.sd_notify("READY=1")
        assert srv.recv(100) == b"READY=1"
    finally:
        srv.close()
    monkeypatch.delenv("NOTIFY_SOCKET")
    assert systemd.sd_notify("READY=1") is False


def test_watchdog_period(monkeypatch):
    import os

    monkeypatch.setenv("WATCHDOG_USEC", "4000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert systemd.watchdog_period() == 4.0
    monkeypatch.setenv("WATCHDOG_PID", "1")
    assert systemd.watchdog_period() is None


def test_canary_timeout_queues_behind_a_stuck_scan_but_fits_the_watchdog_period():
    assert daemon.canary_timeout(180.0, 60.0) == 75.0  # the unit's WatchdogSec with the default scan timeout
    assert daemon.canary_timeout(60.0, 60.0) == 36.0  # a short WatchdogSec caps it (and run() warns)


def test_extension_check_names_the_c_module():
    assert daemon.check_milter_extension().endswith(".so")


def test_undecodable_envelope_bytes_do_not_reach_logs_as_surrogates():
    h = Harness(lambda raw, env: verdict())
    assert h.ctx._connect() == Milter.CONTINUE
    h.feed(MESSAGE, "caf\udce9@sender.test")
    assert h.pool.calls[-1][1].sender == "caf\ufffd@sender.test"


def test_strip_replaces_the_body_through_libmilter():
    msg = (b"From: a@sender.test\nSubject: s\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=BB\n\n"
           b"--BB\nContent-Type: text/plain\n\nHello\n--BB\nContent-Type: application/octet-stream\n"
           b"Content-Disposition: attachment; filename=evil.exe\n\nMZevil\n--BB--\n")
    store = FakeStore()
    bad = Verdict(id="QID1", verdict=VerdictKind.MALICIOUS, action=Action.STRIP, score=20.0,
                  findings=(Finding("file.executable", "filetype", "evil.exe", score=20.0),))
    h = Harness(lambda raw, env: bad, store=store)
    assert h.feed(msg) == Milter.ACCEPT
    assert h.ctx._bodyreplaced and store.stored and b"MZevil" in store.stored[0][0]
    body = h.ctx._body.getvalue()
    assert b"MZevil" not in body and b"Hello" in body and b"q1" in body
    assert h.header("X-Coinguard-Stripped") == ["1 part(s); quarantine id q1"]


def test_metrics_children_kept_count_every_message_and_fold_odd_codes():
    h = Harness(lambda raw, env: verdict("suspicious", "tag", 7, codes=("lure.wallet", "bad code!")))
    for _ in range(3):
        assert h.feed() == Milter.ACCEPT
    assert h.count("coinguard_messages_total", verdict="suspicious", action="tag") == 3
    assert h.count("coinguard_findings_total", code="lure.wallet") == 3
    assert h.count("coinguard_findings_total", code="other") == 3  # folded, as before the children were kept


def test_buffer_header_block_rebuilt_after_a_new_header_or_spacing():
    from coinguard.buffer import MessageBuffer

    buf = MessageBuffer(1 << 20)
    buf.add_header("Subject", b"one")
    assert buf.header_bytes() == b"Subject: one\r\n"
    buf.add_header("To", b"b@x.test")
    assert buf.header_bytes() == b"Subject: one\r\nTo: b@x.test\r\n"
    buf.leading_space = True
    assert buf.header_bytes() == b"Subject:one\r\nTo:b@x.test\r\n"
    buf.add_body(b"hi\r\n")
    assert buf.raw_bytes() == b"Subject:one\r\nTo:b@x.test\r\n\r\nhi\r\n"
