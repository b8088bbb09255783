"""tar unpacker: regular files only, names as data, tar.gz through the compressed unpacker."""

from __future__ import annotations

import io
import tarfile

from coinguard.findings import Finding, Item
from coinguard.scan import ScanContext, scan_message
from coinguard.sniff import sniff
from coinguard.unpack.tar_archive import TarArchive
from unpack.builders import LNK, gzip_bytes

from helpers import make_context, make_message


def tar_bytes(members: dict[str, bytes], extras: list[tarfile.TarInfo] = ()) -> bytes:  # type: ignore[assignment]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for info in extras:
            tf.addfile(info)
    return buf.getvalue()


def run(data: bytes) -> tuple[list[str], list[Item]]:
    item = Item(path="a.tar", name="a.tar", data=data, type=sniff(data))
    assert item.type == "tar"
    out = list(TarArchive().handle(item, make_context()))
    return [o.code for o in out if isinstance(o, Finding)], [o for o in out if isinstance(o, Item)]


def test_regular_files_only_and_names_are_data() -> None:
    link = tarfile.TarInfo("docs/link.lnk")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    device = tarfile.TarInfo("dev/sda")
    device.type = tarfile.BLKTYPE
    data = tar_bytes({"docs/invoice.pdf.lnk": LNK, "../../escape.txt": b"out of tree"}, [link, device])
    codes, items = run(data)
    assert codes == []
    assert {(i.path, i.type) for i in items} == {("a.tar/docs/invoice.pdf.lnk", "lnk"), ("a.tar/escape.txt", "text")}


def test_truncated_tar_keeps_the_good_members() -> None:
    data = tar_bytes({"a.txt": b"first member", "b.bin": bytes(5000)})
    codes, items = run(data[:2048])
    assert [i.name for i in items][:1] == ["a.txt"]
    assert set(codes) <= {"archive.parse_error"}


def test_tar_gz_in_a_message_reaches_the_inner_file() -> None:
    tgz = gzip_bytes(tar_bytes({"payload/invoice.pdf.lnk": LNK}))
    verdict = scan_message(make_message(attachments=[("bundle.tgz", tgz)]), ScanContext())
    paths = {a.path: a.type for a in verdict.attachments}
    assert paths["bundle.tgz/bundle.tar"] == "tar"
    assert paths["bundle.tgz/bundle.tar/payload/invoice.pdf.lnk"] == "lnk"
