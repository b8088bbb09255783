"""The directory quarantine store: atomic writes, permissions, listing, release, audit.

Release goes through real subprocesses (a sendmail stand-in script written here that
records argv and stdin) and a real SMTP sink (aiosmtpd on loopback); bytes are compared
exactly.  The hold back end against a real Postfix is in tests/integration/.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coinguard import quarantine as q
from coinguard.config import QuarantineConfig
from coinguard.errors import QuarantineError
from coinguard.findings import Action, AttachmentInfo, Finding, Verdict, VerdictKind
from coinguard.quarantine import base as qbase
from coinguard.quarantine import dir as qdir
from coinguard.quarantine import model as qmodel

from helpers import free_port, make_message

RAW = (
    b"From: Alice <alice@ex.test>\r\nTo: bob@ex.test\r\nSubject: wallet update\r\n"
    b"Message-ID: <q1@ex.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n"
    b"line one\r\n.a line starting with a dot\r\n\r\n\xc3\xa9 8-bit\r\nend\r\n"
)


def verdict(*, sender: str = "alice@ex.test", rcpts: tuple[str, ...] = ("bob@ex.test",),
            kind: VerdictKind = VerdictKind.MALICIOUS, codes: tuple[str, ...] = ("office.vba.autoexec",),
            subject: str = "wallet update", score: float = 42.0) -> Verdict:
    return Verdict(
        id="4F1A2B3C4D", verdict=kind, action=Action.QUARANTINE, score=score,
        findings=tuple(Finding(c, c.split(".")[0], "invoice.zip/invoice.docm", "AutoOpen + Shell", 10.0)
                       for c in codes),
        attachments=(AttachmentInfo("invoice.zip", "zip", 1000, "a" * 64),
                     AttachmentInfo("invoice.zip/invoice.docm", "ooxml.word", 5000, "b" * 64)),
        message_id="<q1@ex.test>", sender=sender, rcpt=rcpts, subject=subject,
    )


def qcfg(tmp_path: Path, **kw: object) -> QuarantineConfig:
    return QuarantineConfig(**{"backend": "dir", "path": str(tmp_path / "quarantine"),
                               "release_method": "sendmail", **kw})


@pytest.fixture
def store(tmp_path: Path) -> q.DirStore:
    s = q.open_store(qcfg(tmp_path))
    assert isinstance(s, q.DirStore)
    return s


def audit_lines(s: q.QuarantineStore) -> list[dict]:
    return [json.loads(line) for line in s.audit.path.read_text().splitlines()]


def fake_sendmail(tmp_path: Path, exit_code: int = 0) -> tuple[Path, Path]:
    """A sendmail stand-in: records its argv and the exact stdin bytes, exits with ``exit_code``."""
    rec = tmp_path / "sendmail-record"
    rec.mkdir(exist_ok=True)
    script = tmp_path / "sendmail"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"open({str(rec / 'argv.json')!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
        f"open({str(rec / 'stdin')!r}, 'wb').write(sys.stdin.buffer.read())\n"
        + ("sys.stderr.write('sendmail: fatal: queue file write error\\n')\n" if exit_code else "")
        + f"sys.exit({exit_code})\n"
    )
    script.chmod(0o755)
    return script, rec


def ids_at(monkeypatch: pytest.MonkeyPatch, *times: datetime) -> None:
    it = iter(times)
    monkeypatch.setattr(qdir, "new_id", lambda now=None: f"{next(it).strftime(qmodel._ID_TIME)}-{os.urandom(6).hex()}")


# --------------------------------------------------------------------------- put


def test_put_writes_exact_bytes_and_verdict_owner_only(store: q.DirStore) -> None:
    qid = store.put(RAW, verdict())
    assert q.ID_RE.match(qid)
    eml, side = store.root / f"{qid}.eml", store.root / f"{qid}.json"
    assert eml.read_bytes() == RAW
    meta = json.loads(side.read_text())
    assert meta["sender"] == "alice@ex.test" and meta["rcpts"] == ["bob@ex.test"]
    assert meta["verdict"]["verdict"] == "malicious" and meta["verdict"]["findings"][0]["code"] == "office.vba.autoexec"
    assert meta["queue_id"] == "4F1A2B3C4D" and meta["size"] == len(RAW)
    assert stat.S_IMODE(store.root.stat().st_mode) == 0o700
    assert stat.S_IMODE(eml.stat().st_mode) == 0o600
    assert stat.S_IMODE(side.stat().st_mode) == 0o600
    assert sorted(p.name for p in store.root.iterdir()) == sorted([eml.name, side.name])  # no temp files left


def test_put_id_never_comes_from_message(store: q.DirStore) -> None:
    hostile = verdict(subject="../../etc/passwd", sender="-rf@x")
    qid = store.put(b"Subject: ../../etc/passwd\r\n\r\nx\r\n", hostile)
    assert q.ID_RE.match(qid) and "etc" not in qid
    assert all(p.parent == store.root for p in store.root.iterdir())


def test_put_tightens_an_existing_open_folder(tmp_path: Path) -> None:
    root = tmp_path / "quarantine"
    root.mkdir(mode=0o755)
    root.chmod(0o755)
    q.open_store(qcfg(tmp_path)).put(RAW, verdict())
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


def test_put_failure_raises_and_leaves_nothing(store: q.DirStore, monkeypatch: pytest.MonkeyPatch) -> None:
    real_rename = os.rename
    calls = []

    def flaky_rename(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == 2:  # the message rename fails after the sidecar landed
            raise OSError(28, "No space left on device")
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", flaky_rename)
    with pytest.raises(QuarantineError, match="No space left"):
        store.put(RAW, verdict())
    assert list(store.root.iterdir()) == []


def test_put_into_unusable_path_raises(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    s = q.open_store(QuarantineConfig(backend="dir", path=str(blocker / "quarantine")))
    with pytest.raises(QuarantineError, match="quarantine folder"):
        s.put(RAW, verdict())


# --------------------------------------------------------------------------- list / show


def test_list_newest_first_with_filters(store: q.DirStore, monkeypatch: pytest.MonkeyPatch) -> None:
    t0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    ids_at(monkeypatch, t0, t0 + timedelta(days=1), t0 + timedelta(days=2))
    a = store.put(RAW, verdict(sender="alice@ex.test", rcpts=("bob@ex.test",), codes=("office.vba.autoexec",)))
    b = store.put(RAW, verdict(sender="mallory@evil.test", rcpts=("carol@ex.test", "dave@ex.test"),
                               codes=("rtf.equation_editor",)))
    c = store.put(RAW, verdict(sender="ALICE@ex.test", kind=VerdictKind.SUSPICIOUS, score=6,
                               codes=("archive.encrypted",)))
    assert [e.id for e in store.list()] == [c, b, a]
    assert [e.id for e in store.list(q.Filters(sender="alice@"))] == [c, a]
    assert [e.id for e in store.list(q.Filters(recipient="DAVE"))] == [b]
    assert [e.id for e in store.list(q.Filters(verdict="suspicious"))] == [c]
    assert [e.id for e in store.list(q.Filters(code="rtf.equation_editor"))] == [b]
    assert [e.id for e in store.list(q.Filters(code="office"))] == [a]  # prefix match on a dot boundary
    assert store.list(q.Filters(code="offi")) == []
    assert [e.id for e in store.list(q.Filters(since=t0 + timedelta(hours=12)))] == [c, b]
    assert [e.id for e in store.list(q.Filters(until=t0 + timedelta(hours=12)))] == [a]
    assert [e.id for e in store.list(q.Filters(limit=2))] == [c, b]
    e = store.list(q.Filters(sender="mallory"))[0]
    assert e.rcpts == ("carol@ex.test", "dave@ex.test") and e.score == 42.0 and e.verdict == "malicious"
    assert e.received == t0 + timedelta(days=1) and e.size == len(RAW) and e.subject == "wallet update"


def test_list_of_missing_folder_is_empty(tmp_path: Path) -> None:
    assert q.open_store(qcfg(tmp_path)).list() == []


def test_show_gives_verdict_headers_and_attachment_tree(store: q.DirStore) -> None:
    qid = store.put(RAW, verdict())
    d = store.show(qid)
    assert d.raw == RAW
    assert ("Subject", "wallet update") in d.headers
    assert d.verdict is not None and d.verdict["score"] == 42.0
    assert d.attachments_source == "verdict"
    assert [a["path"] for a in d.attachments] == ["invoice.zip", "invoice.zip/invoice.docm"]
    assert d.to_json()["id"] == qid


def test_corrupt_and_missing_sidecars_are_reported_not_fatal(store: q.DirStore) -> None:
    good = store.put(RAW, verdict())
    corrupt = store.put(RAW, verdict())
    missing = store.put(RAW, verdict())
    orphan = store.put(RAW, verdict())
    (store.root / f"{corrupt}.json").write_bytes(b"{not json")
    (store.root / f"{missing}.json").unlink()
    (store.root / f"{orphan}.eml").unlink()
    (store.root / "notes.txt").write_text("ignored")
    by_id = {e.id: e for e in store.list()}
    assert set(by_id) == {good, corrupt, missing, orphan}
    assert by_id[good].problem == ""
    assert by_id[corrupt].problem.startswith("verdict sidecar corrupt")
    assert by_id[missing].problem == "verdict sidecar missing"
    assert by_id[orphan].problem.startswith("message file missing")
    # show still works from the message itself, attachments from the MIME parts
    d = store.show(corrupt)
    assert d.verdict is None and d.attachments_source == "mime" and d.raw == RAW
    with pytest.raises(q.QuarantineNotFound):
        store.show(orphan)


def test_show_without_verdict_lists_mime_parts_with_hashes(store: q.DirStore) -> None:
    import hashlib

    payload = b"MZ\x90\x00" + b"\x00" * 60
    raw = make_message(attachments=[("wallet.pdf.exe", payload)])
    qid = store.put(raw, verdict())
    (store.root / f"{qid}.json").unlink()
    d = store.show(qid)
    att = [a for a in d.attachments if a["path"] == "wallet.pdf.exe"]
    assert att and att[0]["sha256"] == hashlib.sha256(payload).hexdigest() and att[0]["size"] == len(payload)


@pytest.mark.parametrize("bad", ["../x", "-rf", "ALL", "", "20261125T134140123456Z-9f3ac2d1e0b7/../../x",
                                 "20261125T134140123456Z-9F3AC2D1E0B7", "a" * 300, "x\n"])
def test_ids_are_validated_before_any_file_or_command(store: q.DirStore, tmp_path: Path, bad: str) -> None:
    script, rec = fake_sendmail(tmp_path)
    s = q.open_store(qcfg(tmp_path, sendmail_path=str(script)))
    for op in (s.show, s.release, s.delete):
        with pytest.raises(q.QuarantineNotFound, match="not a quarantine ID"):
            op(bad)
    assert not (rec / "argv.json").exists()


# --------------------------------------------------------------------------- release


def test_release_through_sendmail_passes_exact_bytes_and_envelope(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUDO_USER", "night-admin")
    script, rec = fake_sendmail(tmp_path)
    s = q.open_store(qcfg(tmp_path, sendmail_path=str(script), postfix_config_dir="/etc/postfix-in"))
    qid = s.put(RAW, verdict(sender="-oops@ex.test", rcpts=("bob@ex.test", "carol@ex.test")))
    done = s.release(qid)
    assert json.loads((rec / "argv.json").read_text()) == [
        "-C", "/etc/postfix-in", "-G", "-i", "-f", "-oops@ex.test", "--", "bob@ex.test", "carol@ex.test"]
    assert (rec / "stdin").read_bytes() == RAW
    assert done.kept is False and done.rcpts == ("bob@ex.test", "carol@ex.test") and done.method == "sendmail"
    assert s.list() == []  # released mail leaves the quarantine
    (line,) = audit_lines(s)
    assert line["action"] == "release" and line["id"] == qid and line["result"] == "ok"
    assert line["who"] == "night-admin" and line["uid"] == os.getuid()
    assert line["target"] == ["bob@ex.test", "carol@ex.test"] and line["method"] == "sendmail"
    assert datetime.fromisoformat(line["when"]) <= datetime.now(UTC)
    assert stat.S_IMODE(s.audit.path.stat().st_mode) == 0o600


def test_release_to_another_address_keeps_the_message(tmp_path: Path) -> None:
    script, rec = fake_sendmail(tmp_path)
    s = q.open_store(qcfg(tmp_path, sendmail_path=str(script)))
    qid = s.put(RAW, verdict())
    done = s.release(qid, to="analyst@ex.test")
    assert json.loads((rec / "argv.json").read_text())[-2:] == ["--", "analyst@ex.test"]
    assert (rec / "stdin").read_bytes() == RAW
    assert done.kept and [e.id for e in s.list()] == [qid]
    assert audit_lines(s)[0]["target"] == ["analyst@ex.test"]


def test_failed_sendmail_keeps_message_and_audits_error(tmp_path: Path) -> None:
    script, _rec = fake_sendmail(tmp_path, exit_code=75)
    s = q.open_store(qcfg(tmp_path, sendmail_path=str(script)))
    qid = s.put(RAW, verdict())
    with pytest.raises(QuarantineError, match="exited 75: sendmail: fatal: queue file write error"):
        s.release(qid)
    assert [e.id for e in s.list()] == [qid]
    (line,) = audit_lines(s)
    assert line["action"] == "release" and line["result"].startswith("error: ")


def test_release_refuses_changed_message_and_unknown_envelope(tmp_path: Path) -> None:
    script, rec = fake_sendmail(tmp_path)
    s = q.open_store(qcfg(tmp_path, sendmail_path=str(script)))
    changed = s.put(RAW, verdict())
    (s.root / f"{changed}.eml").write_bytes(RAW + b"tampered\r\n")
    with pytest.raises(QuarantineError, match="sha256 mismatch"):
        s.release(changed)
    nosidecar = s.put(RAW, verdict())
    (s.root / f"{nosidecar}.json").unlink()
    with pytest.raises(QuarantineError, match="use --to"):
        s.release(nosidecar)
    assert not (rec / "argv.json").exists()
    s.release(nosidecar, to="postmaster@ex.test")  # an explicit target still works, null sender
    assert json.loads((rec / "argv.json").read_text()) == ["-G", "-i", "-f", "", "--", "postmaster@ex.test"]


def test_release_rejects_addresses_with_controls(tmp_path: Path) -> None:
    script, rec = fake_sendmail(tmp_path)
    s = q.open_store(qcfg(tmp_path, sendmail_path=str(script)))
    qid = s.put(RAW, verdict())
    with pytest.raises(QuarantineError, match="refusing recipient"):
        s.release(qid, to="a@b.test\nRCPT TO:<x@y>")
    assert not (rec / "argv.json").exists()


def test_release_missing_sendmail_is_an_error(tmp_path: Path) -> None:
    s = q.open_store(qcfg(tmp_path, sendmail_path=str(tmp_path / "nope")))
    qid = s.put(RAW, verdict())
    with pytest.raises(QuarantineError, match="not found"):
        s.release(qid)


class _Sink:
    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))  # type: ignore[attr-defined]
        return "250 2.0.0 Ok: queued"


@pytest.fixture
def smtp_sink() -> object:
    from aiosmtpd.controller import Controller

    handler = _Sink()
    port = free_port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        yield handler, port
    finally:
        ctl.stop()


def test_release_over_smtp_delivers_exact_bytes(tmp_path: Path, smtp_sink: tuple[_Sink, int]) -> None:
    handler, port = smtp_sink
    s = q.open_store(qcfg(tmp_path, release_method="smtp", release_smtp=f"127.0.0.1:{port}"))
    qid = s.put(RAW, verdict(sender="", rcpts=("bob@ex.test", "carol@ex.test")))
    done = s.release(qid)
    assert done.method == "smtp"
    ((mail_from, rcpts, content),) = handler.received
    assert mail_from == "<>" and rcpts == ["bob@ex.test", "carol@ex.test"]  # aiosmtpd spells the null sender <>
    assert content == RAW  # dot-stuffing undone by the server, 8-bit bytes intact
    assert s.list() == []


def test_release_over_smtp_to_dead_port_keeps_message(tmp_path: Path) -> None:
    port = free_port()
    s = q.open_store(qcfg(tmp_path, release_method="smtp", release_smtp=f"127.0.0.1:{port}"))
    qid = s.put(RAW, verdict())
    with pytest.raises(QuarantineError, match="SMTP release"):
        s.release(qid)
    assert [e.id for e in s.list()] == [qid]


# --------------------------------------------------------------------------- delete / purge / audit


def test_delete_removes_and_audits(store: q.DirStore) -> None:
    qid = store.put(RAW, verdict())
    store.delete(qid)
    assert store.list() == [] and list(store.root.glob("*.eml")) == []
    with pytest.raises(q.QuarantineNotFound):
        store.delete(qid)
    lines = audit_lines(store)
    assert [(x["action"], x["id"], x["result"][:5]) for x in lines] == [("delete", qid, "ok"), ("delete", qid, "error")]


def test_purge_removes_only_old_messages_and_stale_temps(store: q.DirStore, monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime.now(UTC)
    ids_at(monkeypatch, now - timedelta(days=40), now - timedelta(days=31), now - timedelta(days=1))
    old1, old2, young = (store.put(RAW, verdict()) for _ in range(3))
    (store.root / f"{old2}.eml").unlink()  # an orphan sidecar is purged too
    stale = store.root / ".tmp-deadbeef.eml"
    stale.write_bytes(b"half")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    fresh = store.root / ".tmp-cafebabe.eml"
    fresh.write_bytes(b"in progress")
    assert store.purge(timedelta(days=30)) == 2
    assert [e.id for e in store.list()] == [young]
    assert not stale.exists() and fresh.exists()
    (line,) = audit_lines(store)
    assert line["action"] == "purge" and line["count"] == 2 and sorted(line["ids"]) == sorted([old1, old2])
    assert line["target"]["older_than_s"] == 30 * 86400 and line["result"] == "ok"


def test_audit_log_default_and_configured_path(tmp_path: Path) -> None:
    s = q.open_store(qcfg(tmp_path))
    assert s.audit.path == tmp_path / "quarantine" / "audit.log"
    custom = tmp_path / "log" / "coinguard-audit.log"
    s = q.open_store(qcfg(tmp_path, audit_log=str(custom)))
    qid = s.put(RAW, verdict())
    s.delete(qid)
    assert custom.is_file() and stat.S_IMODE(custom.stat().st_mode) == 0o600
    assert len(custom.read_text().splitlines()) == 1


def test_unwritable_audit_log_blocks_the_action(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    s = q.open_store(qcfg(tmp_path, audit_log=str(blocker / "audit.log")))
    qid = s.put(RAW, verdict())
    with pytest.raises(QuarantineError, match="audit log"):
        s.delete(qid)
    assert [e.id for e in s.list()] == [qid]


def test_hold_store_refuses_put_and_bad_queue_ids(tmp_path: Path) -> None:
    s = q.open_store(qcfg(tmp_path, backend="hold"))
    assert isinstance(s, q.HoldStore)
    with pytest.raises(QuarantineError, match="hold back end"):
        s.put(RAW, verdict())
    for bad in ("ALL", "-d", "../hold/x", "ABC DEF123", "9CB5016414B\n"):
        with pytest.raises(q.QuarantineNotFound, match="not a Postfix queue ID"):
            s.delete(bad)


def test_verdict_headers_are_parsed() -> None:
    headers = [("X-Coinguard-Verdict", "malicious score=42.5"), ("X-Coinguard-Findings", "a.b, c.d ,")]
    assert qbase.verdict_from_headers(headers, "X-Coinguard-Verdict", "X-Coinguard-Findings") == (
        "malicious", 42.5, ("a.b", "c.d"))
    # the current form: code=strength:score, and a "+N" summary that is no code
    headers = [("X-Coinguard-Verdict", "malicious score=30"),
               ("X-Coinguard-Findings", "office.vba.autoexec=conclusive:22, lure.x=weak:3, +4")]
    assert qbase.verdict_from_headers(headers, "X-Coinguard-Verdict", "X-Coinguard-Findings") == (
        "malicious", 30.0, ("office.vba.autoexec", "lure.x"))


@pytest.mark.parametrize(("text", "seconds"), [("30d", 30 * 86400), ("12h", 43200), ("90m", 5400), ("2w", 1209600),
                                                ("7", 7 * 86400), ("45s", 45)])
def test_parse_age(text: str, seconds: int) -> None:
    assert q.parse_age(text).total_seconds() == seconds


def test_parse_age_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        q.parse_age("-3d")


def test_unknown_backend_is_a_config_error_never_a_fallback(tmp_path: Path) -> None:
    from coinguard.errors import ConfigError

    cfg = QuarantineConfig(backend="s3", path=str(tmp_path / "q"))
    with pytest.raises(ConfigError, match="unknown back end 's3'") as err:
        q.open_store(cfg)
    assert isinstance(err.value, QuarantineError)  # the quarantine CLI reports it as exit 2
    assert not (tmp_path / "q").exists()


@pytest.mark.parametrize("backend", sorted(q.STORES))
def test_every_registered_store_declares_who_holds_the_message(tmp_path: Path, backend: str) -> None:
    cls = q.STORES[backend]
    assert cls.backend == backend
    assert isinstance(cls.__dict__.get("mta_holds"), bool), f"{cls.__name__} must declare mta_holds itself"
    # a DSN for the database store (opening a store connects to nothing: tests/shared_state use a real server)
    store = q.open_store(QuarantineConfig(backend=backend, path=str(tmp_path), dsn="postgresql://u@127.0.0.1:9/q"))
    assert type(store) is cls
    store.close()


def test_stores_hold_where_they_say() -> None:
    assert q.STORES["hold"].mta_holds is True and q.STORES["dir"].mta_holds is False


def test_a_store_without_mta_holds_is_refused_at_definition() -> None:
    with pytest.raises(TypeError, match="mta_holds"):
        class Forgetful(q.DirStore):
            backend = "forgetful"
            mta_holds = None


def test_sidecar_is_compact_json_with_the_time_of_its_id(store: q.DirStore) -> None:
    qid = store.put(RAW, verdict())
    text = (store.root / f"{qid}.json").read_text("utf-8")
    side = json.loads(text)
    assert "\n" not in text and side["id"] == qid and side["size"] == len(RAW)
    assert datetime.fromisoformat(side["stored_at"]) == qmodel.id_time(qid)
    assert store.show(qid).entry.received == qmodel.id_time(qid)


# --------------------------------------------------------------------------- PostgreSQL: parts shared by copies


def test_split_parts_gives_every_byte_back_and_campaign_copies_share_their_payload() -> None:
    """split_parts/join_parts (the PostgreSQL store's shared parts): any bytes come back exactly, every part is
    at least the minimum size, and two copies of each campaign (other headers, other boundaries) give the same
    large part -- the attachment, stored once."""
    import random

    import campaigns
    from coinguard.quarantine.postgresql import PART_MIN_BYTES, join_parts, split_parts

    rnd = random.Random(14)
    for _ in range(20_000):
        raw = bytes(rnd.choice(b"ab\r\n-") for _ in range(rnd.randrange(0, 160)))
        least = rnd.randrange(0, 12)
        rest, parts = split_parts(raw, least)
        assert join_parts(rest, [at for at, _ in parts], [d for _, d in parts]) == raw
        assert all(len(d) >= least for _, d in parts) and len(rest) + sum(len(d) for _, d in parts) == len(raw)
    assert join_parts(b"abc", None, None) == b"abc"
    with pytest.raises(QuarantineError, match="lacks one of its parts"):
        join_parts(b"abc", [1], None)
    for kind in campaigns.KINDS:
        one, two = campaigns.copy(kind, 1), campaigns.copy(kind, 2)
        (rest1, parts1), parts2 = split_parts(one), split_parts(two)[1]
        assert join_parts(rest1, [a for a, _ in parts1], [d for _, d in parts1]) == one
        assert [d for _, d in parts1] == [d for _, d in parts2]
        if len(one) > 2 * PART_MIN_BYTES:  # zip, xlm, invoice: all but a few KB is the shared part
            assert len(rest1) < 4096 and len(parts1) == 1


def test_the_postgresql_store_remembers_a_parts_digest_only_for_equal_bytes(tmp_path: Path) -> None:
    """PostgresStore._part_digest: a part equal to one hashed moments ago gets its sha256 without hashing it again;
    one byte off (same length) is hashed; bounded (connects to nothing)."""
    import hashlib

    from coinguard.quarantine import postgresql as pg

    store = pg.PostgresStore(QuarantineConfig(path=str(tmp_path)), settings=pg.PgSettings(dsn="postgresql://u@127.0.0.1:9/d"))
    part = bytes(range(256)) * 1400
    assert store._part_digest(part) == hashlib.sha256(part).hexdigest()
    assert store._part_digest(bytes(bytearray(part))) == hashlib.sha256(part).hexdigest()
    off = part[:-1] + b"\x00"
    assert store._part_digest(off) == hashlib.sha256(off).hexdigest() != hashlib.sha256(part).hexdigest()
    for n in range(pg.PART_MEMO + 2):
        data = bytes([n]) * 20_000
        assert store._part_digest(data) == hashlib.sha256(data).hexdigest()
    assert len(store._parts_hashed) == pg.PART_MEMO


def test_parse_headers_reads_a_raw_8bit_subject_as_mail_clients_do() -> None:
    """`quarantine list/show` give the Subject a reader sees: raw UTF-8 bytes in a header are text, not U+FFFD."""
    from coinguard.quarantine.base import parse_headers

    raw = "Subject: Wallet prüfen\r\nFrom: a@example.org\r\n\r\nbody".encode()
    assert dict(parse_headers(raw)) == {"Subject": "Wallet prüfen", "From": "a@example.org"}
