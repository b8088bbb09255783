from __future__ import annotations

import email
import email.policy
import json
from email.message import EmailMessage
from pathlib import Path

import pytest

from coinguard.cli import main
from coinguard.quarantine import Filters, open_store
from coinguard.report import arf, campaigns
from coinguard.report.importer import originals
from coinguard.report.records import REPORTED_CODE, load_record, load_records
from coinguard.report.settings import ReportSettings
from report_helpers import MESSAGES, lure, offline_config


def forward(original: bytes, reporter: str = "Alice <alice@victim.example>", extra: bytes | None = None) -> bytes:
    """A "forward as attachment" / report-phishing button mail with ``original`` as message/rfc822."""
    msg = EmailMessage()
    msg["From"] = reporter
    msg["To"] = "phishing@victim.example"
    msg["Subject"] = "FW: suspicious mail"
    msg.set_content("I think this is phishing.\n")
    inner = email.message_from_bytes(original, policy=email.policy.compat32)
    msg.add_attachment(inner)
    if extra is not None:
        msg.add_attachment(extra, maintype="application", subtype="octet-stream", filename="extra.bin")
    return msg.as_bytes()


def _subject(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"])


def test_forward_as_attachment_is_unwrapped() -> None:
    original = MESSAGES["lure1"][0]
    (found,) = originals(forward(original))
    assert found.how == "forward" and found.rcpts == ("alice@victim.example",)
    assert _subject(found.raw) == _subject(original)
    assert b"wallet_recovery.pdf.js" in found.raw and b"I think this is phishing" not in found.raw
    # a message that carries other files besides the attached message is not a forward: kept whole
    (whole,) = originals(forward(original, extra=b"\x00\x01"))
    assert whole.how == "file"
    # --as-is keeps the forward itself; a saved message's To/Cc stand in for the envelope
    kept = originals(forward(original), as_is=True)[0]
    assert (kept.how, kept.rcpts) == ("file", ("phishing@victim.example",))
    assert originals(original)[0].rcpts == ("alice@victim.example",)


def test_plain_eml_is_stored_byte_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = offline_config(tmp_path)
    path = tmp_path / "lure.eml"
    path.write_bytes(MESSAGES["lure3"][0])
    assert main(["quarantine", "import", str(path), "--rcpt", "carol@victim.example", "--json",
                 "-c", cfg.source]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    result = json.loads(line)
    assert result["how"] == "file" and result["verdict"] == "malicious" and REPORTED_CODE in result["codes"]
    store = open_store(cfg.quarantine)
    detail = store.show(result["id"])
    assert detail.raw == MESSAGES["lure3"][0]
    assert detail.entry.rcpts == ("carol@victim.example",)
    codes = [f["code"] for f in detail.verdict["findings"]]  # type: ignore[index]
    assert codes.count(REPORTED_CODE) == 1
    assert [e.id for e in store.list(Filters(code="report"))] == [result["id"]]
    assert load_record(store, result["id"], ReportSettings()).reported


def test_reported_forward_joins_the_quarantined_campaign(lab, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    settings = ReportSettings()
    (before,) = campaigns.group(load_records(lab.store, settings), settings)
    got_through = lure(9, "desk@upbit-secure-kyc.com", "mx7.upbit-secure-kyc.com", "203.0.113.70",
                       "gina@victim.example")
    path = tmp_path / "report.eml"
    path.write_bytes(forward(got_through, reporter="Gina <gina@victim.example>"))
    assert main(["quarantine", "import", str(path), "-c", lab.cfg.source]) == 0
    out = capsys.readouterr().out
    assert "(forward)" in out and "malicious" in out
    (after,) = campaigns.group(load_records(lab.store, settings), settings)
    assert after.id == before.id and len(after.members) == 4
    reported = [m for m in after.members if m.reported]
    assert len(reported) == 1 and reported[0].indicators.recipients == ("gina@victim.example",)
    assert after.to_json()["reported"] == 1


def test_arf_report_is_unwrapped_with_its_recipients(lab, tmp_path: Path) -> None:
    record = load_record(lab.store, lab.ids["lure2"], ReportSettings())
    report = arf.build(record, ReportSettings(), include_message=True)
    (found,) = originals(report)
    assert found.how == "arf" and found.rcpts == ("bob@victim.example",)
    assert _subject(found.raw) == _subject(lab.raws["lure2"])
    headers_only = arf.build(record, ReportSettings())
    (partial,) = originals(headers_only)
    assert partial.how == "arf-headers" and b"Subject:" in partial.raw and b"wallet_recovery" not in partial.raw


def test_import_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = offline_config(tmp_path)
    assert main(["quarantine", "import", str(tmp_path / "missing.eml"), "-c", cfg.source]) == 2
    assert "cannot read" in capsys.readouterr().err
    hold = offline_config(tmp_path / "hold", extra="")
    (tmp_path / "hold" / "coinguard.toml").write_text(
        Path(hold.source).read_text(encoding="utf-8").replace("[quarantine]\n", '[quarantine]\nbackend = "hold"\n'),
        encoding="utf-8")
    path = tmp_path / "x.eml"
    path.write_bytes(MESSAGES["newsletter"][0])
    assert main(["quarantine", "import", str(path), "-c", str(tmp_path / "hold" / "coinguard.toml")]) == 2
    assert "hold back end stores nothing" in capsys.readouterr().err


def test_oversized_files_are_refused_before_reading(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = offline_config(tmp_path, extra="[scan]\nmax_message_bytes = 1000\n")
    small, big = tmp_path / "small.eml", tmp_path / "big.eml"
    small.write_bytes(MESSAGES["newsletter"][0][:900])
    big.write_bytes(MESSAGES["lure1"][0])
    assert main(["quarantine", "import", str(small), str(big), "-c", cfg.source]) == 2
    captured = capsys.readouterr()
    assert "larger than scan.max_message_bytes" in captured.err
    assert captured.out.startswith(f"imported {small}")  # the first was stored and said so before the error
    assert len(open_store(cfg.quarantine).list()) == 1
