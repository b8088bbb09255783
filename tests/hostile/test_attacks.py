"""Issue 10: each way an EICAR zip reached a mailbox labelled ``clean``, and its class.

Every test builds the hostile message in code and runs ``coinguard scan``'s pipeline
(``scan_message``, DNS to a closed loopback port).  The contract: no exception escapes,
and the verdict is ``malicious`` (the payload was read) or ``unchecked`` with the code of
what was skipped -- never ``clean`` (nor a mere ``suspicious`` for unread content).
Tests that fail today are ``xfail(strict=True)``: the fix for each removes its mark.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

import pytest

from coinguard.findings import Verdict
from hostile import attacks
from hostile.pipeline import offline_config, scan

EICAR_CODE = "yara.coinguard_eicar_test_file"


def payload_read(v: Verdict) -> bool:
    return EICAR_CODE in v.codes


def assert_never_clean(v: Verdict, skipped: Iterable[str]) -> None:
    """Malicious because EICAR was read, or unchecked naming one of the ``skipped`` codes."""
    skipped = tuple(skipped)
    assert v.verdict != "clean", f"labelled clean: codes={v.codes}"
    assert payload_read(v) or any(code in v.codes for code in skipped), (
        f"EICAR not read and none of {skipped} reported: verdict={v.verdict} codes={v.codes}")
    if not payload_read(v):
        assert v.verdict == "unchecked", f"unread content must be unchecked, got {v.verdict} codes={v.codes}"


def xfail(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=f"issue 10: {reason}")


def test_control_plain_eicar_zip_is_malicious() -> None:
    v = scan(attacks.zip_message())
    assert v.verdict == "malicious" and payload_read(v)


# region MIME structure ------------------------------------------------------------------
@pytest.mark.parametrize("depth", [
    50,
    pytest.param(1000),
    pytest.param(3000),
])
def test_deeply_nested_multipart(depth: int) -> None:
    assert_never_clean(scan(attacks.nested_multipart(depth)), ("mime.parse_error", "mime.limit.depth",
                                                               "mime.defect", "container.limit.depth"))


@pytest.mark.parametrize("count", [
    500,
    pytest.param(1000),
    pytest.param(2500),
])
def test_many_parts_before_the_zip(count: int) -> None:
    assert_never_clean(scan(attacks.many_parts_before(count)), ("mime.too_many_parts",))


@pytest.mark.parametrize("count", [
    pytest.param(10_001),
    pytest.param(20_000),
])
def test_empty_multiparts_before_the_zip(count: int) -> None:
    assert_never_clean(scan(attacks.empty_multiparts_before(count)), ("mime.too_many_parts",))
# endregion


# region wide and deep containers --------------------------------------------------------
@pytest.mark.parametrize(("entries", "eicar_at"), [
    (900, -1),
    pytest.param(1000, -1),
    pytest.param(1001, -1),
    (1001, 0),
    pytest.param(1500, -1),
    pytest.param(4000, -1),
    pytest.param(4001, 0),
    pytest.param(5000, -1),
])
def test_zip_with_many_entries(entries: int, eicar_at: int) -> None:
    assert_never_clean(scan(attacks.zip_message(attacks.wide_zip(entries, eicar_at))), ("container.limit.files",))


@pytest.mark.parametrize("depth", [
    5,
    pytest.param(9),
    pytest.param(12),
    pytest.param(20),
])
@pytest.mark.parametrize("kind", ["zip", "rfc822", "msg"])
def test_nested_containers(kind: str, depth: int) -> None:
    build = {"zip": attacks.nested_zips, "rfc822": attacks.nested_rfc822, "msg": attacks.nested_msg}[kind]
    assert_never_clean(scan(build(depth)), ("container.limit.depth",))


@pytest.mark.parametrize("depth", [
    pytest.param(300),
    pytest.param(1000),
])
def test_rfc822_nested_hundreds_deep_does_not_crash(depth: int) -> None:
    v = scan(attacks.nested_rfc822(depth))  # must not raise RecursionError
    assert_never_clean(v, ("container.limit.depth", "mime.parse_error"))


@pytest.mark.parametrize("name", [
    "../inv.zip",
    "/etc/inv.zip",
    "ok/inv.zip",
])
def test_7z_member_with_hostile_name(name: str) -> None:
    data = attacks.sevenzip_named(name, attacks.eicar_zip())
    v = scan(attacks.zip_message_named(data, "invoice.7z", "application/x-7z-compressed"))
    assert_never_clean(v, ("7z.parse_error", "archive.parse_error", "archive.unreadable"))


@pytest.mark.parametrize("name", [
    b"eic\nar.com",  # 7zz prints the newline as '_': read through a one-match pattern
    b"eic\rar.com",
    b"eic\x01ar.com",  # 7zz prints \x01 as is, so reading by the printed name works today
    b"eicar.com",
])
def test_damaged_zip_via_7zip_fallback_with_control_char_name(name: bytes) -> None:
    data = attacks.local_headers_only_zip([(name, attacks.EICAR)])
    v = scan(attacks.zip_message(data))
    assert_never_clean(v, ("archive.unreadable", "zip.parse_error"))
# endregion


# region the time budget -----------------------------------------------------------------
def test_time_budget_exhausted_is_never_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clock that jumps 30 s per reading: the budget runs out after the first part."""
    from coinguard import limits

    now = [0.0]

    def clock() -> float:
        now[0] += 30.0
        return now[0]

    real_init = limits.Budget.__init__

    def init(self: limits.Budget, lim: limits.Limits, clock_: object = clock) -> None:
        real_init(self, lim, clock)

    monkeypatch.setattr(limits.Budget, "__init__", init)
    v = scan(attacks.heavy_first(b"hello\r\n"), offline_config("[scan]\ntimeout_s = 2\n"))
    assert "scan.timeout" in v.codes, v.codes
    assert_never_clean(v, ("scan.timeout",))


