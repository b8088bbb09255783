"""Passwords for encrypted attachments written the way senders write them (issue 11, password harvest).

Technique: the lure sends an encrypted Office file or archive (the scanner cannot read it) and the password
in the mail, in whatever words, script and markup the sender uses: a copula of the mail's language ("Das
Passwort lautet", "La contraseña es", "Le mot de passe est", "A senha é"), a keyword a few words before it
without a copula (Russian "Пароль к документу"), the password before its keyword ("enter X as the
password"), "open it with" / "protected with", quotes of other scripts (« », „ “, 【 】), a table cell or a
bold word (the HTML rendered to text), emphasis marks kept by a text rendering, the Subject.  Every case
here must give the password as a candidate; end to end, the encrypted file is then opened and scanned, and
one whose password is not in the mail stays unopened (so the message is never called clean).
"""

from __future__ import annotations

import pytest

from analyzers.test_encrypted import DOCX, encrypt
from analyzers.test_phish_variants import mail, scan
from coinguard.findings import VerdictKind
from coinguard.passwords import harvest
from unpack.builders import zip_archive

PW = "Qr7-4410"


@pytest.mark.parametrize("template", [
    # a copula of the language, no colon
    "Das Passwort lautet {pw}",
    "Das Kennwort zum Öffnen ist {pw}",
    "La contraseña es {pw}",
    "La contraseña del archivo adjunto es: {pw}",
    "A senha é {pw}",
    "A senha para abrir o documento é: {pw}",
    "Le mot de passe est {pw}",
    "Le mot de passe du fichier est : {pw}",
    "La password è {pw}",
    "The passcode is:  {pw}",
    # no copula at all (Slavic), the keyword a few words before
    "Пароль к документу {pw}",
    "Heslo k souboru {pw}.",
    # the password before its keyword
    "Enter {pw} as the password.",
    "Please use {pw} as password",
    # "open it with", "protected with"
    "Open it with: {pw}",
    "The archive is protected with {pw}",
    # quotes and brackets of other scripts, emphasis kept by a text rendering
    "password «{pw}»",
    "пароль «{pw}»",
    "Passwort „{pw}“",
    "비밀번호 : 【{pw}】",
    "パスワードは「{pw}」です",
    "Password: *{pw}*",
    "Password: **{pw}**",
    # a table (rendered to text as cells side by side), an arrow
    "Password | {pw}",
    "Document password → {pw}",
    # Chinese and Japanese copulas and polite endings touching the password
    "密码是 {pw}",
    "密码为：{pw}",
    "解压密码是{pw}",
    "パスワードは{pw}です",
    # the keyword in the Nordic, Hungarian, Romanian, Italian, Greek, Malay, Indonesian forms, "p/w"
    "Lösenord: {pw}",
    "Salasana: {pw}",
    "Adgangskode: {pw}",
    "Passord: {pw}",
    "Jelszó: {pw}",
    "Parolă: {pw}",
    "Parola: {pw}",
    "Κωδικός: {pw}",
    "Kata laluan: {pw}",
    "Sandi: {pw}",
    "p/w: {pw}",
    # a pointer after the copula, the password after the colon
    "The password is the invoice number: {pw}",
    # the forms that already worked stay working
    "PW: {pw}",
    "Pass code: {pw}",
    "open with {pw}",
    "암호: {pw}",
    "비밀번호는 {pw}입니다",
    "パスワード：{pw}",
    "Пароль: {pw}",
    "contraseña: {pw}",
    "senha: {pw}",
    "mot de passe : {pw}",
    "Şifre: {pw}",
    "Mật khẩu: {pw}",
])
def test_password_phrasing_is_harvested(template: str) -> None:
    assert PW in harvest([template.format(pw=PW)])


def test_a_copula_is_no_password_and_a_word_is_not_split() -> None:
    # "Password example9": the Italian copula "e" must not cut the word into "xample9"
    got = harvest(["Password example9", "The password is below.", "La contraseña es la misma."])
    assert "example9" in got and "xample9" not in got
    assert not {"below", "below.", "es", "is"} & set(got)


@pytest.fixture(scope="module")
def secret_docx() -> bytes:
    return encrypt(DOCX, PW)


def _findings(raw: bytes) -> set[str]:
    return {f.code for f in scan(raw).findings}


