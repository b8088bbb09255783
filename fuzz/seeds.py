"""Seed inputs for the harnesses: the repo's test files and containers built in code.

Nothing here is live malware: EICAR (the standard harmless test string) stands in for a
payload; ``tests/data`` holds only harmless technique samples (see its SOURCES.md).
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from functools import cache

from harness import REPO

DATA = REPO / "tests" / "data"
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def eicar_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("eicar.com", EICAR)
    return buf.getvalue()


def _tar(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@cache
def files() -> tuple[bytes, ...]:
    """Attachment-sized seeds: every tests/data file plus one container of each kind."""
    from unpack import builders

    out = [p.read_bytes() for p in sorted(DATA.iterdir()) if p.is_file() and p.suffix != ".md"]
    inner = {"eicar.com": EICAR, "readme.txt": b"seed phrase wallet binance\n", "a.lnk": builders.LNK}
    out += [
        eicar_zip(),
        builders.zip_archive(inner, password=b"infected"),
        builders.zipcrypto_archive(inner, b"infected"),
        builders.sevenzip_archive(inner),
        builders.sevenzip_archive(inner, password="infected"),
        builders.iso_image(inner),
        builders.cab_archive(inner),
        builders.outlook_msg("invoice", "see attached", {"eicar.com": EICAR}),
        builders.tnef({"eicar.com": EICAR}),
        builders.gzip_bytes(EICAR),
        _tar(inner),
        builders.fixed_vhd(builders.fat12_image({"EICAR.COM": EICAR}, sectors=720)),
    ]
    return tuple(out)


@cache
def messages() -> tuple[bytes, ...]:
    """Whole-message seeds: plain, HTML, each file seed attached, nested and encoded-word headers."""
    from helpers import make_message

    out = [
        make_message(),
        make_message(subject="=?utf-8?q?Your_wallet?=", body="Enter your seed phrase at binance-verify.com",
                     html="<p>Dear <b>Binance</b> user, <a href='http://bit.ly/x'>verify</a></p>"),
        make_message(body="send 0.1 BTC to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2\n",
                     headers=[("Authentication-Results", "mx.example; dkim=pass header.d=binance.com")]),
    ]
    out += [make_message(subject="invoice", attachments=[(f"file{n}.bin", data)]) for n, data in enumerate(files())]
    inner = make_message(attachments=[("eicar.zip", eicar_zip())])
    out.append(make_message(attachments=[("fwd.eml", inner, "message/rfc822")]))
    return tuple(out)
