"""Test helpers importable from any test module (``from helpers import ...``).

pytest puts ``tests/`` on sys.path (``pythonpath = tests`` in setup.cfg).  Corpus
helpers read ../shared/corpus; malicious samples are decompressed in memory only.
"""

from __future__ import annotations

import csv
import io
import os
import random
import socket
import zipfile
from collections.abc import Iterable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from coinguard.config import Config
from coinguard.handlers import AnalysisContext, MessageInfo
from coinguard.limits import Budget

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
CORPUS = Path(os.environ.get("COINGUARD_CORPUS", REPO.parent / "shared" / "corpus"))


_PORTS_GIVEN: set[int] = set()


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    """A loopback TCP port for a server a test starts, free when chosen.

    Not from the kernel's ephemeral range: a port bound to 0 comes from the range the
    outgoing connections of everything else on the machine (Postfix's smtp clients, a
    benchmark beside the suite) take their source ports from, so between the check and
    the server's bind another process could take it. Ports below that range are only
    taken by servers that ask for them; a random choice keeps two test processes apart,
    and a port is never handed out twice by one process.
    """
    low, high = _ephemeral_range()
    top = low - 1 if low > 12000 else 65535
    bottom = 10000 if low > 12000 else high + 1
    for _ in range(200 if bottom < top else 0):
        port = random.randint(bottom, top)
        if port in _PORTS_GIVEN:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _PORTS_GIVEN.add(port)
        return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:  # pragma: no cover - a crowded machine
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    _PORTS_GIVEN.add(port)
    return port


def corpus_available() -> bool:
    return (CORPUS / "MANIFEST.tsv").is_file()


def need_corpus() -> Path:
    """Skip the calling test when the corpus is absent; return its path otherwise."""
    if not corpus_available():
        pytest.skip(f"corpus not available at {CORPUS}")
    return CORPUS


def manifest() -> list[dict[str, str]]:
    """MANIFEST.tsv rows (path, sha256, source, license, expected, contains); [] without the corpus."""
    if not corpus_available():
        return []
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def zip_password(row: dict[str, str]) -> bytes:
    contains = row.get("contains", "")
    if "pw=" in contains:
        return contains.split("pw=", 1)[1].split()[0].strip("]").encode()
    return b"infected"


def read_corpus_zip(relpath: str, password: bytes | None = None) -> dict[str, bytes]:
    """Every member of a password-protected corpus zip, decompressed IN MEMORY (never to disk)."""
    need_corpus()
    if password is None:
        row = next((r for r in manifest() if r["path"] == relpath), None)
        password = zip_password(row) if row else b"infected"
    out: dict[str, bytes] = {}
    with zipfile.ZipFile(CORPUS / relpath) as zf:
        for info in zf.infolist():
            if not info.is_dir():
                out[info.filename] = zf.read(info, pwd=password)
    return out


def read_corpus_sample(relpath: str) -> bytes:
    """The single inner file of a maldocs zip, or a plain corpus file, in memory."""
    need_corpus()
    if relpath.startswith("maldocs/") and relpath.endswith(".zip"):
        return next(iter(read_corpus_zip(relpath).values()))
    return (CORPUS / relpath).read_bytes()


def make_message(
    *,
    subject: str = "Hello",
    sender: str = "Alice <alice@example.org>",
    to: str = "bob@example.net",
    body: str = "Hi Bob,\nsee you tomorrow.\n",
    html: str | None = None,
    attachments: Iterable[tuple[Any, ...]] = (),
    headers: Iterable[tuple[str, str]] = (),
) -> bytes:
    """A real RFC 5322 message built with the stdlib, CRLF line ends.

    ``attachments`` holds ``(filename, data)`` or ``(filename, data, "type/subtype")``.
    """
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = "<test-1@example.org>"
    msg["Date"] = "Tue, 24 Nov 2026 10:00:00 +0000"
    for name, value in headers:
        msg[name] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for att in attachments:
        name, data = att[0], att[1]
        ctype = att[2] if len(att) > 2 else "application/octet-stream"
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def make_context(config: Config | None = None, message: MessageInfo | None = None, **kw: Any) -> AnalysisContext:
    """An AnalysisContext for calling one handler directly."""
    cfg = config or Config()
    return AnalysisContext(config=cfg, budget=Budget(cfg.scan.limits()), message=message or MessageInfo(), **kw)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def run_handler(handler: Any, data: bytes, name: str, **ctx_kw: Any) -> tuple[list[Any], list[Any]]:
    """Run one item analyzer on ``data`` as a file named ``name``: (findings, child Items).

    The item's type is sniffed from the bytes, as the pipeline does; asserts the handler applies.
    """
    from coinguard.findings import Finding, Item
    from coinguard.sniff import sniff

    item = Item(path=name, name=name, data=data, type=sniff(data))
    assert handler.applies_to(item), item.type
    out = list(handler.handle(item, make_context(**ctx_kw)))
    return [f for f in out if isinstance(f, Finding)], [c for c in out if isinstance(c, Item)]


def codes(findings: Iterable[Any]) -> set[str]:
    """The distinct finding codes of ``findings``."""
    return {f.code for f in findings}


def dkim_keypair() -> tuple[bytes, str]:
    """A fresh RSA key: (private key PEM for dkim.sign, the DKIM TXT record that publishes it)."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption())
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
