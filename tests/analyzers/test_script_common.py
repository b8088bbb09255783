"""De-obfuscation and behaviour of scripts (script_common), on harmless samples built here."""

from __future__ import annotations

import base64
import time

import pytest

from coinguard.analyzers.script_common import behaviour, deobfuscate, dynamic_code, hidden_code


@pytest.mark.parametrize(
    ("script", "call"),
    [
        ('Set o = CreateObject("WScr" & "ipt.Sh" & "ell")\no.Run x', "WScript.Shell"),  # concatenation
        ("Set o = CreateObject(Chr(87) & Chr(83) & \"cript.Shell\")", "WScript.Shell"),  # Chr
        ('var o = new ActiveXObject(String.fromCharCode(87,83,99,114,105,112,116,46,83,104,101,108,108));',
         "WScript.Shell"),
        ('x = StrReverse("llehS.tpircSW")', "WScript.Shell"),  # reversal
        ("var x = 'llehS.tpircSW'.split('').reverse().join('');", "WScript.Shell"),
        ('x = Replace("WXScXriXpt.ShXell", "X", "")', "WScript.Shell"),  # Replace
        ("var x = 'WQScQript.Shell'.replace(/Q/g, '');", "WScript.Shell"),
        ("powershell -enc " + base64.b64encode("IEX (New-Object Net.WebClient).DownloadString('h')"
                                               .encode("utf-16-le")).decode(), "DownloadString"),
        ('x = "87|83|99|114|105|112|116|46|83|104|101|108|108"', "WScript.Shell"),  # delimited char codes
    ],
)
def test_hidden_behaviour_is_found(script: str, call: str) -> None:
    hits, hidden = behaviour(script)
    assert hidden and any(call.lower() in h.lower() for h in hits), (hits, deobfuscate(script)[:200])


def test_plain_behaviour_and_no_behaviour() -> None:
    assert behaviour('CreateObject("WScript.Shell").Run "calc"') == (["WScript.Shell", ".Run"], False) \
        or behaviour('CreateObject("WScript.Shell").Run "calc"')[0]
    assert behaviour("var total = items.reduce(function (a, b) { return a + b; }, 0);") == ([], False)


def test_bare_eval_is_dynamic_code_not_behaviour_nor_hiding() -> None:
    js = "var cfg = eval('(' + text + ')'); console.log(cfg.name);"
    assert behaviour(js) == ([], False)
    assert dynamic_code(js) == ["eval("]
    assert hidden_code(js) == []


def test_hiding_with_dynamic_code() -> None:
    js = "var a=[" + ",".join('"x"' for _ in range(20)) + "];" \
         "var p = b[1]+c.d+e[2]+f.g+h[3]+i.j+k[4]+l.m+n[5]+o.p+q[6]+r.s+t[7]+u.v;" \
         "var o = new ActiveXObject(p); eval(p);"
    signs = hidden_code(js)
    assert "strings built from array/property lookups" in signs and any("dynamic code" in s for s in signs)


def test_cost_is_bounded_on_hostile_text() -> None:
    started = time.monotonic()
    behaviour(('"' + "y" * 199) * 5000)
    behaviour('"a"+' * 50000 + '"b"')
    hidden_code("a.b+" * 100000)
    assert time.monotonic() - started < 5


def test_xor_decoder_with_computed_object_is_hidden_code() -> None:
    vbs = 'For i = 1 To Len(s)\n  r = r & Chr(Asc(Mid(s, i, 1)) Xor 7)\nNext\nSet o = CreateObject(r)\no.Run p\n'
    assert {"xor decoding", "object created from a computed name"} <= set(hidden_code(vbs))
