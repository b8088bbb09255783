"""Builders for the containers the unpack tests open: archives, disk images, Outlook and TNEF messages.

Everything is made in memory with the same libraries users have (pyzipper, py7zr, pycdlib,
extract-msg's OLE writer) or written by hand from the format specifications where no writer
exists (FAT12, fixed VHD footer, CAB with stored data, TNEF, CHM with an uncompressed content
section, xar packages, UDIF disk images, odc cpio).  No mkfs, mtools, makecab, hhc or hdiutil needed.
"""

from __future__ import annotations

import base64
import hashlib
import io
import lzma
import struct
import time
import uuid
import zlib

import py7zr
import pycdlib
import pyzipper
from extract_msg.ole_writer import OleWriter

#: A harmless shortcut header (LNK magic + CLSID); enough for sniff to call it ``lnk``.
LNK = b"L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00F" + bytes(56)


def zip_archive(members: dict[str, bytes], password: bytes | None = None, aes: bool = True) -> bytes:
    """A zip; with ``password``, WinZip AES (``aes``, pyzipper) or traditional PKWARE ZipCrypto encrypted."""
    if password and not aes:
        return zipcrypto_archive(members, password)
    buf = io.BytesIO()
    kwargs = {"encryption": pyzipper.WZ_AES} if password else {}
    with pyzipper.AESZipFile(buf, "w", compression=pyzipper.ZIP_DEFLATED, **kwargs) as zf:
        if password:
            zf.setpassword(password)
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


class _ZipCrypto:
    """The traditional PKWARE stream cipher (APPNOTE 6.1); no library writes it."""

    def __init__(self, password: bytes) -> None:
        self.keys = [0x12345678, 0x23456789, 0x34567890]
        for byte in password:
            self._update(byte)

    def _update(self, byte: int) -> None:
        k0, k1, k2 = self.keys
        k0 = zlib.crc32(bytes([byte]), k0 ^ 0xFFFFFFFF) ^ 0xFFFFFFFF
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = zlib.crc32(bytes([k1 >> 24]), k2 ^ 0xFFFFFFFF) ^ 0xFFFFFFFF
        self.keys = [k0, k1, k2]

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            temp = (self.keys[2] | 2) & 0xFFFF
            out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
            self._update(byte)
        return bytes(out)


def zipcrypto_archive(members: dict[str, bytes], password: bytes) -> bytes:
    """A deflated zip whose members are ZipCrypto encrypted (flag bit 0, 12-byte encryption header)."""
    local = bytearray()
    central = bytearray()
    for name, data in members.items():
        crc = zlib.crc32(data)
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = packer.compress(data) + packer.flush()
        cipher = _ZipCrypto(password)
        body = cipher.encrypt(bytes(11) + bytes([crc >> 24]) + packed)
        raw_name = name.encode()
        fields = struct.pack("<HHHHHIIIHH", 20, 1, 8, 0, 0x21, crc, len(body), len(data), len(raw_name), 0)
        central += b"PK\x01\x02" + struct.pack("<H", 20) + fields + struct.pack("<HHHII", 0, 0, 0, 0, len(local))
        central += raw_name
        local += b"PK\x03\x04" + fields + raw_name + body
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(local), 0)
    return bytes(local + central + end)


def sevenzip_archive(members: dict[str, bytes], password: str | None = None, header_encryption: bool = False) -> bytes:
    buf = io.BytesIO()
    with py7zr.SevenZipFile(buf, "w", password=password, header_encryption=header_encryption) as szf:
        for name, data in members.items():
            szf.writestr(data, name)
    return buf.getvalue()


