"""sniff(): content types of the formats the document analyzers dispatch on (crafted and corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coinguard.sniff import ItemType, sniff

from helpers import read_corpus_sample, zip_bytes


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # JScript vs VBScript: a JS "function x(){" must not be taken for VBScript's Function
        (b"function go(e){return e+1}var a = go(1);", "script.js"),
        (b'Set o = CreateObject("WScript.Shell")\r\no.Run "calc"\r\n', "script.vbs"),
        (b'x = Eval("1+1")\r\nExecute("Set a = CreateObject(""Scripting.FileSystemObject"")")\r\n', "script.vbs"),
        # obfuscated PowerShell launcher ($VerbosePreference.ToString()[1,3]+'x'-join'' == iex)
        (b"((' . ( $verbosepreference.tostring()[1,3]+'x'-join'')) ('...')", "script.ps1"),
        # one-line batch stages
        (b"rundll32.exe C:\\Users\\Public\\a.dat, DllRegisterServer", "script.bat"),
        (b"\rpowershell $a = 'x'; start /min C:\\Users\\Public\\b.cmd", "script.bat"),
        (b"cmd /c start calc.exe", "script.bat"),
        # prose that names a tool is still text
        (b"Please run powershell as administrator and then reboot.\n", "text"),
        (b"Rundll32 is a Windows component.\n", "text"),
        # HTML that drives ActiveX/WSH is an HTA even without <hta:application>
        (b'<script language="javascript">window.resizeTo(0,0);' + b"A" * 20000
         + b"var s = new ActiveXObject('WScript.Shell');</script>", "script.hta"),
        (b"<html><body><script>document.title='x'</script></body></html>", "html"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 1 1\n", "postscript"),
        (b"L\x00\x00\x00\x01\x14\x02\x00" + b"\x00" * 70, "lnk"),
        (b"ITSF\x03\x00\x00\x00" + b"\x00" * 80, "chm"),
        (bytes.fromhex("e4525c7b8cd8a74daeb15378d02996d3") + b"\x00" * 80, "onenote"),
        # a section that holds a PDF in its first KiB is still a section (the magic at offset 0 wins)
        (bytes.fromhex("e4525c7b8cd8a74daeb15378d02996d3") + b"\x00" * 80 + b"%PDF-1.4\n", "onenote"),
        (b"%PDF-1.7\n%%EOF\n", "pdf"),
        # Single File Web Page documents as Word opens them: plain, junk lines first, blanks in the header name
        (b'MIME-Version: 1.0\nContent-Type: multipart/related; boundary="b"\n\n--b\n', "mht"),
        (b'Zahlungsaufforderung 2015\nxkqjwz\nMIME - Version : 1.0\nX-Junk: 1\nContent-Type: multipart/related;'
         b' boundary="b"\n\n--b\n<html><body>x</body></html>\n', "mht"),
        (b'Content-Type: multipart/related; boundary="b"\nMIME-Version: 1.0\n\n--b\n', "mht"),
        (b"A note on mail: the MIME-Version header comes first.\nNothing else here.\n", "text"),
        (b"MZ\n", "pe"),
        (b"[InternetShortcut]\r\nURL=https://example.org/\r\n", "url"),
        (b"WEB\r\n1\r\nhttps://example.org/q\r\n", "iqy"),
    ],
)
def test_sniff_crafted(data: bytes, expected: str) -> None:
    assert sniff(data) == expected
    assert expected in {t.value for t in ItemType}  # the vocabulary the handlers compare with


def test_hwpx_by_mimetype() -> None:
    data = zip_bytes({"mimetype": b"application/hwp+zip", "Contents/section0.xml": b"<x/>", "version.xml": b"<v/>"})
    assert sniff(data) == "hwpx"


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("maldocs/pyhwpscan/mal_sample.hwp.zip", "ole.hwp"),
        ("benign/attachments/pyhwp/password-12345.hwp", "ole.hwp"),
        ("benign/attachments/pyhwpscan/sample.hwp.lnk", "lnk"),
        ("maldocs/strelka/test.lnk.zip", "lnk"),
        ("maldocs/inquest/system.lnk.zip", "lnk"),
        ("maldocs/strelka/test.one.zip", "onenote"),
        ("maldocs/inquest/13ad1fa5ca01f824175060b85969e7245a656c2deb523ba7a02d67e73147e0b9.one.zip", "onenote"),
        ("maldocs/inquest/helpfile_jpg.chm.zip", "chm"),
        ("maldocs/inquest/7a2dd16bb0f74ebf7268b784d74dc494ee817a01c5ace5bbc12e21f943caf189.hta.zip", "script.hta"),
        ("maldocs/inquest/026b02380e79af4b1b0282c2473828c6fb9c76a421bba09ff2019415c6c6976a.js.zip", "script.js"),
        ("maldocs/inquest/0638e4dfe95bdae94a751404e4c91adbb72a57967d4443cde3e4abb16bc293b0.js.zip", "script.js"),
        ("maldocs/inquest/remit.vbs.zip", "script.vbs"),
        ("maldocs/inquest/x.ps1.zip", "script.ps1"),
        ("maldocs/inquest/2d4fd302be0dd3a1d62c41dbcf1c97b3bcdbecafb169839611aac81a4ad51e73.ps1.zip", "script.ps1"),
        ("maldocs/inquest/91237a76e43caa35e3fbd42d47fbaca5d6b5ea7a96c89341196d070b628122ce.bat.zip", "script.bat"),
        ("benign/attachments/strelka/test.bat", "script.bat"),
        ("maldocs/inquest/DocuSign1.url.zip", "url"),
        ("benign/attachments/malware-samples/testing-benign-google.url", "url"),
        ("maldocs/strelka/test.iqy.zip", "iqy"),
        ("benign/attachments/strelka/test.pdf", "pdf"),
        ("maldocs/inquest/34f33612c9f6b132430385e6dc3f8603ff897d34c780bfa5a4cf7663922252ba.pdf.zip", "pdf"),
    ],
)
def test_sniff_corpus(corpus_dir: Path, path: str, expected: str) -> None:
    assert sniff(read_corpus_sample(path)) == expected


# -- issue 11: XSL with script, mbox-prefixed messages, zips found by their directory, macOS carriers --
XSL = b"""<?xml version='1.0'?>
<stylesheet xmlns="http://www.w3.org/1999/XSL/Transform" xmlns:ms="urn:schemas-microsoft-com:xslt"
 xmlns:user="placeholder" version="1.0">
