"""OneNote analyzer: strelka's harmless test.one, crafted sections, InQuest lures (in memory)."""

from __future__ import annotations

import collections
import io
import struct
import time
import uuid
from pathlib import Path

import pytest

from coinguard.analyzers.onenote import FILE_DATA_GUID, OneNoteAnalyzer, embedded_blobs, recorded_names
from coinguard.findings import Finding, Item
from coinguard.sniff import ONENOTE_GUID

from helpers import CORPUS, DATA, corpus_available, read_corpus_sample, run_handler


def blob(data: bytes) -> bytes:
    return FILE_DATA_GUID + struct.pack("<QIQ", len(data), 0, 0) + data + b"\x00" * 8


def section(*blobs: bytes, names: tuple[str, ...] = ()) -> bytes:
    body = b"".join(blobs) + b"".join(n.encode("utf-16-le") + b"\x00\x00\x00\x00" for n in names)
    return ONENOTE_GUID + b"\x00" * 64 + body


def run(data: bytes) -> tuple[list[Finding], list[Item]]:
    return run_handler(OneNoteAnalyzer(), data, "notes.one")


def test_strelka_one_embeds_a_docx() -> None:
    findings, children = run((DATA / "strelka_test.one").read_bytes())
    assert [f.code for f in findings] == ["onenote.present", "onenote.embedded_file", "onenote.embedded_picture"]
    embedded = [c for c in children if c.role == "embedded"]
    assert [c.type for c in embedded] == ["ooxml.word", "image.png"]
    # the docx's embedded-file node records its name; the picture is no such node: generic name
    assert [c.name for c in embedded] == ["test.docx", "<onenote-file-2>"]
    assert "test.docx" in findings[1].detail
    (text,) = [c for c in children if c.role == "text"]
    assert b"test.docx" in text.data and b"\x00" not in text.data


def test_crafted_hta_blob() -> None:
    hta = (b'<html><head><hta:application id="x"/></head>'
           b'<script language="VBScript">CreateObject("WScript.Shell")</script>')
    findings, children = run(section(blob(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30), blob(hta), names=("Open.hta",)))
    assert [f.code for f in findings] == [
        "onenote.present", "onenote.embedded_picture", "onenote.embedded_file", "onenote.embedded_executable",
    ]
    assert children[1].data == hta and children[1].type == "script.hta"
    assert "Open.hta" in findings[0].detail


def test_runnable_name_over_an_html_blob_is_executable() -> None:
    # an HTA without the hta:application tag sniffs as HTML; the section names it Open.hta
    page = b"<html><body><script>new ActiveXObject('WScript.Shell')</script></body></html>"
    findings, _ = run(section(blob(page), names=("Open.hta",)))
    assert "onenote.embedded_executable" in {f.code for f in findings}


def test_pictures_and_metafiles_are_only_extracted() -> None:
    emf = struct.pack("<II", 1, 108) + b"\x00" * 32 + b" EMF" + b"\x00" * 64
    findings, children = run(section(blob(b"\xff\xd8\xff\xe0" + b"\x00" * 40), blob(emf)))
    assert [f.code for f in findings] == ["onenote.present", "onenote.embedded_picture", "onenote.embedded_picture"]
    assert len(children) == 2  # still handed on (QR codes in a pasted picture)


def scan_section(data: bytes, profile: str) -> object:
    from coinguard.config import parse_config
    from coinguard.scan import ScanContext, scan_message

    from helpers import make_message

    offline = '[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.3\n'
    config = parse_config(f'[policy]\nprofile = "{profile}"\n' + offline)
    return scan_message(make_message(attachments=[("notes.one", data)]), ScanContext(config=config))


@pytest.mark.parametrize(("profile", "verdict", "action"), [("strict", "malicious", "quarantine"),
                                                             ("balanced", "suspicious", "tag")])
def test_any_embedded_file_behind_a_double_click(profile: str, verdict: str, action: str) -> None:
    # a harmless PDF behind the icon: the carrier itself is the technique (attackers rotate the embedded type)
    import pypdf

    writer, out = pypdf.PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=200, height=200)
    writer.write(out)
    pdf = out.getvalue()
    v = scan_section(section(blob(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30), blob(pdf), names=("Invoice.pdf",)), profile)
    assert (str(v.verdict), str(v.action)) == (verdict, action), v.basis  # type: ignore[attr-defined]
    assert v.strengths()["onenote.embedded_file"] == ("conclusive" if profile == "strict" else "strong")  # type: ignore[attr-defined]


def test_section_with_pictures_only_is_not_malicious() -> None:
    v = scan_section(section(blob(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30)), "strict")
    assert str(v.verdict) != "malicious", v.basis  # type: ignore[attr-defined]


