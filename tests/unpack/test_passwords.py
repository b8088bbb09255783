"""passwords.harvest: candidates from subject and body, English and Korean, bounded and ordered."""

from __future__ import annotations

import pytest

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
