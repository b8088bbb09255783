"""Encrypted Office documents: documents encrypted in the test with msoffcrypto, oletools PoCs, corpus."""

from __future__ import annotations

import io
import random

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from coinguard.analyzers.encrypted import EncryptedOffice
from coinguard.findings import Finding, Item
from coinguard.sniff import sniff

from helpers import DATA, codes, read_corpus_sample, run_handler, zip_bytes

ANALYZER = EncryptedOffice()
DOCX = zip_bytes({
    "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                           b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
    "word/document.xml": b"<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'/>",
    # msoffcrypto mis-decrypts packages under 4 KiB (OLE mini stream); real documents are larger.
    "word/media/image1.bin": random.Random(7).randbytes(6000),
})


def encrypt(plain: bytes, password: str) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt(password, out)
    return out.getvalue()


@pytest.fixture(scope="module")
def secret_docx() -> bytes:
    return encrypt(DOCX, "Wallet-2024!")


def run(data: bytes, passwords: tuple[str, ...] = ()) -> tuple[list[Finding], list[Item]]:
    return run_handler(ANALYZER, data, "doc.docx", passwords=passwords)


def test_encrypted_docx_without_password(secret_docx: bytes) -> None:
    assert sniff(secret_docx) == "ole.encrypted"
    findings, children = run(secret_docx, ("1234", "infected"))
    assert codes(findings) == {"office.encrypted", "office.encrypted.unopened"}
    assert children == []
    assert "3 password(s) tried" in findings[1].detail


def test_password_from_the_message_opens_it(secret_docx: bytes) -> None:
    findings, children = run(secret_docx, ("1234", "Wallet-2024!"))
    assert codes(findings) == {"office.encrypted", "office.encrypted.opened"}
    assert "Wallet-2024!" not in findings[1].detail and "candidate #2" in findings[1].detail
    assert len(children) == 1
    child = children[0]
    assert child.data == DOCX and child.type == "ooxml.word"
    assert child.role == "extracted" and child.meta["password"] == "Wallet-2024!"


def test_velvetsweatshop_is_the_default_password() -> None:
    findings, children = run(encrypt(DOCX, "VelvetSweatshop"))
    assert codes(findings) == {"office.encrypted", "office.encrypted.default_password"}
    assert children[0].data == DOCX


def test_unencrypted_legacy_documents_are_ignored() -> None:
    findings, children = run((DATA / "oletools_excel4_sample_macro.xls").read_bytes())
    assert findings == [] and children == []


def test_legacy_rc4_xls_with_default_password() -> None:
    findings, children = run((DATA / "oletools_autostart-encrypt-standardpassword.xls").read_bytes())
    assert codes(findings) == {"office.encrypted", "office.encrypted.default_password"}
    assert children[0].type == "ole.xls"


def test_oletools_encrypted_xlsx_with_dde() -> None:
    findings, children = run((DATA / "oletools_dde-test-encrypt-standardpassword.xlsx").read_bytes())
    assert codes(findings) == {"office.encrypted", "office.encrypted.default_password"}
    assert children[0].type == "ooxml.excel"


def test_damaged_encrypted_package_is_a_parse_error(secret_docx: bytes) -> None:
    findings, _ = run(secret_docx[:3000])
    assert codes(findings) == {"office.encrypted.parse_error"}


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("relpath", "passwords", "expected"),
    [
        ("maldocs/oletools/encrypted.docx.zip", (), {"office.encrypted", "office.encrypted.unopened"}),
        ("maldocs/oletools/autostart-encrypt-standardpassword.xlsb.zip", (),
         {"office.encrypted", "office.encrypted.default_password"}),
        ("benign/attachments/strelka/test_password.docx", (), {"office.encrypted", "office.encrypted.unopened"}),
        ("benign/attachments/strelka/test_password.docx", ("Password1!",),
         {"office.encrypted", "office.encrypted.opened"}),
    ],
)
def test_corpus_documents(corpus_dir: object, relpath: str, passwords: tuple[str, ...], expected: set[str]) -> None:
    findings, _ = run(read_corpus_sample(relpath), passwords)
    assert codes(findings) == expected