def sevenzip_named(name: str, data: bytes) -> bytes:
    """A 7z whose one member is stored under ``name`` exactly, even one py7zr refuses to write (``../x``).

    py7zr writes a placeholder of the same length into a plain (not encoded) header; the placeholder's
    UTF-16 bytes are then replaced by ``name``'s and the header CRCs recomputed.
    """
    placeholder = "".join("p" if ch in "./\\" else ch for ch in name)
    buf = io.BytesIO()
    with py7zr.SevenZipFile(buf, "w") as archive:
        archive.set_encoded_header_mode(False)
        archive.writestr(data, placeholder)
    out = bytearray(buf.getvalue())
    if placeholder == name:
        return bytes(out)
    old, new = placeholder.encode("utf-16-le"), name.encode("utf-16-le")
    (offset, size) = struct.unpack_from("<QQ", out, 12)
    start = 32 + offset
    header = bytes(out[start : start + size])
    assert header.count(old) == 1, "placeholder not found once in the plain 7z header"
    header = header.replace(old, new)
    out[start : start + size] = header
    struct.pack_into("<I", out, 28, zlib.crc32(header))
    struct.pack_into("<I", out, 8, zlib.crc32(bytes(out[12:32])))
    return bytes(out)


def iso_image(members: dict[str, bytes], joliet: bool = True, udf: bool = False) -> bytes:
    """An ISO 9660 image (with Joliet, or UDF 2.60 bridge, long names) holding ``members`` in the root."""
    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=3, joliet=3 if joliet and not udf else None, udf="2.60" if udf else None)
    for index, (name, data) in enumerate(members.items()):
        iso_name = f"/F{index}.;1"
        kwargs = {"udf_path": f"/{name}"} if udf else {"joliet_path": f"/{name}"} if joliet else {}
        iso.add_fp(io.BytesIO(data), len(data), iso_name, **kwargs)
    out = io.BytesIO()
    iso.write_fp(out)
    iso.close()
    return out.getvalue()


def cab_archive(members: dict[str, bytes]) -> bytes:
    """A cabinet with one uncompressed folder (typeCompress 0); each file in its own CFDATA block."""
    files = b""
    blocks = b""
    offset = 0
    for name, data in members.items():
        files += struct.pack("<IIHHHH", len(data), offset, 0, 0x5A21, 0, 0x20) + name.encode() + b"\0"
        offset += len(data)
    payload = b"".join(members.values())
    chunks = [payload[i : i + 32768] for i in range(0, len(payload), 32768)] or [b""]
    header_size, folder_size = 36, 8
    first_data = header_size + folder_size + len(files)
    for chunk in chunks:
        blocks += struct.pack("<IHH", 0, len(chunk), len(chunk)) + chunk
    total = first_data + len(blocks)
    header = struct.pack("<4sIIIIIBBHHHHH", b"MSCF", 0, total, 0, header_size + folder_size, 0, 3, 1, 1,
                         len(members), 0, 0x1234, 0)
    folder = struct.pack("<IHH", first_data, len(chunks), 0)
    return header + folder + files + blocks


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def outlook_msg(subject: str, body: str, attachments: dict[str, bytes]) -> bytes:
    """A minimal Outlook .msg (MS-OXMSG): subject, plain body and by-value attachments."""
    writer = OleWriter()
    count = len(attachments)
    writer.addEntry("__properties_version1.0", bytes(8) + struct.pack("<IIII", 0, count, 0, count) + bytes(8))
    writer.addEntry("__substg1.0_001A001F", _utf16("IPM.Note"))
    writer.addEntry("__substg1.0_0037001F", _utf16(subject))
    writer.addEntry("__substg1.0_1000001F", _utf16(body))
    writer.addEntry("__nameid_version1.0", storage=True)
    for stream in ("00020102", "00030102", "00040102"):
        writer.addEntry(f"__nameid_version1.0/__substg1.0_{stream}", b"")
    for index, (name, data) in enumerate(attachments.items()):
        folder = f"__attach_version1.0_#{index:08X}"
        writer.addEntry(folder, storage=True)
        # PidTagAttachMethod (0x3705, PtypInteger32) = 1: attached by value
        writer.addEntry(f"{folder}/__properties_version1.0", bytes(8) + struct.pack("<HHIQ", 0x0003, 0x3705, 7, 1))
        writer.addEntry(f"{folder}/__substg1.0_3707001F", _utf16(name))
        writer.addEntry(f"{folder}/__substg1.0_37010102", data)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _tnef_attr(level: int, kind: int, ident: int, data: bytes) -> bytes:
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BII", level, (kind << 16) | ident, len(data)) + data + struct.pack("<H", checksum)


