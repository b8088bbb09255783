"""passwords.harvest: candidates from subject and body, English and Korean, bounded and ordered."""

from __future__ import annotations

import io
from typing import Any

import pytest
import pyzipper

from coinguard.passwords import harvest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Your statement, password: s3cret!", "s3cret!"),
        ("PW 7788", "7788"),
        ("The password for the archive is Inv-8812.", "Inv-8812"),
        ("첨부 파일의 비밀번호는 5678입니다.", "5678"),
        ("압축 암호: kor2024", "kor2024"),
        ("열람 암호는 \"Ab12\" 입니다", "Ab12"),
        ("Open with 'qwe123'", "qwe123"),
        ("Hello,\n\nplease find attached.\n\n2024pay\n\nRegards", "2024pay"),
        ("パスワード：abc987", "abc987"),
    ],
)
def test_harvested_candidates_include_the_password(text: str, expected: str) -> None:
    assert expected in harvest([text])


def test_keyword_tokens_come_first_and_punctuation_variants_are_kept() -> None:
    found = harvest(['Read "chapter7" first. Password: Zx-90!'])
    assert found.index("Zx-90!") < found.index("chapter7")
    assert "Zx-90" in found


def test_stop_words_are_not_candidates() -> None:
    assert harvest(["The password is below. Please find the attached file."]) == ()


def test_extras_come_last_unique_and_the_harvest_is_bounded() -> None:
    body = "\n".join(f"pin {n:06d}" for n in range(200))
    found = harvest([body], extra=("infected", "000000"), limit=10)
    assert len(found) == 11
    assert found[-1] == "infected"
    assert found[0] == "000000"
    assert all(len(token) <= 64 for token in harvest(["password: " + "x" * 500]))


def test_empty_and_none_like_input() -> None:
    assert harvest([]) == ()
    assert harvest(["", ""], extra=("a",)) == ("a",)


def test_candidates_harvest_on_first_read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from coinguard import passwords

    calls: list[tuple[str, ...]] = []
    real = passwords.harvest

    def counting(texts: Any, extra: Any = (), limit: int = 40) -> tuple[str, ...]:
        calls.append(tuple(texts))
        return real(texts, extra, limit)

    monkeypatch.setattr(passwords, "harvest", counting)
    lazy = passwords.Candidates(("Statement", "the password is Inv-8812."), extra=("infected",))
    assert not lazy.harvested and calls == [] and lazy.reads == 0 and "not harvested" in repr(lazy)
    assert list(lazy) == ["Inv-8812.", "Inv-8812", "infected"] == list(real(["Statement", "the password is Inv-8812."],
                                                                             extra=["infected"]))
    assert lazy[0] == "Inv-8812." and lazy[:2] == ("Inv-8812.", "Inv-8812") and len(lazy) == 3
    assert "infected" in lazy and lazy == ("Inv-8812.", "Inv-8812", "infected")
    assert len(calls) == 1 and lazy.harvested and lazy.reads == 7  # harvested once, every read counted


def test_a_scan_of_plain_mail_harvests_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13 §2: the harvest runs only when something encrypted asks for the passwords."""
    from coinguard import passwords
    from coinguard.config import parse_config
    from coinguard.scan import ScanContext, scan_message

    from helpers import make_message, zip_bytes

    calls: list[int] = []
    real = passwords.harvest
    monkeypatch.setattr(passwords, "harvest", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    cfg = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.2\n'
                       '[cache]\nbackend = "off"\n')
    plain = make_message(body="password: Kx-4471! (nothing is encrypted here)",
                         attachments=[("a.zip", zip_bytes({"a.txt": b"hello"}), "application/zip")])
    scan_message(plain, ScanContext(config=cfg))
    assert calls == []
    buf = io.BytesIO()
    with pyzipper.AESZipFile(buf, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(b"Kx-4471!")
        zf.writestr("note.txt", b"x" * 500)
    locked = make_message(body="the password is Kx-4471! for the statement",
                          attachments=[("a.zip", buf.getvalue(), "application/zip")])
    v = scan_message(locked, ScanContext(config=cfg))
    assert calls == [1] and "archive.password_found" in v.codes
    assert any(a.path == "a.zip/note.txt" for a in v.attachments)