def test_page_text_and_link_targets_are_handed_on_as_text() -> None:
    page = "Your wallet is locked. Click to view: https://ledger-unlock.example/claim".encode("utf-16-le")
    cyrillic = "Ваш кошелек заблокирован".encode("utf-16-le")
    _, children = run(section(blob(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30))
                      + b"\x00\x00" + page + b"\x00\x00\x07\x11" + cyrillic + b"\x00\x00")
    (text,) = [c for c in children if c.role == "text"]
    assert text.type == "text"
    lines = text.data.decode().splitlines()
    assert "Your wallet is locked. Click to view: https://ledger-unlock.example/claim" in lines
    assert "Ваш кошелек заблокирован" in lines


def test_impossible_length_is_a_parse_error() -> None:
    bad = FILE_DATA_GUID + struct.pack("<QIQ", 10**9, 0, 0) + b"short"
    findings, children = run(section(bad))
    assert [f.code for f in findings] == ["onenote.present", "onenote.parse_error"]
    assert children == []
    assert list(embedded_blobs(bad)) == []


ONE_LURES = sorted(p.relative_to(CORPUS).as_posix() for p in (CORPUS / "maldocs/inquest").glob("*.one.zip")) \
    if corpus_available() else []


@pytest.mark.corpus
@pytest.mark.parametrize("path", ONE_LURES or ["maldocs/inquest/none.one.zip"])
def test_inquest_onenote_lures(corpus_dir: Path, path: str) -> None:
    findings, children = run(read_corpus_sample(path))
    got = {f.code for f in findings}
    assert {"onenote.present", "onenote.embedded_file", "onenote.embedded_executable"} <= got
    assert got <= {"onenote.present", "onenote.embedded_file", "onenote.embedded_picture",
                   "onenote.embedded_executable"}
    assert any(c.type == "script.bat" for c in children)


# -- the names the revision store records ([MS-ONESTORE] file node lists, [MS-ONE] embedded file nodes) ----------
LIST_MAGIC, LIST_FOOTER, NIL = 0xA4567AB1F5F7F4C4, 0x8BC215C38233BA4B, 2**64 - 1
GROUP = uuid.UUID("{11111111-2222-3333-4444-555555555555}")


def fnode(fid: int, body: bytes = b"", ref: tuple[int, int] | None = None, base: int = 0) -> bytes:
    """One FileNode; a reference is written uncompressed (StpFormat 0: 8 bytes, CbFormat 0: 4 bytes)."""
    raw = (struct.pack("<QI", *ref) if ref is not None else b"") + body
    return struct.pack("<I", fid | (4 + len(raw)) << 10 | base << 27) + raw


def flist(nodes: list[bytes], next_ref: tuple[int, int] = (NIL, 0)) -> bytes:
    return struct.pack("<QII", LIST_MAGIC, 1, 0) + b"".join(nodes) + struct.pack("<QIQ", *next_ref, LIST_FOOTER)


def wz(text: str) -> bytes:
    return (text + "\x00").encode("utf-16-le")


def prop_set(name: str, container: int) -> bytes:
    """ObjectSpaceObjectPropSet of an embedded file node: one OID (the container), no OSIDs; a float before
    the name, the name, the container (an ObjectID: no data), a 4-byte value."""
    oids = struct.pack("<II", 1 | 1 << 31, container)
    prids = [0x14001C3F, 0x1C001D9C, 0x20001D9B, 0x14001C3E]
    body = struct.pack("<f", 1.0) + struct.pack("<I", len(wz(name))) + wz(name) + struct.pack("<I", 7)
    return oids + struct.pack("<H", len(prids)) + struct.pack(f"<{len(prids)}I", *prids) + body