def tnef(attachments: dict[str, bytes]) -> bytes:
    """A winmail.dat (MS-OXTNEF) with a version, an OEM code page and by-value attachments."""
    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += _tnef_attr(1, 0x8, 0x9006, struct.pack("<I", 0x10000))  # attTnefVersion
    out += _tnef_attr(1, 0x6, 0x9007, struct.pack("<II", 1252, 0))  # attOemCodepage
    for name, data in attachments.items():
        out += _tnef_attr(2, 0x6, 0x9002, bytes(14))  # attAttachRendData starts an attachment
        out += _tnef_attr(2, 0x1, 0x8010, name.encode("cp1252") + b"\0")  # attAttachTitle
        out += _tnef_attr(2, 0x6, 0x800F, data)  # attAttachData
    return out


def gzip_bytes(data: bytes, level: int = 9) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def now() -> float:
    return time.perf_counter()

SECTOR = 512


def fat12_image(files: dict[str, bytes], sectors: int = 2880) -> bytes:
    """A 1.44 MB FAT12 floppy image holding ``files`` (8.3 names, root directory only)."""
    reserved, fats, root_entries, fat_sectors, per_track, heads = 1, 2, 224, 9, 18, 2
    boot = bytearray(SECTOR)
    boot[0:3] = b"\xeb\x3c\x90"
    boot[3:11] = b"MSWIN4.1"
    struct.pack_into("<HBHBHHBHHHI", boot, 11, SECTOR, 1, reserved, fats, root_entries, sectors, 0xF0,
                     fat_sectors, per_track, heads, 0)
    struct.pack_into("<BBBI11s8s", boot, 36, 0, 0, 0x29, 0x12345678, b"COINGUARD  ", b"FAT12   ")
    boot[510:512] = b"\x55\xaa"
    root_sectors = root_entries * 32 // SECTOR
    data_start = reserved + fats * fat_sectors + root_sectors
    fat = bytearray(fat_sectors * SECTOR)
    entries = [0xFF0, 0xFFF]
    root = bytearray(root_sectors * SECTOR)
    data = bytearray()
    for index, (name, content) in enumerate(files.items()):
        stem, _, ext = name.upper().partition(".")
        clusters = max(1, -(-len(content) // SECTOR))
        first = len(entries)
        entries.extend(range(first + 1, first + clusters))
        entries.append(0xFFF)
        struct.pack_into("<8s3sB10xHHHI", root, index * 32, stem[:8].ljust(8).encode(), ext[:3].ljust(3).encode(),
                         0x20, 0, 0x21, first if content else 0, len(content))
        data += content.ljust(clusters * SECTOR, b"\0")
    for n, value in enumerate(entries):  # pack 12-bit entries
        offset = n * 3 // 2
        if n % 2 == 0:
            fat[offset] = value & 0xFF
            fat[offset + 1] = (fat[offset + 1] & 0xF0) | (value >> 8)
        else:
            fat[offset] = (fat[offset] & 0x0F) | ((value & 0x0F) << 4)
            fat[offset + 1] = value >> 4
    image = bytearray(sectors * SECTOR)
    image[0:SECTOR] = boot
    for copy in range(fats):
        start = (reserved + copy * fat_sectors) * SECTOR
        image[start : start + len(fat)] = fat
    start = (reserved + fats * fat_sectors) * SECTOR
    image[start : start + len(root)] = root
    image[data_start * SECTOR : data_start * SECTOR + len(data)] = data
    return bytes(image)


def fixed_vhd(disk: bytes) -> bytes:
    """``disk`` followed by a fixed-disk VHD footer (the whole image is the raw disk)."""
    size = len(disk)
    footer = bytearray(512)
    struct.pack_into(">8sIIQI4sI4sQQHBBII16sB", footer, 0, b"conectix", 2, 0x00010000, 0xFFFFFFFFFFFFFFFF, 0,
                     b"cgrd", 0x00010000, b"Wi2k", size, size, size // (16 * 63 * 512) or 1, 16, 63, 2, 0,
                     uuid.UUID(int=1).bytes, 0)
    checksum = ~sum(footer) & 0xFFFFFFFF
    struct.pack_into(">I", footer, 64, checksum)
    return disk + bytes(footer)


# -- Compiled HTML Help (ITSF v3: header, header section 0, ITSP + one PMGL chunk, content section 0) --------
_CHM_CHUNK = 0x1000


def _encint(n: int) -> bytes:
    """CHM's variable-length integer: 7 bits per byte, most significant first, high bit = more follows."""
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def _chm_namelist(sections: list[str]) -> bytes:
    body = struct.pack("<H", len(sections))
    for name in sections:
        body += struct.pack("<H", len(name)) + name.encode("utf-16-le") + b"\0\0"
    return struct.pack("<H", (2 + len(body)) // 2) + body


def chm_file(topics: dict[str, bytes]) -> bytes:
    """A CHM whose files (``/index.htm``...) are stored in the uncompressed content section 0.

    Real help files keep topics LZX-compressed in section 1 (``MSCompressed``); readers treat
    both sections alike, and no LZX compressor exists in Python.  The ``::DataSpace/NameList``
    naming the one section makes it a complete CHM (7-Zip lists it without errors).
    """
    files = {"::DataSpace/NameList": _chm_namelist(["Uncompressed"]), **topics}
    content = bytearray()
    listing = _encint(1) + b"/" + _encint(0) + _encint(0) + _encint(0)  # the root folder
    for name in sorted(files, key=str.lower):
        raw = name.encode()
        listing += _encint(len(raw)) + raw + _encint(0) + _encint(len(content)) + _encint(len(files[name]))
        content += files[name]
    if len(listing) + 0x16 > _CHM_CHUNK:
        raise ValueError("chm_file: the directory must fit one chunk")
    pmgl = b"PMGL" + struct.pack("<IIii", _CHM_CHUNK - 0x14 - len(listing), 0, -1, -1) + listing
    pmgl += bytes(_CHM_CHUNK - len(pmgl) - 2) + struct.pack("<H", len(files) + 1)  # entry count, no quickref
    itsp = b"ITSP" + struct.pack("<IIIIIIiIIiII", 1, 0x54, 0x0A, _CHM_CHUNK, 2, 1, -1, 0, 0, -1, 1, 0x409)
    itsp += uuid.UUID("5D02926A-212E-11D0-9DF9-00A0C922E6EC").bytes_le + struct.pack("<Iiii", 0x54, -1, -1, -1)
    sec0_off, sec0_len = 0x60, 0x18
    dir_off, dir_len = sec0_off + sec0_len, len(itsp) + len(pmgl)
    content_off = dir_off + dir_len
    itsf = b"ITSF" + struct.pack("<III", 3, 0x60, 1) + struct.pack(">I", 0) + struct.pack("<I", 0x409)
    itsf += uuid.UUID("7C01FD10-7BAA-11D0-9E0C-00A0C922E6EC").bytes_le
    itsf += uuid.UUID("7C01FD11-7BAA-11D0-9E0C-00A0C922E6EC").bytes_le
    itsf += struct.pack("<QQQQQ", sec0_off, sec0_len, dir_off, dir_len, content_off)
    sec0 = struct.pack("<IIQII", 0x1FE, 0, content_off + len(content), 0, 0)
    return itsf + sec0 + itsp + pmgl + bytes(content)


# -- macOS: xar installer packages, UDIF disk images, odc cpio ------------------------------------------------
def xar_archive(members: dict[str, bytes], extra_toc: str = "") -> bytes:
    """A xar (flat ``.pkg``): header, zlib TOC, heap with the TOC's sha1 then each member zlib-compressed."""
    heap = bytearray(20)  # the TOC checksum goes first
    files = ""
    for ident, (name, data) in enumerate(members.items(), 2):
        packed = zlib.compress(data)
        files += (f'<file id="{ident}"><name>{name}</name><type>file</type><data><offset>{len(heap)}</offset>'
                  f'<length>{len(packed)}</length><size>{len(data)}</size><encoding style="application/x-gzip"/>'
                  f'<extracted-checksum style="sha1">{hashlib.sha1(data).hexdigest()}</extracted-checksum>'
                  f'<archived-checksum style="sha1">{hashlib.sha1(packed).hexdigest()}</archived-checksum>'
                  "</data></file>")
        heap += packed
    toc_xml = ('<?xml version="1.0" encoding="UTF-8"?><xar><toc><checksum style="sha1"><offset>0</offset>'
               f"<size>20</size></checksum>{files}{extra_toc}</toc></xar>").encode()
    toc = zlib.compress(toc_xml)
    heap[0:20] = hashlib.sha1(toc).digest()
    return b"xar!" + struct.pack(">HHQQI", 28, 1, len(toc), len(toc_xml), 1) + toc + bytes(heap)


def udif_image(disk: bytes, chunk_sectors: int = 256) -> bytes:
    """A UDIF ``.dmg`` (UDZO: zlib chunks) of the raw ``disk``: data fork, blkx plist, ``koly`` trailer."""
    if len(disk) % SECTOR:
        raise ValueError("udif_image: the disk must be whole sectors")
    sectors = len(disk) // SECTOR
    fork = bytearray()
    chunks = []
    for first in range(0, sectors, chunk_sectors):
        count = min(chunk_sectors, sectors - first)
        packed = zlib.compress(disk[first * SECTOR : (first + count) * SECTOR])
        chunks.append(struct.pack(">IIQQQQ", 0x80000005, 0, first, count, len(fork), len(packed)))
        fork += packed
    chunks.append(struct.pack(">IIQQQQ", 0xFFFFFFFF, 0, sectors, 0, len(fork), 0))  # terminator
    mish = b"mish" + struct.pack(">IQQQII", 1, 0, sectors, 0, 0, len(chunks) - 1) + bytes(24)
    mish += struct.pack(">II", 0, 0) + bytes(128) + struct.pack(">I", len(chunks)) + b"".join(chunks)
    name = "whole disk (DOS_FAT_12 : 0)"
    plist = ('<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>resource-fork</key><dict>'
             f"<key>blkx</key><array><dict><key>Attributes</key><string>0x0050</string><key>CFName</key>"
             f"<string>{name}</string><key>Data</key><data>{base64.b64encode(mish).decode()}</data>"
             f"<key>ID</key><string>0</string><key>Name</key><string>{name}</string></dict></array></dict>"
             "</dict></plist>\n").encode()
    koly = b"koly" + struct.pack(">IIIQQQQQII", 4, 512, 1, 0, 0, len(fork), 0, 0, 1, 1) + bytes(16)
    koly += struct.pack(">II", 0, 0) + bytes(128)  # data fork checksum (none)
    koly += struct.pack(">QQ", len(fork), len(plist)) + bytes(120)
    koly += struct.pack(">II", 0, 0) + bytes(128)  # master checksum (none)
    koly += struct.pack(">IQ", 1, sectors) + bytes(12)
    return bytes(fork) + plist + koly


def cpio_odc(members: dict[str, bytes]) -> bytes:
    """A portable-ASCII (odc, ``070707``) cpio archive, the format of a package's Scripts and Payload."""
    out = b""
    for ino, (name, data) in enumerate([*members.items(), ("TRAILER!!!", b"")], 1):
        raw = name.encode() + b"\0"
        mode = 0o100755 if data else 0
        out += b"070707" + b"".join(b"%0*o" % (width, value) for width, value in (
            (6, 0), (6, ino), (6, mode), (6, 0), (6, 0), (6, 1), (6, 0), (11, 0), (6, len(raw)), (11, len(data))))
        out += raw + data
    return out


def pbzx(data: bytes, chunk: int = 1 << 16) -> bytes:
    """Apple's pbzx: ``pbzx``, flags, then (flags, length, xz chunk) per ``chunk`` bytes of ``data``."""
    out = b"pbzx" + struct.pack(">Q", 1 << 24)
    for start in range(0, len(data), chunk):
        packed = lzma.compress(data[start : start + chunk], format=lzma.FORMAT_XZ)
        out += struct.pack(">QQ", 1 << 24, len(packed)) + packed
    return out
