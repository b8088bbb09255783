"""Password harvest (coinguard.passwords): the keyword forms and languages a sender writes a password in."""

from __future__ import annotations

import pytest

from coinguard.passwords import harvest


@pytest.mark.parametrize(
    "text",
    [
        "Password: Tide-7741",
        "pw: Tide-7741",
        "the password for the archive is Tide-7741",
        "Report (password Tide-7741)",
        "Das Passwort lautet: Tide-7741",  # "Passwort" is one word, not "Pass" + "wort"
        "Kennwort: Tide-7741",
        "Le mot de passe : Tide-7741",
        "La contraseña es: Tide-7741",
        "A senha é: Tide-7741",
        "Het wachtwoord is Tide-7741",
        "Пароль: Tide-7741",
        "Пароль от архива — Tide-7741",
        "Hasło: Tide-7741",
        "Şifre: Tide-7741",
        "Mật khẩu: Tide-7741",
        "密码：Tide-7741",
        "パスワード：Tide-7741",
        "암호는 Tide-7741입니다",
        "كلمة المرور: Tide-7741",
        "סיסמה: Tide-7741",
    ],
)
def test_the_password_is_harvested(text: str) -> None:
    assert "Tide-7741" in harvest([text])


def test_a_keyword_inside_a_word_is_no_keyword() -> None:
    assert harvest(["Compass: north", "Bypass road closed"]) == ()