def store(files: list[tuple[str | None, bytes]], *, container_index: int = 0, next_root: bool = False) -> bytes:
    """A .one section with a revision store linking each file to its embedded-file node: header ->
    root list -> (file data store list, object group list with a global ID table) -> property sets, blobs.
    ``None`` as a name: no embedded-file node for that blob (a picture).  ``container_index``: the
    guidIndex the nodes' container IDs use (0 = the table's one entry)."""
    guids = [uuid.UUID(int=0xF11E0000 + n) for n in range(len(files))]

    def build(at: dict[str, int]) -> list[tuple[str, bytes]]:
        fd = [fnode(0x094, guids[n].bytes_le, (at[f"blob{n}"], len(blob(data))), base=1)
              for n, (_, data) in enumerate(files)]
        group = [fnode(0x022), fnode(0x024, struct.pack("<I", 0) + GROUP.bytes_le)]
        for n, (name, _) in enumerate(files):
            ref = f"<ifndf>{{{str(guids[n]).upper()}}}"
            group.append(fnode(0x072, struct.pack("<IIB", 0x10 + n, 0x00080036, 1)
                               + struct.pack("<I", len(ref)) + ref.encode("utf-16-le") + struct.pack("<I", 0)))
            if name is not None:
                group.append(fnode(0x0A4, struct.pack("<IIBB", 0x20 + n, 0x00060035, 0, 1),
                                   (at[f"props{n}"], len(prop_set(name, 0))), base=1))
        group.append(fnode(0x028))
        root = [fnode(0x090, ref=(at["fd"], len(flist(fd))), base=2),
                fnode(0x0B0, ref=(at["group"], len(flist(group))), base=2)]
        chunks = [("root", flist(root, (at["root"], at.get("root_len", 0)) if next_root else (NIL, 0))),
                  ("fd", flist(fd)), ("group", flist(group))]
        chunks += [(f"props{n}", prop_set(name, container_index << 8 | (0x10 + n)))
                   for n, (name, _) in enumerate(files) if name is not None]
        return chunks + [(f"blob{n}", blob(data)) for n, (_, data) in enumerate(files)]

    def offsets(chunks: list[tuple[str, bytes]]) -> dict[str, int]:
        at, pos = {}, 1024
        for key, raw in chunks:
            at[key], pos = pos, pos + len(raw)
        at["root_len"] = len(chunks[0][1])
        return at

    at = offsets(build(collections.defaultdict(int)))
    chunks = build(at)
    header = bytearray(ONENOTE_GUID + bytes(1024 - len(ONENOTE_GUID)))
    struct.pack_into("<QI", header, 172, at["root"], len(chunks[0][1]))
    return bytes(header) + b"".join(raw for _, raw in chunks)


HTA = b'<html><head><hta:application id="x"/></head><script>new ActiveXObject("WScript.Shell")</script></html>'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 30


def embedded_names(data: bytes) -> list[str]:
    return [c.name for c in run(data)[1] if c.role == "embedded"]


def test_an_embedded_file_gets_the_name_its_node_records() -> None:
    data = store([(None, PNG), ("Open.hta", HTA), ("invoice.pdf.cmd", b"@echo harmless-test\r\n")])
    assert recorded_names(data) == {o: n for (o, _), n in zip(list(embedded_blobs(data))[1:],
                                                                ["Open.hta", "invoice.pdf.cmd"], strict=True)}
    assert embedded_names(data) == ["<onenote-file-1>", "Open.hta", "invoice.pdf.cmd"]
    findings, _ = run(data)
    assert "Open.hta" in next(f.detail for f in findings if f.code == "onenote.embedded_file")


def test_an_unresolvable_link_keeps_the_generic_name() -> None:
    # the node's container ID names a global ID table entry that does not exist: nothing is guessed
    data = store([("Open.hta", HTA)], container_index=7)
    assert recorded_names(data) == {} and embedded_names(data) == ["<onenote-file-1>"]
    # a section without a revision store (only the blobs) is read as before
    assert embedded_names(section(blob(HTA), names=("Open.hta",))) == ["<onenote-file-1>"]


def test_a_damaged_or_looping_revision_store_is_bounded_and_keeps_the_blobs() -> None:
    good = store([("Open.hta", HTA)])
    looping = store([("Open.hta", HTA)], next_root=True)  # the root list's next fragment is itself
    assert list(recorded_names(looping).values()) == ["Open.hta"]
    started = time.perf_counter()
    for cut in range(1024, len(good), 7):  # every truncation: no exception, blobs as far as they are whole
        damaged = good[:cut]
        names = recorded_names(damaged)
        assert set(names.values()) <= {"Open.hta"}
        assert run(damaged)[0][0].code == "onenote.present"
    assert time.perf_counter() - started < 20
    garbage = bytearray(good)
    garbage[1024 + 16 : 1024 + 40] = b"\xff" * 24  # the root list's nodes overwritten
    assert recorded_names(bytes(garbage)) == {} and embedded_names(bytes(garbage)) == ["<onenote-file-1>"]


def test_many_nodes_sharing_a_huge_property_set_cost_little() -> None:
    """20000 embedded-file nodes all pointing at one property set of 60000 nested sets: the walk reads a
    bounded number of property sets and values (about 0.25 s here), never 20000 x 60000."""
    props = (struct.pack("<IHI", 1 << 31, 1, 0x10 << 26) + struct.pack("<II", 60000, 0x11 << 26)
             + b"\x00\x00" * 60000)

    def node(stp: int) -> bytes:
        return fnode(0x0A4, struct.pack("<IIBB", 1, 0x00060035, 0, 1), (stp, len(props)), base=1)

    root = flist([node(1024 + len(flist([node(0)] * 20000)))] * 20000)
    header = bytearray(ONENOTE_GUID + bytes(1024 - len(ONENOTE_GUID)))
    struct.pack_into("<QI", header, 172, 1024, len(root))
    started = time.perf_counter()
    assert recorded_names(bytes(header) + root + props) == {}
    assert time.perf_counter() - started < 10