@pytest.mark.parametrize(("subject", "text", "html"), [
    ("Rechnung 4410", "Guten Tag,\n\ndie Rechnung ist angehängt. Das Passwort lautet " + PW + "\n", None),
    ("Factura", "Hola, adjunto la factura. La contraseña es " + PW + "\n", None),
    ("Счёт", "Здравствуйте, счёт во вложении. Пароль к документу " + PW + "\n", None),
    ("청구서", "안녕하세요. 첨부 파일의 비밀번호는 " + PW + "입니다.\n", None),
    ("Invoice (PW: " + PW + ")", "Please see the attached invoice.\n", None),
    ("Statement", None, "<p>Your statement is attached.</p><table><tr><td>Document password</td>"
                        "<td><b>" + PW + "</b></td></tr></table>"),
    ("請求書", None, "<p>添付ファイルのパスワード：<strong>" + PW + "</strong></p>"),
])
def test_encrypted_document_with_its_password_in_the_mail_is_opened(
        secret_docx: bytes, subject: str, text: str | None, html: str | None) -> None:
    raw = mail("Accounts <accounts@vendor.example>", subject, text=text, html=html,
               attachments=[("invoice.docx", secret_docx,
                             "application/vnd.openxmlformats-officedocument.wordprocessingml.document")])
    found = _findings(raw)
    assert "office.encrypted.opened" in found and "office.encrypted.unopened" not in found, found


def test_encrypted_zip_with_its_password_in_french_is_opened() -> None:
    archive = zip_archive({"facture.txt": b"Facture 4410: 120 EUR\n" * 20}, password=PW.encode())
    raw = mail("Compta <compta@vendor.example>", "Facture", text="Bonjour, le mot de passe est " + PW + "\n",
               attachments=[("facture.zip", archive, "application/zip")])
    assert "archive.encrypted_unopened" not in _findings(raw)


def test_encrypted_document_without_its_password_stays_unchecked(secret_docx: bytes) -> None:
    raw = mail("Accounts <accounts@vendor.example>", "Invoice",
               text="Please see the attached invoice. The password will follow by phone.\n",
               attachments=[("invoice.docx", secret_docx,
                             "application/vnd.openxmlformats-officedocument.wordprocessingml.document")])
    v = scan(raw)
    assert "office.encrypted.unopened" in {f.code for f in v.findings}
    assert v.verdict is not VerdictKind.CLEAN


# -- the password as a separate text file beside the encrypted one (technique: a note attachment, so that
# -- the body names no password a filter could read)

def _with_note(secret_docx: bytes, note: bytes, *, body: str = "The invoice and its password are attached.\n",
               message_id: str = "") -> bytes:
    raw = mail("Accounts <accounts@vendor.example>", "Invoice 4410", text=body,
               attachments=[("invoice.docx", secret_docx,
                             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                            ("password.txt", note, "text/plain")])
    return raw.replace(b"<variant-1@example.org>", message_id.encode()) if message_id else raw


@pytest.mark.parametrize("note", [
    b"Password: " + PW.encode() + b"\r\n",
    ("Das Passwort lautet " + PW + "\r\n").encode("utf-8"),
])
def test_password_in_a_text_file_beside_the_encrypted_one_opens_it(secret_docx: bytes, note: bytes) -> None:
    found = _findings(_with_note(secret_docx, note))
    assert "office.encrypted.opened" in found and "office.encrypted.unopened" not in found, found


def test_a_note_without_the_password_leaves_the_document_unchecked(secret_docx: bytes) -> None:
    v = scan(_with_note(secret_docx, b"Please call us for the password.\r\n"))
    assert "office.encrypted.unopened" in {f.code for f in v.findings}
    assert v.verdict is not VerdictKind.CLEAN


def test_the_note_opens_it_on_a_copy_replayed_by_the_body_cache_too(secret_docx: bytes) -> None:
    """The body tier replays a known body: the note's password must be a candidate there too (the replay is
    only usable with the passwords its entry was stored with), and every copy's verdict is the uncached one."""
    from test_cache_body import lru, signature
    from test_cache_body import scan as cached_scan

    cache = lru()
    copies = [_with_note(secret_docx, b"Password: " + PW.encode() + b"\r\n", message_id=f"<note-{n}@example.org>")
              for n in range(4)]
    got = [cached_scan(raw, cache, n) for n, raw in enumerate(copies)]
    plain = [cached_scan(raw, None, n) for n, raw in enumerate(copies)]
    for a, b in zip(got, plain, strict=True):
        assert signature(a) == signature(b)
    assert "office.encrypted.opened" in {f.code for f in got[-1].findings}
    assert dict(got[-1].cache_counts)["hit"] > 0


def test_only_small_top_level_text_files_are_read_for_passwords() -> None:
    from coinguard.findings import Item, Role
    from coinguard.passwords import NOTE_BYTES, NOTE_FILES, password_texts

    note = Item("1", "pw.txt", b"Password: A1\n", "text")
    member = Item("2/pw.txt", "pw.txt", b"Password: B2\n", "text", depth=1, role=Role.MEMBER)
    picture = Item("3", "pw.png", b"Password: C3\n", "png")
    big = Item("4", "long.txt", b"x" * NOTE_BYTES + b" Password: D4\n", "text")
    texts = password_texts("Subject", "body", [note, member, picture, big, *[note] * NOTE_FILES])
    assert texts[:3] == ("Subject", "body", "Password: A1\n")
    assert len(texts) == 2 + NOTE_FILES and not any("B2" in t or "C3" in t or "D4" in t for t in texts)
