"""``coinguard quarantine ...`` through the real command-line entry point."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coinguard import quarantine as q
from coinguard.cli import main
from coinguard.config import load_config
from coinguard.findings import VerdictKind
from test_quarantine import RAW, fake_sendmail, ids_at, verdict


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, q.DirStore, Path]:
    """A config file with a dir quarantine and a recording sendmail; returns (config, store, record dir)."""
    script, rec = fake_sendmail(tmp_path)
    conf = tmp_path / "coinguard.toml"
    conf.write_text(
        "[quarantine]\n"
        'backend = "dir"\n'
        f'path = "{tmp_path / "quarantine"}"\n'
        f'sendmail_path = "{script}"\n'
        'release_method = "sendmail"\n'
        "retention_days = 30\n"
    )
    store = q.open_store(load_config(conf).quarantine)
    assert isinstance(store, q.DirStore)
    return conf, store, rec


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["quarantine", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_text_and_json(setup: tuple[Path, q.DirStore, Path], capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    conf, store, _ = setup
    t0 = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    ids_at(monkeypatch, t0, t0 + timedelta(hours=1))
    a = store.put(RAW, verdict(codes=("office.vba.autoexec",)))
    b = store.put(RAW, verdict(kind=VerdictKind.SUSPICIOUS, score=6, codes=("archive.encrypted",),
                               subject="pay \x1b]0;owned\x07now", sender="mallory@evil.test"))
    code, out, _ = run(capsys, "list", "-c", str(conf))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("ID") and lines[1].startswith(b) and a in lines[3]
    assert "\x1b" not in out and "\x07" not in out and "pay ]0;owned now" in out  # terminal controls stripped
    assert "codes: office.vba.autoexec" in out

    code, out, _ = run(capsys, "list", "--json", "-c", str(conf))
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == [b, a] and rows[0]["verdict"] == "suspicious" and rows[0]["score"] == 6
    assert rows[1]["codes"] == ["office.vba.autoexec"] and rows[1]["rcpt"] == ["bob@ex.test"]

    for args, want in [(("--verdict", "malicious"), [a]), (("--code", "archive"), [b]), (("--sender", "MALLORY"), [b]),
                       (("--rcpt", "bob@"), [b, a]), (("--since", "2026-11-24T03:30"), [b]),
                       (("--until", "2026-11-24T03:30"), [a]), (("--until", "2026-11-23"), []),
                       (("--since", "2026-11-24"), [b, a]), (("--limit", "1"), [b])]:
        code, out, _ = run(capsys, "list", "--json", *args, "-c", str(conf))
        assert code == 0 and [json.loads(x)["id"] for x in out.splitlines()] == want, args


def test_list_empty_and_bad_date(setup: tuple[Path, q.DirStore, Path], capsys: pytest.CaptureFixture[str]) -> None:
    conf, _store, _ = setup
    code, out, _ = run(capsys, "list", "-c", str(conf))
    assert code == 0 and "no quarantined messages" in out
    with pytest.raises(SystemExit) as exc:
        main(["quarantine", "list", "--since", "yesterday-ish", "-c", str(conf)])
    assert exc.value.code == 2


def test_show_text_and_json(setup: tuple[Path, q.DirStore, Path], capsys: pytest.CaptureFixture[str]) -> None:
    conf, store, _ = setup
    qid = store.put(RAW, verdict())
    code, out, _ = run(capsys, "show", qid, "-c", str(conf))
    assert code == 0
    assert f"ID:         {qid}  (dir back end)" in out and "Verdict:    malicious  score=42" in out
    assert "office.vba.autoexec  score=10.0  invoice.zip/invoice.docm  AutoOpen + Shell" in out
    assert "  Subject: wallet update" in out
    assert "Attachments (full tree from the scan; never opened):" in out
    assert "  invoice.zip  type=zip size=1000" in out and "    invoice.docm  type=ooxml.word size=5000" in out
    code, out, _ = run(capsys, "show", qid, "--json", "-c", str(conf))
    obj = json.loads(out)
    assert code == 0 and obj["id"] == qid and obj["stored_verdict"]["verdict"] == "malicious"
    assert ["Message-ID", "<q1@ex.test>"] in obj["headers"]


def test_not_found_is_exit_1(setup: tuple[Path, q.DirStore, Path], capsys: pytest.CaptureFixture[str]) -> None:
    conf, _store, rec = setup
    missing = q.new_id()
    for action, qid in (("show", missing), ("release", missing), ("delete", missing), ("show", "../etc/passwd"),
                        ("release", "-rf"), ("delete", "--help")):
        code, _out, err = run(capsys, action, "-c", str(conf), "--", qid)
        assert code == 1, (action, qid)
        assert "coinguard quarantine:" in err
    assert not (rec / "argv.json").exists()


def test_release_delete_purge(setup: tuple[Path, q.DirStore, Path], capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    conf, store, rec = setup
    now = datetime.now(UTC)
    ids_at(monkeypatch, now - timedelta(days=3), now - timedelta(days=2), now - timedelta(days=40), now)
    a, b, old, young = (store.put(RAW, verdict()) for _ in range(4))

    code, out, _ = run(capsys, "release", a, "--to", "analyst@ex.test", "-c", str(conf))
    assert code == 0 and "a copy; the message stays in quarantine" in out
    assert json.loads((rec / "argv.json").read_text())[-1] == "analyst@ex.test"
    code, out, _ = run(capsys, "release", a, "-c", str(conf))
    assert code == 0 and out == f"released {a} to bob@ex.test via sendmail\n"
    assert (rec / "stdin").read_bytes() == RAW

    code, out, _ = run(capsys, "delete", b, "-c", str(conf))
    assert code == 0 and out == f"deleted {b}\n"

    code, out, _ = run(capsys, "purge", "-c", str(conf))  # default: retention_days = 30
    assert code == 0 and out.startswith("purged 1 message(s)")
    code, out, _ = run(capsys, "purge", "--older-than", "12h", "-c", str(conf))
    assert code == 0 and out == "purged 0 message(s) older than 12h\n"
    assert [e.id for e in store.list()] == [young]
    code, out, _ = run(capsys, "purge", "--older-than", "0d", "-c", str(conf))  # zero means zero
    assert code == 0 and out == "purged 1 message(s) older than 0s\n"
    assert store.list() == []
    actions = [json.loads(x)["action"] for x in store.audit.path.read_text().splitlines()]
    assert actions == ["release", "release", "delete", "purge", "purge", "purge"]
    del old


def test_release_failure_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script, _ = fake_sendmail(tmp_path, exit_code=75)
    conf = tmp_path / "c.toml"
    conf.write_text(f'[quarantine]\npath = "{tmp_path / "qq"}"\nsendmail_path = "{script}"\n'
                    'release_method = "sendmail"\n')
    store = q.open_store(load_config(conf).quarantine)
    qid = store.put(RAW, verdict())
    code, _out, err = run(capsys, "release", qid, "-c", str(conf))
    assert code == 2 and "queue file write error" in err


def test_console_script_runs(setup: tuple[Path, q.DirStore, Path]) -> None:
    import subprocess

    conf, store, _ = setup
    qid = store.put(RAW, verdict())
    exe = Path(sys.executable).with_name("coinguard")
    proc = subprocess.run([str(exe), "quarantine", "list", "--json", "-c", str(conf)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["id"] == qid