<output method="text"/>
<ms:script implements-prefix="user" language="JScript">
<![CDATA[ var r = new ActiveXObject("WScript.Shell").Run("calc"); ]]>
</ms:script>
</stylesheet>"""


def test_xsl_with_microsoft_script_block_is_a_script() -> None:
    assert sniff(XSL) == "script.xsl"
    plain = b"<?xml version='1.0'?><xsl:stylesheet xmlns:xsl='http://www.w3.org/1999/XSL/Transform'/>"
    assert sniff(plain) == "xml"


def test_message_with_mbox_from_line() -> None:
    msg = b"From alice@example.org Tue Nov 24 10:00:00 2026\nFrom: a@example.org\nTo: b@example.net\n" \
          b"Subject: hi\nMessage-ID: <1@example.org>\n\nbody\n"
    assert sniff(msg) == "eml"
    assert sniff(b"From the desk of the director: meeting notes follow.\nNothing else.\n") == "text"


def test_zip_found_by_its_end_of_central_directory() -> None:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("statement.doc", b"x" * 100)
    data = buf.getvalue()
    assert sniff(b"\x00GARBAGE-STUB" * 10 + data) == "zip"  # prefixed
    assert sniff(b"XX" + data[2:]) == "zip"  # damaged local header magic
    assert sniff(b"junk " * 10 + b"PK\x05\x06 not really a zip" + b"\x00" * 40) != "zip"


def test_macos_carriers() -> None:
    assert sniff(b"xar!\x00\x1c\x00\x01" + b"\x00" * 40) == "xar"
    assert sniff(b"FasdUAS 1.101.10\x0e" + b"\x00" * 40) == "applescript"
    assert sniff(b"\x01" * 1024 + b"koly" + b"\x00" * 508) == "dmg"


def test_cpio_by_its_header_not_by_its_magic_alone() -> None:
    odc = b"070707" + b"0" * 59 + b"00001" + b"00000000004" + b"a\x00" + b"data"
    assert sniff(odc) == "cpio"
    newc = b"070701" + b"0" * 104 + b"TRAILER!!!\x00"
    assert sniff(newc) == "cpio"
    assert sniff(b"070707 is the ticket number of your request.\n") == "text"