def test_password_in_the_mail_body_opens_the_attachment_end_to_end() -> None:
    from coinguard.config import Config
    from coinguard.scan import ScanContext, scan_message

    from helpers import make_message

    locked = encrypt((DATA / "oletools_dde-test.docx").read_bytes(), "Kx7-2024")
    msg = make_message(subject="Invoice", body="Hello,\nthe document password is Kx7-2024\nregards",
                       attachments=[("invoice.docx", locked)])
    verdict = scan_message(msg, ScanContext(config=Config()))
    found = {(f.code, f.path) for f in verdict.findings}
    assert ("office.encrypted.opened", "invoice.docx") in found
    assert ("dde.command", "invoice.docx/<decrypted>") in found
    assert verdict.verdict == "malicious"


def test_unopened_document_alone_is_unchecked_not_clean(secret_docx: bytes) -> None:
    """No password in the mail: its score stays under the tag threshold (not the password-in-the-body
    lure), but nobody read the document, so the verdict is unchecked, never clean (issue 10)."""
    from coinguard.config import Config
    from coinguard.policy import decide

    findings, _ = run(secret_docx)
    verdict = decide(findings, {c.code: c for c in EncryptedOffice.codes}, Config())
    assert verdict.verdict == "unchecked" and verdict.score < Config().policy.suspicious_score


# -- issue 11: the password written in the mail opens the document, and its content decides -------
def _clean_docx() -> bytes:
    import zipfile

    text = "".join(f"<w:p><w:r><w:t>Quarterly figures, line {n}: revenue and costs as agreed.</w:t></w:r></w:p>"
                   for n in range(120))
    buf = io.BytesIO()
    # stored, not deflated: msoffcrypto mis-decrypts packages under 4 KiB (see DOCX above)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                    '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
                    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                    "</Types>")
        zf.writestr("_rels/.rels",
                    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                    '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        zf.writestr("word/document.xml",
                    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                    + text + "</w:body></w:document>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Q3 figures", "Hi Bob,\nthe figures are attached.\nPassword: Tide-7741\nKim\n"),
        ("Q3 figures", "Hi Bob,\nfigures attached, pw: Tide-7741\n"),
        ("Q3 figures", "Hi Bob,\nthe password for the document is Tide-7741.\nKim\n"),
        ("Q3 figures (password Tide-7741)", "Hi Bob,\nthe figures are attached.\nKim\n"),
        ("季度报告", "您好，附件是季度报告。密码：Tide-7741\n"),
        ("Quartalszahlen", "Hallo Bob,\nanbei die Zahlen. Das Passwort lautet: Tide-7741\nGruß Kim\n"),
        ("Chiffres T3", "Bonjour,\nle mot de passe : Tide-7741\nCordialement\n"),
        ("Отчёт", "Добрый день,\nпароль от документа: Tide-7741\n"),
        ("分期報告", "お世話になります。パスワード：Tide-7741\n"),
        ("분기 보고서", "안녕하세요. 첨부 문서 암호는 Tide-7741입니다.\n"),
    ],
)
def test_password_in_the_mail_opens_a_clean_document_which_stays_clean(subject: str, body: str) -> None:
    from coinguard.config import parse_config
    from coinguard.scan import ScanContext, scan_message

    from helpers import make_message

    plain = _clean_docx()
    assert len(plain) > 4096
    locked = encrypt(plain, "Tide-7741")
    msg = make_message(subject=subject, body=body, attachments=[("figures.docx", locked)])
    cfg = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.05\n')
    verdict = scan_message(msg, ScanContext(config=cfg))
    found = {f.code for f in verdict.findings}
    assert "office.encrypted.opened" in found and "office.encrypted.unopened" not in found
    assert verdict.verdict == "clean", [(f.code, f.score) for f in verdict.findings if f.score]
    # the decrypted document went through the analyzers as a Word document of its own
    assert ("figures.docx/<decrypted>", "ooxml.word") in {(a.path, a.type) for a in verdict.attachments}


def test_a_macro_document_behind_the_password_in_the_mail_is_still_found() -> None:
    from coinguard.config import parse_config
    from coinguard.scan import ScanContext, scan_message

    from helpers import make_message

    locked = encrypt((DATA / "oletools_dde-test.docx").read_bytes(), "Tide-7741")
    msg = make_message(subject="Rechnung", body="Das Passwort lautet: Tide-7741", attachments=[("r.docx", locked)])
    cfg = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.05\n')
    verdict = scan_message(msg, ScanContext(config=cfg))
    assert verdict.verdict == "malicious" and ("dde.command", "r.docx/<decrypted>") in {
        (f.code, f.path) for f in verdict.findings}