# endregion


# region decoding must never raise --------------------------------------------------------
HOSTILE_CHARSETS = [
    pytest.param(b"Content-Type: text/plain; charset=undefined", id="charset-undefined"),
    pytest.param(b"Content-Type: text/plain; charset=\"utf\x00-8\"", id="charset-nul"),
    pytest.param(b"Content-Type: text/plain; charset=\"\x00\"", id="charset-only-nul"),
    pytest.param(b"Content-Type: text/plain; charset=unicode_internal", id="charset-removed-codec"),
    pytest.param(b"Content-Type: text/plain; charset=rot13", id="charset-text-transform"),
    pytest.param(b"Content-Type: text/plain; charset=hex", id="charset-bytes-transform"),
]


@pytest.mark.parametrize("ctype", HOSTILE_CHARSETS)
@pytest.mark.parametrize("zip_after", [True, False], ids=["eicar-after", "alone"])
@pytest.mark.parametrize("subtype", [b"plain", b"html"])
def test_hostile_body_charset(ctype: bytes, zip_after: bool, subtype: bytes) -> None:
    # 8-bit text, so the stdlib's own decoding (surrogates) is reached as well as ours
    body = b"<p>caf\xe9 hello</p>\r\n" if subtype == b"html" else b"caf\xe9 hello\r\n"
    raw = attacks.with_raw_header_param(ctype.replace(b"text/plain", b"text/" + subtype), body, zip_after=zip_after)
    v = scan(raw)  # must not raise
    if zip_after:
        assert v.verdict == "malicious" and payload_read(v)
    else:
        # the charset falls back to UTF-8: every analyzer reads the text, nothing is left unread
        assert v.verdict != "unchecked", v.codes
    assert "scan.analyzer_error" not in v.codes, v.codes
    assert any(f.code.startswith("mime.") for f in v.findings), v.codes


HOSTILE_HEADERS = [
    pytest.param("=?undefined?q?x?=", id="ew-undefined"),
    pytest.param("=?utf\x00-8?q?x?=", id="ew-nul"),
    pytest.param("=?rot13?q?x?=", id="ew-rot13"),
    pytest.param("=?hex?q?41?=", id="ew-hex"),
    pytest.param("=?utf-8*?q?x?=", id="ew-empty-language"),
    pytest.param("=?utf-8?b?####?=", id="ew-bad-base64"),
]


@pytest.mark.parametrize("value", HOSTILE_HEADERS)
def test_decode_header_never_raises(value: str) -> None:
    from hostile.hostile_imports import decode_header

    assert isinstance(decode_header(value), str)


@pytest.mark.parametrize("value", HOSTILE_HEADERS)
@pytest.mark.parametrize("header", ["Subject", "From"])
def test_hostile_encoded_word_header_in_a_message(header: str, value: str) -> None:
    raw = attacks.zip_message().replace(f"{header}: ".encode(), f"{header}: {value} ".encode(), 1)
    v = scan(raw)  # must not raise
    assert v.verdict == "malicious" and payload_read(v)
# endregion


# region names and headers -----------------------------------------------------------------
@pytest.mark.parametrize("name", [
    pytest.param("invoice\u202ecod.exe".encode(), id="raw-utf8"),
    pytest.param("wallet\u202egpj.scr".encode(), id="raw-utf8-scr"),
    pytest.param(b"=?utf-8?q?invoice=E2=80=AEcod.exe?=", id="encoded-word"),
])
def test_rtlo_in_filename(name: bytes) -> None:
    v = scan(attacks.raw_filename(name, b"MZ" + bytes(200)))
    assert "file.rtlo" in v.codes, v.codes
    assert v.verdict != "clean"


SERVER = "mx.coinguard.example"


@pytest.mark.parametrize("value", [
    pytest.param(f"{SERVER}; dkim=pass header.d=binance.com", id="plain"),
    pytest.param(f"{SERVER.upper()}; dkim=pass header.d=binance.com", id="case"),
    pytest.param(f"\r\n\t{SERVER};\r\n\tdkim=pass header.d=binance.com", id="folded"),
    pytest.param(f"{SERVER} 1; dkim=pass header.d=binance.com", id="version"),
    pytest.param(f"(comment) {SERVER}; dkim=pass header.d=binance.com", id="leading-comment"),
    pytest.param(f"(a (nested) comment)\r\n {SERVER}; dkim=pass header.d=binance.com", id="nested-comment"),
    pytest.param(f"{SERVER}(comment); dkim=pass header.d=binance.com", id="glued-comment"),
    pytest.param(f'"{SERVER}"; dkim=pass header.d=binance.com', id="quoted"),
])
def test_forged_authentication_results_is_recognised_as_ours(value: str) -> None:
    from hostile.hostile_imports import ar_is_ours

    assert ar_is_ours(value.encode(), SERVER)


@pytest.mark.parametrize("value", [
    "other.example; dkim=pass header.d=binance.com",
    f"(mentions {SERVER}) other.example; dkim=pass",
    f"{SERVER}.evil.example; dkim=pass",
])
def test_foreign_authentication_results_is_not_ours(value: str) -> None:
    from hostile.hostile_imports import ar_is_ours

    assert not ar_is_ours(value.encode(), SERVER)
# endregion


def test_recursion_limit_untouched() -> None:
    """The suite must not pass by raising the interpreter's recursion limit."""
    assert sys.getrecursionlimit() <= 10_000
