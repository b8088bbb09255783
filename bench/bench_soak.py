"""Gateway latency, worker scaling and a long soak: coinguard behind a private Postfix (issue 13's targets).

Run by hand, as root (Postfix's master must start as root), from the repository root:

    PYTHONPATH=milter /work/main/.venv/bin/python bench/bench_soak.py --mode p99 [-n 600] [-c 20] [--open-load 0.5]
    PYTHONPATH=milter /work/main/.venv/bin/python bench/bench_soak.py --mode scaling [-n 300] [--reps 2]
    PYTHONPATH=milter /work/main/.venv/bin/python bench/bench_soak.py --mode soak [-n 20000] [--sample-s 3]
        [--heap-probe] [--daemon-env MALLOC_ARENA_MAX=2]

The same set-up as bench/bench_gateway.py (whose helpers this imports): one private Postfix on
loopback (tests/integration/harness.py) relaying to Postfix's ``smtp-sink``, ``coinguard run``
from this checkout with the repository's rules and a dir quarantine, C concurrent SMTP clients, a
new connection per message.  Every message is built here, in code, and unique (its own words and
random bytes), so the verdict cache only helps where real mail would let it.

- ``p99``: a mixed load of messages up to 1 MB: plain text, HTML, docx (clean, and with a harmless
  DDEAUTO field), xlsx (clean, and an xlsm with a harmless Excel 4 macro sheet: ALERT and HALT),
  RTF, text PDFs of 50 KB-700 KB (text pages and an embedded font stream), zips of a few members.
  Prints p50/p95/p99 latency (connect to the reply after DATA) per kind and overall, msg/s, CPU
  milliseconds per message of the daemon's whole process tree (its pool workers are grandchildren),
  and the verdicts.  Target: p99 <= 250 ms.  First in a closed loop (each client sends its next
  message as soon as the last is answered: the latency is then mostly queueing, about C / msg/s),
  then in an open loop offering ``--open-load`` times the closed-loop rate (message k due at k / rate,
  latency counted from when it was due), the latency of a gateway that is not saturated.
- ``scaling``: the same load through a daemon with ``[scan] workers = 1`` and one with ``workers = 2``
  (interleaved runs, ``--reps`` of each), msg/s and CPU ms/msg of each and the ratio (target >= 1.7x
  when two cores are free), with the machine's load average and how busy it was with processes not
  ours (Postfix, this client and the daemon are subtracted): a ratio measured on a machine whose
  other tenants held a core says little.
- ``soak``: N messages (text and small attachments), sampling every ``--sample-s`` seconds the RSS
  (and USS) of every process of the daemon's tree by role: the daemon, the forkserver, its pool
  workers (recycled every ``[scan] recycle_after`` messages: each new worker PID is counted), the
  resource tracker.  Prints first-10 % vs last-10 % mean RSS and the drift per role (target: within
  +-10 %), the largest step between two samples, and RSS and msg/s per tenth of the run.
  ``--heap-probe`` runs the daemon with a bench-only ``sitecustomize`` (on its PYTHONPATH, never in
  the repository's code) that, after every tenth of the run, reports its live objects by type,
  pymalloc's allocated blocks, glibc's malloc figures and its thread count: a Python leak shows as
  growing objects and blocks, allocator fragmentation as RSS growing while those stay flat.
  ``--daemon-env NAME=VALUE`` tries an allocator setting (e.g. ``MALLOC_ARENA_MAX=2``).

Every message must be accepted (250) and then be either at the sink or in coinguard's quarantine:
the run stops with exit status 1 otherwise (a faster number that lost mail is no number), and
every started process is stopped, on failure too.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_gateway import (
    REPO,
    SMTP_SINK,
    BenchError,
    CountingSink,
    harness,
    make_messages,
    settle,
    tree,
    tree_cpu_s,
)

from helpers import make_message

MIB = 2**20
#: Largest message of the p99 mix (attachments are sized so the base64'd message stays under it).
MAX_MESSAGE = 1_000_000

# ----------------------------------------------------------------------------- documents, built in code
_VOCAB = (
    "the of and to in is for on that with as by this from are be at or an was it which have not has "
    "their report quarterly revenue budget meeting agenda project customer invoice delivery schedule "
    "team office summary results figures growth market sales region forecast review approval contract "
    "supplier payment order shipment warehouse inventory product service support request update minutes "
    "draft final version north south east west annual monthly weekly first second third total average "
    "increase decrease plan strategy policy training safety quality audit compliance risk finance legal "
    "marketing engineering"
)
WORDS = tuple(_VOCAB.split())


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(WORDS, k=n))


def paragraphs(rng: random.Random, chars: int) -> list[str]:
    out, size = [], 0
    while size < chars:
        p = words(rng, rng.randint(20, 80)).capitalize() + "."
        out.append(p)
        size += len(p) + 1
    return out


def _zip(members: Iterable[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 30, 9, 0, 0)), data, compress_type=method)
    return buf.getvalue()


def pdf_document(rng: random.Random, size: int) -> bytes:
    """A text PDF of about ``size`` bytes: 1-12 pages of words in deflated content streams, and an
    embedded TrueType-like font program (random bytes, deflated like a real one) filling the rest."""
    pages = rng.randint(1, 12)
    objs: dict[int, bytes] = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    font_id, descr_id, file_id = 3, 4, 5
    first_page = 6
    kids = " ".join(f"{first_page + 2 * k} 0 R" for k in range(pages))
    objs[2] = f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode()
    objs[font_id] = (f"<< /Type /Font /Subtype /TrueType /BaseFont /BenchSans /FirstChar 32 /LastChar 126 "
                     f"/FontDescriptor {descr_id} 0 R >>").encode()
    objs[descr_id] = (f"<< /Type /FontDescriptor /FontName /BenchSans /Flags 32 /FontBBox [0 -200 1000 900] "
                      f"/ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 /FontFile2 {file_id} 0 R >>"
                      ).encode()
    for k in range(pages):
        lines = [words(rng, 12) for _ in range(45)]
        text = "BT /F1 10 Tf 12 TL 56 780 Td " + " ".join(f"({line}) '" for line in lines) + " ET"
        content = zlib.compress(text.encode())
        page, stream = first_page + 2 * k, first_page + 2 * k + 1
        objs[page] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 "
                      f"{font_id} 0 R >> >> /Contents {stream} 0 R >>").encode()
        objs[stream] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream"
    used = sum(len(o) for o in objs.values())
    font = zlib.compress(rng.randbytes(max(1024, size - used - 1024)), 1)
    objs[file_id] = b"<< /Length %d /Length1 %d /Filter /FlateDecode >>\nstream\n" % (len(font), len(font)) + \
        font + b"\nendstream"
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objs):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objs[num] + b"\nendobj\n"
    xref = len(out)
    count = max(objs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % count
    out += b"".join(b"%010d 00000 n \n" % offsets[num] for num in range(1, count))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count, xref)
    return bytes(out)


_CT = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/' \
      b'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.' \
      b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>%s</Types>'
_RELS = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.' \
        b'openxmlformats.org/package/2006/relationships">%s</Relationships>'
_OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _override(part: str, ctype: str) -> bytes:
    return f'<Override PartName="{part}" ContentType="{ctype}"/>'.encode()


def _rel(rid: str, rtype: str, target: str) -> bytes:
    return f'<Relationship Id="{rid}" Type="{_OFFICE_DOC}/{rtype}" Target="{target}"/>'.encode()


def docx_document(rng: random.Random, chars: int, dde: bool = False, image: int = 0) -> bytes:
    """A Word document of ``chars`` characters of text; ``dde``: a harmless DDEAUTO field (it would
    start calc.exe: the technique, not a payload); ``image``: a picture part of that many random bytes."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs(rng, chars))
    if dde:
        body += ('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> '
                 'DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe" </w:instrText></w:r><w:r>'
                 '<w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>update</w:t></w:r><w:r>'
                 '<w:fldChar w:fldCharType="end"/></w:r></w:p>')
    doc = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{w}"><w:body>{body}' \
          f"</w:body></w:document>"
    parts = [
        ("[Content_Types].xml", _CT % (_override("/word/document.xml", "application/vnd.openxmlformats-"
                                                 "officedocument.wordprocessingml.document.main+xml")
                                       + b'<Default Extension="png" ContentType="image/png"/>')),
        ("_rels/.rels", _RELS % _rel("rId1", "officeDocument", "word/document.xml")),
        ("word/document.xml", doc.encode()),
    ]
    if image:
        parts.append(("word/_rels/document.xml.rels", _RELS % _rel("rId5", "image", "media/image1.png")))
        parts.append(("word/media/image1.png", b"\x89PNG\r\n\x1a\n" + rng.randbytes(image)))
    return _zip(parts)


def xlsx_workbook(rng: random.Random, rows: int, macro_sheet: bool = False) -> bytes:
    """A workbook of ``rows`` rows of figures; ``macro_sheet``: an .xlsm whose Excel 4 macro sheet
    runs on open (Auto_Open) and only shows ALERT("...") then HALT() (the technique, harmless)."""
    s = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    cells = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{words(rng, 2)}</t></is></c>'
        f'<c r="B{r}"><v>{rng.randint(0, 99999)}</v></c><c r="C{r}"><v>{rng.random() * 1000:.2f}</v></c></row>'
        for r in range(1, rows + 1))
    sheet = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{s}"><sheetData>{cells}' \
            f"</sheetData></worksheet>"
    main = "application/vnd.ms-excel.sheet.macroEnabled.main+xml" if macro_sheet else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    sheets = '<sheet name="Data" sheetId="1" r:id="rId1"/>'
    rels = _rel("rId1", "worksheet", "worksheets/sheet1.xml")
    overrides = _override("/xl/workbook.xml", main) + _override(
        "/xl/worksheets/sheet1.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml")
    defined = ""
    parts: list[tuple[str, bytes]] = []
    if macro_sheet:
        sheets += '<sheet name="Macro1" sheetId="2" state="hidden" r:id="rId2"/>'
        rels += b'<Relationship Id="rId2" Type="http://schemas.microsoft.com/office/2006/relationships/' \
                b'xlMacrosheet" Target="macrosheets/sheet1.xml"/>'
        overrides += _override("/xl/macrosheets/sheet1.xml", "application/vnd.ms-excel.macrosheet+xml")
        defined = '<definedNames><definedName name="_xlnm.Auto_Open">Macro1!$A$1</definedName></definedNames>'
        macro = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<xm:macrosheet xmlns="{s}" ' \
                f'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><sheetData><row r="1"><c r="A1">' \
                f'<f>ALERT("bench {rng.randint(0, 10**9)}")</f></c></row><row r="2"><c r="A2"><f>HALT()</f></c>' \
                f"</row></sheetData></xm:macrosheet>"
        parts.append(("xl/macrosheets/sheet1.xml", macro.encode()))
    book = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{s}" xmlns:r="{_OFFICE_DOC}">' \
           f"<sheets>{sheets}</sheets>{defined}</workbook>"
    return _zip([
        ("[Content_Types].xml", _CT % overrides),
        ("_rels/.rels", _RELS % _rel("rId1", "officeDocument", "xl/workbook.xml")),
        ("xl/workbook.xml", book.encode()),
        ("xl/_rels/workbook.xml.rels", _RELS % rels),
        ("xl/worksheets/sheet1.xml", sheet.encode()),
        *parts,
    ])


def rtf_document(rng: random.Random, chars: int, picture: int = 0) -> bytes:
    """An RTF letter of ``chars`` characters, with a hex-encoded picture of ``picture`` random bytes."""
    body = "".join(f"\\pard {p}\\par\n" for p in paragraphs(rng, chars))
    pict = f"{{\\pict\\pngblip\\picw100\\pich100 {rng.randbytes(picture).hex()}}}" if picture else ""
    return ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0\\fs22\n" + body + pict + "}\n").encode()


def zip_archive(rng: random.Random, size: int) -> bytes:
    """A zip of a few members (a text, a CSV, a small docx or PDF, random data) of about ``size`` bytes."""
    members = [("notes.txt", "\n".join(paragraphs(rng, 3000)).encode()),
               ("figures.csv", "".join(f"{words(rng, 1)},{rng.randint(0, 9999)},{rng.random():.4f}\n"
                                       for _ in range(200)).encode())]
    members.append(("summary.pdf", pdf_document(rng, 20_000)) if rng.random() < 0.5 else
                   ("summary.docx", docx_document(rng, 3000)))
    members.append(("data.bin", rng.randbytes(max(1024, size - 8000))))
    return _zip(members)


# ----------------------------------------------------------------------------- messages
def email_bytes(i: int, kind: str, rng: random.Random, body_chars: int, html: bool = False,
                attachments: Iterable[tuple[str, bytes, str]] = ()) -> bytes:
    text = "Hello Bob,\n\n" + "\n\n".join(paragraphs(rng, body_chars)) + "\n\nRegards,\nAlice\n"
    markup = None
    if html:
        links = "".join(f'<li><a href="https://docs.example.org/{words(rng, 1)}/{rng.randint(0, 10**6)}">'
                        f"{words(rng, 3)}</a></li>" for _ in range(rng.randint(2, 12)))
        markup = ("<html><body>" + "".join(f"<p>{p}</p>" for p in paragraphs(rng, body_chars * 2))
                  + f"<ul>{links}</ul></body></html>")
    raw = make_message(subject=f"{words(rng, 4).capitalize()} ({kind} {i})", to=f"user{i % 97}@corp.example",
                       body=text, html=markup, attachments=attachments)
    return raw.replace(b"<test-1@example.org>", f"<soak-{kind}-{i}-{rng.getrandbits(48):x}@example.org>".encode())


def _size(rng: random.Random, low: int, high: int) -> int:
    """A size between ``low`` and ``high`` bytes, log-uniform (most attachments are small)."""
    return int(low * (high / low) ** rng.random())


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSM = "application/vnd.ms-excel.sheet.macroEnabled.12"
#: Raw bytes of the largest attachment such that the base64'd message stays under MAX_MESSAGE.
BIG = 700_000

Builder = Callable[[int, random.Random], bytes]
#: name -> (weight, builder(i, rng) -> the raw message)
MIXES: dict[str, dict[str, tuple[int, Builder]]] = {
    "p99": {
        "text": (22, lambda i, r: email_bytes(i, "text", r, _size(r, 1000, 20_000))),
        "html": (14, lambda i, r: email_bytes(i, "html", r, _size(r, 2000, 60_000), html=True)),
        "docx": (10, lambda i, r: email_bytes(i, "docx", r, 800, attachments=[(
            "minutes.docx", docx_document(r, _size(r, 2000, 60_000), image=_size(r, 1000, BIG)), DOCX)])),
        "docx-dde": (4, lambda i, r: email_bytes(i, "docx-dde", r, 800, attachments=[(
            "update.docx", docx_document(r, _size(r, 2000, 20_000), dde=True), DOCX)])),
        "xlsx": (8, lambda i, r: email_bytes(i, "xlsx", r, 600, attachments=[(
            "figures.xlsx", xlsx_workbook(r, _size(r, 20, 8000)), XLSX)])),
        "xlsm-xlm": (4, lambda i, r: email_bytes(i, "xlsm-xlm", r, 600, attachments=[(
            "ledger.xlsm", xlsx_workbook(r, _size(r, 20, 2000), macro_sheet=True), XLSM)])),
        "rtf": (6, lambda i, r: email_bytes(i, "rtf", r, 600, attachments=[(
            "letter.rtf", rtf_document(r, _size(r, 2000, 50_000), picture=_size(r, 1000, BIG // 3)),
            "application/rtf")])),
        "pdf": (16, lambda i, r: email_bytes(i, "pdf", r, 800, attachments=[(
            "statement.pdf", pdf_document(r, _size(r, 50_000, BIG)), "application/pdf")])),
        "zip": (12, lambda i, r: email_bytes(i, "zip", r, 600, attachments=[(
            "documents.zip", zip_archive(r, _size(r, 12_000, BIG)), "application/zip")])),
        # bench_gateway's 82 KB zip message: the same numbers as its table, for comparison
        "gateway-zip": (4, lambda i, r: make_messages("zip", 1)[0]),
    },
    "soak": {
        "text": (50, lambda i, r: email_bytes(i, "text", r, _size(r, 500, 6000))),
        "gateway-text": (10, lambda i, r: make_messages("text", 1)[0]),
        "html": (12, lambda i, r: email_bytes(i, "html", r, _size(r, 1000, 8000), html=True)),
        "docx": (8, lambda i, r: email_bytes(i, "docx", r, 500, attachments=[(
            "minutes.docx", docx_document(r, _size(r, 1000, 8000), image=_size(r, 500, 20_000)), DOCX)])),
        "xlsx": (5, lambda i, r: email_bytes(i, "xlsx", r, 500, attachments=[(
            "figures.xlsx", xlsx_workbook(r, _size(r, 10, 300)), XLSX)])),
        "pdf": (8, lambda i, r: email_bytes(i, "pdf", r, 500, attachments=[(
            "statement.pdf", pdf_document(r, _size(r, 5000, 40_000)), "application/pdf")])),
        "zip": (7, lambda i, r: email_bytes(i, "zip", r, 500, attachments=[(
            "documents.zip", zip_archive(r, _size(r, 5000, 30_000)), "application/zip")])),
    },
}


def message(mix: str, i: int, seed: int) -> tuple[str, bytes]:
    """Message ``i`` of a mix: its kind (drawn by weight) and its bytes; the same for the same seed."""
    rng = random.Random(seed * 1_000_003 + i)
    kinds = MIXES[mix]
    kind = rng.choices(list(kinds), weights=[w for w, _ in kinds.values()])[0]
    return kind, kinds[kind][1](i, rng)


# ----------------------------------------------------------------------------- the daemon
@dataclass
class Daemon:
    """``coinguard run`` from this checkout behind its own smtpd listener, with a known metrics port
    (bench_gateway's coinguard_peer hides it and takes no ``[scan]`` settings)."""

    name: str
    home: Path
    workers: int
    recycle_after: int = 0
    probe_dir: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    milter_port: int = field(default_factory=harness.free_port)
    metrics_port: int = field(default_factory=harness.free_port)
    proc: harness.DaemonProcess | None = None

    @property
    def spec(self) -> str:
        return f"inet:127.0.0.1:{self.milter_port}"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    def start(self) -> int:
        self.home.mkdir(parents=True, exist_ok=True)
        cfg = self.home / "coinguard.toml"
        harness.write_daemon_config(cfg, self.milter_port, self.metrics_port, quarantine_backend="dir",
                                    quarantine_dir=self.quarantine, workers=self.workers,
                                    extra='[logging]\nlevel = "warning"\n')
        if self.recycle_after:
            text = cfg.read_text().replace("[scan]\n", f"[scan]\nrecycle_after = {self.recycle_after}\n", 1)
            cfg.write_text(text)
        env = {**self.env, "PYTHONPATH": str(REPO / "milter")}
        if self.probe_dir is not None:
            env.update(PYTHONPATH=f"{self.probe_dir}:{REPO / 'milter'}", **{PROBE_ENV: str(self.probe_dir)})
        self.proc = harness.DaemonProcess(cfg, self.milter_port, self.home / "coinguard.log", env=env)
        self.proc.start()
        assert self.proc.proc is not None
        return self.proc.proc.pid

    @property
    def pid(self) -> int:
        assert self.proc is not None and self.proc.proc is not None
        return self.proc.proc.pid

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()

    def metrics(self) -> dict[str, float]:
        """The daemon's counters, ``name{label=value,...}`` -> value ({} if /metrics does not answer)."""
        from prometheus_client.parser import text_string_to_metric_families

        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as r:
                text = r.read().decode()
        except OSError:
            return {}
        out = {}
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
                out[f"{s.name}{{{labels}}}"] = s.value
        return out

    def quarantined(self) -> int:
        return len(list(self.quarantine.glob("*.eml"))) if self.quarantine.is_dir() else 0


def counter_delta(before: dict[str, float], after: dict[str, float], name: str) -> dict[str, float]:
    """``after - before`` of every sample of the counter ``name`` (label set -> increase), zeros left out."""
    out = {}
    for key, value in after.items():
        if key.startswith(name + "{"):
            d = value - before.get(key, 0.0)
            if d:
                out[key[len(name) + 1:-1]] = d
    return out


# ----------------------------------------------------------------------------- load
@dataclass
class Sent:
    kind: str
    size: int
    latency: float
    code: int
    text: str = ""


def drive(port: int, source: Iterator[tuple[str, bytes]], concurrency: int,
          on_done: Callable[[int], None] | None = None, rate: float = 0.0) -> list[Sent]:
    """Send every message of ``source`` from ``concurrency`` client threads (a new connection each),
    taking them one by one (a long run is never all in memory); ``on_done(count)`` after each.

    ``rate`` 0: closed loop, each client sends its next message as soon as the last was answered (the
    latency is then mostly queueing: about concurrency / throughput).  ``rate`` > 0: open loop, message
    k is due at k / rate seconds; its latency counts from when it was due, so a client that fell behind
    (every client busy) shows the wait instead of hiding it."""
    lock = threading.Lock()
    results: list[Sent] = []
    taken = [0]
    start = time.perf_counter()

    def client() -> None:
        while True:
            with lock:
                try:
                    kind, raw = next(source)
                except StopIteration:
                    return
                k = taken[0]
                taken[0] += 1
            due = start + k / rate if rate > 0 else time.perf_counter()
            if (wait := due - time.perf_counter()) > 0:
                time.sleep(wait)
            try:
                r = harness.send(port, raw)
                code, text = r.code, r.text
            except Exception as exc:  # a dropped connection is a refused message here
                code, text = 0, f"{type(exc).__name__}: {exc}"
            sent = Sent(kind, len(raw), time.perf_counter() - due, code, "" if code == 250 else text[:80])
            with lock:
                results.append(sent)
                done = len(results)
            if on_done is not None:
                on_done(done)

    threads = [threading.Thread(target=client, name=f"client-{k}") for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def cpu_busy() -> tuple[float, float]:
    """(busy CPU seconds, total CPU seconds) of the whole machine so far."""
    t = psutil.cpu_times()
    idle = t.idle + getattr(t, "iowait", 0.0)
    total = sum(t)
    return total - idle, total


@dataclass
class Outcome:
    sent: list[Sent]
    seconds: float
    delivered: int
    quarantined: int
    cpu_ms: float
    scan_ms: float  # of those, the fork server and its workers (the scanning)
    ours_ms: float  # CPU ms per message of all our processes: the daemon, Postfix, the sink, this client
    busy: float  # the machine's busy share, %
    others: float  # busy share of processes not ours (the daemon, Postfix, the sink, this client), %
    load: tuple[float, float, float]
    verdicts: dict[str, float]
    restarts: dict[str, float]
    rebuilds: dict[str, float]
    cache: dict[str, float]

    @property
    def rate(self) -> float:
        return len(self.sent) / self.seconds


def our_cpu_s(pids: Iterable[int]) -> float:
    return sum(tree_cpu_s(p) for p in pids) + sum(psutil.Process().cpu_times()[:4])


def scan_cpu_s(daemon_pid: int) -> float:
    """CPU seconds of the daemon's fork server and its workers, reaped ones included (the scanning)."""
    return sum(tree_cpu_s(pid) for pid, role in roles(daemon_pid).items() if role == "forkserver")


def measure(daemon: Daemon, port: int, sink: CountingSink, source: Iterator[tuple[str, bytes]], n: int,
            concurrency: int, others: list[int], on_done: Callable[[int], None] | None = None,
            rate: float = 0.0) -> Outcome:
    """One run of ``n`` messages; raises BenchError unless each was accepted and reached the sink or the
    quarantine.  ``others``: roots of our other process trees (Postfix's master, the sink)."""
    m0, s0, q0 = daemon.metrics(), sink.count(), daemon.quarantined()
    cpu0, ours0, (busy0, total0) = tree_cpu_s(daemon.pid), our_cpu_s([daemon.pid, *others]), cpu_busy()
    scan0 = scan_cpu_s(daemon.pid)
    start = time.perf_counter()
    sent = drive(port, source, concurrency, on_done, rate)
    ok = sum(1 for s in sent if s.code == 250)
    end = time.perf_counter() + 60
    while sink.count() - s0 + daemon.quarantined() - q0 < ok and time.perf_counter() < end:
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    cpu1, ours1, (busy1, total1) = tree_cpu_s(daemon.pid), our_cpu_s([daemon.pid, *others]), cpu_busy()
    scan1 = scan_cpu_s(daemon.pid)
    m1 = daemon.metrics()
    out = Outcome(
        sent=sent, seconds=seconds, delivered=sink.count() - s0, quarantined=daemon.quarantined() - q0,
        cpu_ms=(cpu1 - cpu0) * 1000 / max(1, len(sent)), scan_ms=(scan1 - scan0) * 1000 / max(1, len(sent)),
        ours_ms=(ours1 - ours0) * 1000 / max(1, len(sent)),
        busy=100 * (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0,
        others=max(0.0, 100 * ((busy1 - busy0) - (ours1 - ours0)) / (total1 - total0)) if total1 > total0 else 0.0,
        load=os.getloadavg(), verdicts=counter_delta(m0, m1, "coinguard_messages_total"),
        restarts=counter_delta(m0, m1, "coinguard_worker_restarts_total"),
        rebuilds=counter_delta(m0, m1, "coinguard_pool_rebuilds_total"),
        cache=counter_delta(m0, m1, "coinguard_cache_requests_total"),
    )
    refused = Counter(f"{s.code} {s.text}" for s in sent if s.code != 250)
    if len(sent) != n or refused or out.delivered + out.quarantined != n:
        raise BenchError(f"{daemon.name}: sent {n}, accepted {ok}, the sink received {out.delivered}, "
                         f"quarantined {out.quarantined}; refused: {dict(refused) or 'none'}")
    return out


def warm(daemon: Daemon, port: int, sink: CountingSink, mix: str, n: int, concurrency: int,
         others: list[int]) -> None:
    """A few messages of every kind first (imports, rule compilation, pool start), then let it settle."""
    kinds = list(MIXES[mix])
    items = iter([(k, MIXES[mix][k][1](10**8 + j, random.Random(j))) for j, k in enumerate(kinds * n)])
    measure(daemon, port, sink, items, len(kinds) * n, concurrency, others)
    settle(daemon.pid, 60)


def quiet_busy(seconds: float = 3.0) -> float:
    """The machine's busy share (%) over ``seconds`` while nothing of ours runs: the other tenants' load."""
    b0, t0 = cpu_busy()
    time.sleep(seconds)
    b1, t1 = cpu_busy()
    return 100 * (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0


# ----------------------------------------------------------------------------- report helpers
def percentiles(values: list[float]) -> tuple[float, float, float]:
    """(p50, p95, p99) in milliseconds of latencies in seconds (the largest value when fewer than 100)."""
    if not values:
        return 0.0, 0.0, 0.0
    if len(values) == 1:
        return (values[0] * 1000,) * 3
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49] * 1000, q[94] * 1000, q[98] * 1000


def verdict_text(verdicts: dict[str, float]) -> str:
    parts = Counter[str]()
    for labels, n in verdicts.items():
        d = dict(kv.split("=", 1) for kv in labels.split(",") if "=" in kv)
        parts[f"{d.get('verdict', '?')}/{d.get('action', '?')}"] += int(n)
    return ", ".join(f"{k} {v}" for k, v in sorted(parts.items())) or "(no metrics)"


def machine_line(out: Outcome, quiet: float) -> str:
    return (f"machine: {os.cpu_count()} CPUs, busy {out.busy:.0f} % during the run, of which {out.others:.0f} % "
            f"not ours; {quiet:.0f} % busy before the run with ours idle; load average "
            f"{out.load[0]:.2f} {out.load[1]:.2f} {out.load[2]:.2f}")


def latency_table(sent: list[Sent]) -> None:
    by_kind: dict[str, list[Sent]] = {}
    for s in sent:
        by_kind.setdefault(s.kind, []).append(s)
    print(f"{'kind':<12} {'count':>6} {'mean KB':>8} {'max KB':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
          f"{'max ms':>7}")
    for kind in [*sorted(by_kind), "all"]:
        rows = sent if kind == "all" else by_kind[kind]
        lat = [s.latency for s in rows]
        p50, p95, p99 = percentiles(lat)
        print(f"{kind:<12} {len(rows):>6} {statistics.mean(s.size for s in rows) / 1024:>8.0f} "
              f"{max(s.size for s in rows) / 1024:>7.0f} {p50:>7.0f} {p95:>7.0f} {p99:>7.0f} {max(lat) * 1000:>7.0f}")


# ----------------------------------------------------------------------------- memory sampling (soak)
def roles(daemon_pid: int) -> dict[int, str]:
    """PID -> role in the daemon's process tree: daemon; forkserver (a child of the daemon running
    multiprocessing's fork server); worker (a child of the fork server: forked, so its command line is
    the fork server's); resource_tracker; other."""
    procs = {}
    for p in tree(daemon_pid):
        try:
            procs[p.pid] = (p.ppid(), " ".join(p.cmdline()))
        except psutil.Error:
            continue
    forkservers = {pid for pid, (ppid, cmd) in procs.items() if ppid == daemon_pid and "forkserver" in cmd}
    out = {}
    for pid, (ppid, cmd) in procs.items():
        out[pid] = ("daemon" if pid == daemon_pid else "forkserver" if pid in forkservers else
                    "worker" if ppid in forkservers else "resource_tracker" if "resource_tracker" in cmd else "other")
    return out


@dataclass
class Sample:
    t: float
    done: int
    rss: dict[str, list[float]]  # role -> RSS MiB of each process
    uss: dict[str, list[float]]
    daemon_cpu: float = 0.0  # CPU seconds so far of the daemon process itself (not its children)
    scan_cpu: float = 0.0  # of the fork server and its workers, reaped ones included


class MemorySampler:
    """Every ``interval`` seconds, RSS and USS (MiB) of each process of the daemon's tree, by role;
    counts the distinct worker PIDs seen (each recycle brings a new one)."""

    def __init__(self, daemon_pid: int, interval: float, done: Callable[[], int]) -> None:
        self.pid, self.interval, self.done = daemon_pid, interval, done
        self.samples: list[Sample] = []
        self.worker_pids: set[int] = set()
        self._stop = threading.Event()
        self._t0 = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True, name="memory-sampler")

    def sample(self) -> None:
        rss: dict[str, list[float]] = {}
        uss: dict[str, list[float]] = {}
        for pid, role in roles(self.pid).items():
            try:
                info = psutil.Process(pid).memory_full_info()
            except psutil.Error:
                continue
            rss.setdefault(role, []).append(info.rss / MIB)
            uss.setdefault(role, []).append(info.uss / MIB)
            if role == "worker":
                self.worker_pids.add(pid)
        try:
            t = psutil.Process(self.pid).cpu_times()
            daemon_cpu = t.user + t.system
        except psutil.Error:
            daemon_cpu = 0.0
        self.samples.append(Sample(time.monotonic() - self._t0, self.done(), rss, uss, daemon_cpu,
                                   scan_cpu_s(self.pid)))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> MemorySampler:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def series(samples: list[Sample], role: str, how: Callable[[list[float]], float] = statistics.mean,
           kind: str = "rss") -> list[float]:
    """One value per sample for ``role`` (``how`` folds several processes of the role, e.g. workers)."""
    out = []
    for s in samples:
        values = getattr(s, kind).get(role)
        if values:
            out.append(how(values))
    return out


def mean_or_nan(values: list[float]) -> float:
    return statistics.mean(values) if values else float("nan")


def drift(values: list[float], share: float = 0.1) -> tuple[float, float, float, float]:
    """(mean of the first ``share`` of the samples, of the last, drift %, largest step between two
    consecutive samples, signed)."""
    if not values:
        return 0.0, 0.0, 0.0, 0.0
    k = max(1, int(len(values) * share))
    first, last = statistics.mean(values[:k]), statistics.mean(values[-k:])
    steps = [b - a for a, b in itertools.pairwise(values)]
    step = max(steps, key=abs) if steps else 0.0
    return first, last, 100 * (last - first) / first if first else 0.0, step


# ----------------------------------------------------------------------------- heap probe (soak --heap-probe)
PROBE_ENV = "COINGUARD_SOAK_PROBE"
#: Written to a bench-only folder put first on the daemon's PYTHONPATH.  Python imports it at start-up;
#: in the process that has PROBE_ENV (the daemon: it removes the variable, so the forkserver and the
#: workers do not probe) it starts a thread that, for each ``probe-N.request`` file, writes
#: ``probe-N.json``: live objects by type (after a full collection), pymalloc's allocated blocks,
#: glibc's mallinfo2 (all arenas: from the system, in use, free but kept, mmapped) and the thread
#: count.  The thread is created with every signal blocked, so the daemon's SIGUSR1/SIGTERM never land
#: in it.  Not tracemalloc: its raw-allocator hook calls PyGILState_Ensure from inside PyThreadState_New,
#: and pymilter creates a thread state per milter connection, so every connection deadlocks (CPython 3.11).
PROBE_SITECUSTOMIZE = """
import os
_dir = os.environ.pop("@ENV@", "")
if _dir:
    import collections, ctypes, gc, json, signal, sys, threading, time

    _FIELDS = ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
               "keepcost")

    class _Mallinfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in _FIELDS]

    try:
        _mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
        _mallinfo2.restype = _Mallinfo2
    except (OSError, AttributeError):
        _mallinfo2 = None

    def _name(t):
        return "%s.%s" % (getattr(t, "__module__", "?"), getattr(t, "__qualname__", "?"))

    def _watch():
        n = 0
        while True:
            time.sleep(0.3)
            if not os.path.exists(os.path.join(_dir, "probe-%d.request" % n)):
                continue
            try:
                gc.collect()
                kinds = collections.Counter(_name(type(o)) for o in gc.get_objects())
                info = _mallinfo2() if _mallinfo2 is not None else None
                out = {"blocks": sys.getallocatedblocks(), "threads": threading.active_count(),
                       "tasks": len(os.listdir("/proc/self/task")), "objects": kinds,
                       "mallinfo": {f: getattr(info, f) for f in _FIELDS} if info is not None else {}}
            except Exception as exc:
                out = {"error": repr(exc)}
            path = os.path.join(_dir, "probe-%d.json" % n)
            with open(path + ".tmp", "w") as fh:
                json.dump(out, fh)
            os.rename(path + ".tmp", path)
            n += 1

    _old = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    threading.Thread(target=_watch, name="soak-heap-probe", daemon=True).start()
    signal.pthread_sigmask(signal.SIG_SETMASK, _old)
""".replace("@ENV@", PROBE_ENV)


MALLOC_HEAP = 64 * MIB  # glibc's HEAP_MAX_SIZE on 64-bit: each thread arena reserves regions of this size
SMAPS_CLASSES = ("[heap] (glibc main arena)", "glibc thread arenas", "thread stacks", "other anonymous",
                 "files (code, data)")


def smaps_breakdown(pid: int) -> dict[str, float]:
    """Resident MiB of a process by kind of mapping, from /proc/PID/smaps: glibc's main arena ([heap]),
    its thread arenas (a read-write part at the start of a 64 MiB-aligned region whose rest is reserved
    ---p), thread stacks (8 MiB read-write after a guard page), other anonymous memory (pymalloc's 1 MiB
    arenas, large mmapped blocks: adjacent ones merge, so they are not told apart) and files."""
    maps: list[tuple[int, int, str, str, int]] = []  # start, end, perms, path, Rss kB
    try:
        with open(f"/proc/{pid}/smaps") as fh:
            for line in fh:
                head = line.split(maxsplit=5)
                if "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):
                    lo, hi = (int(x, 16) for x in head[0].split("-"))
                    maps.append((lo, hi, head[1], head[5].strip() if len(head) > 5 else "", 0))
                elif head[0] == "Rss:" and maps:
                    maps[-1] = (*maps[-1][:4], int(head[1]))
    except OSError:
        return {}
    out = dict.fromkeys(SMAPS_CLASSES, 0.0)
    for i, (lo, hi, _perms, path, rss) in enumerate(maps):
        before = maps[i - 1] if i else None
        after = maps[i + 1] if i + 1 < len(maps) else None
        if path == "[heap]":
            kind = SMAPS_CLASSES[0]
        elif path:
            kind = SMAPS_CLASSES[4]
        elif (lo % MALLOC_HEAP == 0 and after is not None and after[0] == hi and after[2].startswith("---")
              and not after[3] and after[1] - lo == MALLOC_HEAP) or (lo % MALLOC_HEAP == 0 and hi - lo == MALLOC_HEAP):
            kind = SMAPS_CLASSES[1]
        elif (hi - lo == 8 * MIB and before is not None and before[1] == lo and before[2].startswith("---")):
            kind = SMAPS_CLASSES[2]
        else:
            kind = SMAPS_CLASSES[3]
        out[kind] += rss / 1024
    return out


class HeapProbe:
    """Asks the probed daemon for heap figures and compares them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pid = 0  # the daemon's, for its smaps (set once it runs)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "sitecustomize.py").write_text(PROBE_SITECUSTOMIZE)
        self.taken: list[tuple[int, dict[str, Any]]] = []  # (messages done, probe)
        self.failed = False

    def probe(self, done: int, timeout: float = 20.0) -> bool:
        """Ask for probe N and wait for it; False (and no more probes) when the daemon did not answer."""
        if self.failed:
            return False
        n = len(self.taken)
        (self.folder / f"probe-{n}.request").touch()
        end, why = time.monotonic() + timeout, "timeout"
        path = self.folder / f"probe-{n}.json"
        while time.monotonic() < end:
            if path.exists():
                got = json.loads(path.read_text())
                if "error" not in got:
                    got["smaps"] = smaps_breakdown(self.pid) if self.pid else {}
                    self.taken.append((done, got))
                    return True
                why = got["error"]
                break
            time.sleep(0.2)
        self.failed = True
        print(f"heap probe {n}: no answer from the daemon ({why}); no more probes", file=sys.stderr)
        return False

    def report(self, top: int = 12) -> None:
        if len(self.taken) < 2:
            print("heap probe: fewer than two probes, nothing to compare")
            return
        print("\nheap probe in the daemon (after a full gc; MiB unless counted):")
        names = {"arena": "glibc heap from the system (arena)", "uordblks": "  in use (uordblks)",
                 "fordblks": "  free, kept by malloc (fordblks)", "hblkhd": "mmapped blocks (hblkhd)"}
        print(f"{'':<36} " + " ".join(f"{done:>9}" for done, _ in self.taken) + "  messages")
        for key, label in names.items():
            print(f"{label:<36} " + " ".join(f"{p['mallinfo'].get(key, 0) / MIB:>9.1f}" for _, p in self.taken))
        print("daemon RSS by mapping (/proc/PID/smaps):")
        for key in SMAPS_CLASSES:
            print(f"  {key:<34} " + " ".join(f"{p['smaps'].get(key, 0):>9.1f}" for _, p in self.taken))
        print(f"{'pymalloc blocks allocated':<36} " + " ".join(f"{p['blocks']:>9}" for _, p in self.taken))
        print(f"{'gc-tracked objects':<36} " + " ".join(f"{sum(p['objects'].values()):>9}" for _, p in self.taken))
        print(f"{'threads (Python / OS)':<36} " + " ".join(f"{p['threads']:>4}/{p['tasks']:<4}" for _, p in self.taken))
        objects = Counter(self.taken[-1][1]["objects"])
        objects.subtract(Counter(self.taken[0][1]["objects"]))
        grown = [(name, d) for name, d in objects.most_common(top) if d > 0]
        print(f"live objects by type, largest increase between {self.taken[0][0]} and {self.taken[-1][0]} messages:"
              + ("" if grown else " none"))
        for name, d in grown:
            print(f"  {d:+8d}  {name}  (now {self.taken[-1][1]['objects'][name]})")


# ----------------------------------------------------------------------------- modes
@dataclass
class Gateway:
    """The sink, the private Postfix and the daemons; ``close()`` stops all that was started."""

    work: Path
    daemons: list[Daemon]
    sink: CountingSink | None = None
    postfix: harness.PrivatePostfix | None = None

    def start(self) -> None:
        for d in self.daemons:
            d.start()
        self.sink = CountingSink()
        (self.work / "postfix").mkdir()
        self.postfix = harness.PrivatePostfix(self.work / "postfix", self.sink.port,
                                              {d.name: d.spec for d in self.daemons})
        self.postfix.start()

    def port(self, d: Daemon) -> int:
        assert self.postfix is not None
        return self.postfix.ports[d.name]

    def others(self) -> list[int]:
        """Our process trees besides the daemons: Postfix's master (smtpd, cleanup, qmgr, smtp) and the sink."""
        assert self.postfix is not None and self.sink is not None
        master = self.postfix.master_pid()
        return [p for p in (master, self.sink.proc.pid) if p]

    def close(self) -> None:
        if self.postfix is not None:
            self.postfix.stop()
        for d in self.daemons:
            d.stop()
        if self.sink is not None:
            self.sink.stop()


def prebuilt(mix: str, n: int, seed: int) -> list[tuple[str, bytes]]:
    out = [message(mix, i, seed) for i in range(n)]
    big = [(kind, len(raw)) for kind, raw in out if len(raw) > MAX_MESSAGE]
    if big:
        raise BenchError(f"the {mix} mix built messages over {MAX_MESSAGE} bytes: {big[:5]}")
    return out


def mode_p99(gw: Gateway, args: argparse.Namespace) -> int:
    d = gw.daemons[0]
    port, sink = gw.port(d), gw.sink
    assert sink is not None
    warm(d, port, sink, "p99", 2, args.c, gw.others())
    shares = [float(x) for x in args.open_load.split(",") if x.strip()]
    closed_rate = 0.0
    for k, share in enumerate([0.0, *shares]):
        items = prebuilt("p99", args.n, args.seed + k)  # new messages each run: no cache hit across runs
        rate = share * closed_rate
        quiet = quiet_busy()
        out = measure(d, port, sink, iter(items), args.n, args.c, gw.others(), rate=rate)
        if not k:
            closed_rate = out.rate
        how = (f"closed loop (each of the C={args.c} clients sends its next message when the last is answered)"
               if not k else f"open loop at {rate:.1f} msg/s offered ({share:g} x the closed-loop rate), up to "
               f"C={args.c} at once; latency from when each message was due")
        print(f"\np99 mix, {how}: {args.n} messages (up to {max(s.size for s in out.sent) / 1024:.0f} KB, mean "
              f"{statistics.mean(s.size for s in out.sent) / 1024:.0f} KB), coinguard workers="
              f"{d.workers or os.cpu_count()}")
        latency_table(out.sent)
        p99 = percentiles([s.latency for s in out.sent])[2]
        print(f"overall: {out.rate:.1f} msg/s end to end, CPU {out.cpu_ms:.1f} ms/msg (daemon + workers; "
              f"{out.scan_ms:.1f} of it in the workers), "
              f"p99 {p99:.0f} ms (target <= 250 ms: {'met' if p99 <= 250 else 'NOT met'})")
        print(f"every message accepted; {out.delivered} at the sink, {out.quarantined} in the quarantine; "
              f"verdicts: {verdict_text(out.verdicts)}; verdict cache {out.cache or '-'}; "
              f"worker restarts {out.restarts or '-'}; pool rebuilds {out.rebuilds or '-'}")
        print(machine_line(out, quiet), flush=True)
    return 0


def mode_scaling(gw: Gateway, args: argparse.Namespace) -> int:
    assert gw.sink is not None
    runs: dict[str, list[Outcome]] = {d.name: [] for d in gw.daemons}
    quiet: list[float] = []
    for d in gw.daemons:
        warm(d, gw.port(d), gw.sink, "p99", 2, args.c, gw.others())
    for rep in range(args.reps):
        for d in gw.daemons:
            items = prebuilt("p99", args.n, args.seed + rep)
            quiet.append(quiet_busy())
            out = measure(d, gw.port(d), gw.sink, iter(items), args.n, args.c, gw.others())
            runs[d.name].append(out)
            print(f"{d.name} rep {rep + 1}: {out.rate:.1f} msg/s, CPU {out.cpu_ms:.1f} ms/msg, busy {out.busy:.0f} % "
                  f"({out.others:.0f} % not ours), load {out.load[0]:.2f}", file=sys.stderr, flush=True)
    print(f"\nscaling: p99 mix, N={args.n} per run, C={args.c}, {args.reps} interleaved repetitions (medians)")
    print(f"{'daemon':<10} {'msg/s':>7} {'CPU ms/msg':>10} {'in workers':>10} {'p99 ms':>7} {'busy %':>7} "
          f"{'not ours %':>10} {'load 1m':>7}")
    med: dict[str, float] = {}
    for d in gw.daemons:
        rs = runs[d.name]
        med[d.name] = statistics.median(r.rate for r in rs)
        p99 = statistics.median(percentiles([s.latency for s in r.sent])[2] for r in rs)
        print(f"{d.name:<10} {med[d.name]:>7.1f} {statistics.median(r.cpu_ms for r in rs):>10.1f} "
              f"{statistics.median(r.scan_ms for r in rs):>10.1f} {p99:>7.0f} "
              f"{statistics.median(r.busy for r in rs):>7.0f} {statistics.median(r.others for r in rs):>10.0f} "
              f"{statistics.median(r.load[0] for r in rs):>7.2f}")
    ratio = med["workers=2"] / med["workers=1"]
    print(f"workers=2 / workers=1: {ratio:.2f}x msg/s (target >= 1.7x when two cores are free: "
          f"{'met' if ratio >= 1.7 else 'NOT met'})")
    print(f"the machine was {statistics.median(quiet):.0f} % busy (median) before each run with ours idle; "
          f"{os.cpu_count()} CPUs also carry Postfix, the sink and these {args.c} clients")
    ours = statistics.median(r.ours_ms for r in runs["workers=2"])
    scan = statistics.median(r.scan_ms for r in runs["workers=1"])
    cpus = os.cpu_count() or 1
    ceiling = min(2.0, cpus * scan / ours)
    print(f"ceiling here: one worker scans at most 1000 / {scan:.1f} = {1000 / scan:.1f} msg/s; all our processes "
          f"(coinguard, Postfix, the sink, the clients) cost {ours:.1f} CPU ms/msg with workers=2, so {cpus} CPUs "
          f"free for us alone allow {cpus * 1000 / ours:.1f} msg/s: the ratio cannot exceed {ceiling:.2f}x on this "
          f"machine, whatever its other tenants do")
    return 0


def mode_soak(gw: Gateway, args: argparse.Namespace, probe: HeapProbe | None) -> int:
    d = gw.daemons[0]
    port, sink = gw.port(d), gw.sink
    assert sink is not None
    warm(d, port, sink, "soak", 3, args.c, gw.others())
    if probe is not None:
        probe.pid = d.pid
    progress = [0]
    marks = {args.n * k // 10 for k in range(1, 10)}  # heap probes after every tenth

    def source() -> Iterator[tuple[str, bytes]]:
        for i in range(args.n):
            if probe is not None and i in marks:  # drive() holds its lock around next(): no client starts meanwhile
                probe.probe(progress[0])
            yield message("soak", i, args.seed)

    def on_done(k: int) -> None:
        progress[0] = k
        if k % 2000 == 0:
            print(f"soak: {k} messages", file=sys.stderr, flush=True)

    quiet = quiet_busy()
    with MemorySampler(d.pid, args.sample_s, lambda: progress[0]) as mem:
        out = measure(d, port, sink, source(), args.n, args.c, gw.others(), on_done)
    if probe is not None:
        probe.probe(args.n)
    samples = mem.samples
    print(f"\nsoak: {args.n} messages (text and small attachments, mean "
          f"{statistics.mean(s.size for s in out.sent) / 1024:.1f} KB), C={args.c}, workers="
          f"{d.workers or os.cpu_count()}, recycle_after={d.recycle_after or 500}, {len(samples)} samples every "
          f"{args.sample_s:g} s over {out.seconds:.0f} s")
    print(f"{out.rate:.1f} msg/s end to end, CPU {out.cpu_ms:.1f} ms/msg; {out.delivered} at the sink, "
          f"{out.quarantined} in the quarantine; verdicts: {verdict_text(out.verdicts)}")
    recycles = sum(v for k, v in out.restarts.items() if "recycle" in k)
    print(f"worker restarts: {out.restarts or 'none'} ({len(mem.worker_pids)} distinct worker PIDs seen; "
          f"{recycles:.0f} recycles at {d.recycle_after or 500} messages each); pool rebuilds: "
          f"{out.rebuilds or 'none'}")
    assert d.proc is not None
    log_lines = [line for line in d.proc.log_text().splitlines() if "rebuilt" in line or "ERROR" in line]
    for line in log_lines[:5]:
        print(f"  daemon log: {line[:200]}")
    print(f"\n{'RSS MiB':<22} {'first 10 %':>10} {'last 10 %':>10} {'drift':>8} {'largest step':>12} {'min':>7} "
          f"{'max':>7}")
    rows: list[tuple[str, str, Callable[[list[float]], float], str]] = [
        ("daemon", "daemon", sum, "rss"), ("daemon USS", "daemon", sum, "uss"),
        ("forkserver", "forkserver", sum, "rss"), ("worker (mean)", "worker", statistics.mean, "rss"),
        ("worker (max)", "worker", max, "rss"), ("worker USS (mean)", "worker", statistics.mean, "uss"),
        ("resource_tracker", "resource_tracker", sum, "rss"),
    ]
    verdict = "flat"
    for label, role, how, kind in rows:
        values = series(samples, role, how, kind)
        if not values:
            continue
        first, last, pct, step = drift(values)
        if role == "daemon" and kind == "rss" and abs(pct) > 10:
            verdict = "NOT flat"
        print(f"{label:<22} {first:>10.1f} {last:>10.1f} {pct:>+7.1f}% {step:>+12.1f} {min(values):>7.1f} "
              f"{max(values):>7.1f}")
    print(f"daemon RSS over the run: {verdict} (target +-10 %)")
    print(f"\n{'tenth':<6} {'messages':>9} {'msg/s':>7} {'daemon CPU ms/msg':>17} {'workers CPU ms/msg':>18} "
          f"{'daemon RSS':>10} {'daemon USS':>10} {'worker RSS':>10}")
    for k in range(10):
        lo, hi = args.n * k // 10, args.n * (k + 1) // 10
        part = [s for s in samples if lo <= s.done <= hi]
        a = next((s for s in samples if s.done >= lo), samples[-1])
        b = next((s for s in samples if s.done >= hi), samples[-1])
        msgs = b.done - a.done
        rate = msgs / (b.t - a.t) if b.t > a.t else float("nan")
        dcpu = (b.daemon_cpu - a.daemon_cpu) * 1000 / msgs if msgs > 0 else float("nan")
        scpu = (b.scan_cpu - a.scan_cpu) * 1000 / msgs if msgs > 0 else float("nan")
        dr, du, wr = (mean_or_nan(series(part, "daemon", sum)), mean_or_nan(series(part, "daemon", sum, "uss")),
                      mean_or_nan(series(part, "worker")))
        print(f"{k + 1:<6} {hi:>9} {rate:>7.1f} {dcpu:>17.2f} {scpu:>18.1f} {dr:>10.1f} {du:>10.1f} {wr:>10.1f}")
    print(machine_line(out, quiet))
    if args.samples_out:
        Path(args.samples_out).write_text(json.dumps([s.__dict__ for s in samples]))
        print(f"samples written to {args.samples_out}")
    if probe is not None:
        probe.report()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=("p99", "scaling", "soak"), required=True)
    ap.add_argument("-n", type=int, default=0, help="messages per run (default: p99 600, scaling 300, soak 20000)")
    ap.add_argument("-c", type=int, default=20, help="concurrent SMTP clients (default 20)")
    ap.add_argument("--workers", type=int, default=0, help="coinguard scanner workers for p99/soak (0 = one per core)")
    ap.add_argument("--recycle-after", type=int, default=0,
                    help="[scan] recycle_after (0 = the default, 500 messages per worker)")
    ap.add_argument("--open-load", default="0.5",
                    help="p99: after the closed-loop run, open-loop runs offering these shares of its msg/s "
                    "(comma-separated, default 0.5; empty for none)")
    ap.add_argument("--reps", type=int, default=2, help="scaling: interleaved repetitions per daemon (default 2)")
    ap.add_argument("--seed", type=int, default=13, help="message generator seed (default 13)")
    ap.add_argument("--sample-s", type=float, default=3.0, help="soak: seconds between memory samples (default 3)")
    ap.add_argument("--samples-out", default="", help="soak: write every memory sample to this JSON file")
    ap.add_argument("--heap-probe", action="store_true",
                    help="soak: after every tenth, ask the daemon for its live objects by type, pymalloc blocks "
                    "and glibc malloc figures, and print how they grew")
    ap.add_argument("--daemon-env", action="append", default=[], metavar="NAME=VALUE",
                    help="extra environment for the daemon, e.g. MALLOC_ARENA_MAX=2 (repeatable)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (logs, configs, quarantine)")
    args = ap.parse_args()
    args.n = args.n or {"p99": 600, "scaling": 300, "soak": 20000}[args.mode]
    reason = harness.missing_prerequisite() or ("" if Path(SMTP_SINK).exists() else "smtp-sink is missing")
    if reason:
        print(f"bench_soak: cannot run: {reason}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="coinguard-soak-"))
    os.chmod(work, 0o755)
    probe = HeapProbe(work / "probe") if args.heap_probe and args.mode == "soak" else None
    env = dict(item.split("=", 1) for item in args.daemon_env)
    if args.mode == "scaling":
        daemons = [Daemon(f"workers={w}", work / f"coinguard-{w}", w, args.recycle_after, env=env) for w in (1, 2)]
    else:
        daemons = [Daemon("coinguard", work / "coinguard", args.workers, args.recycle_after,
                          probe_dir=probe.folder if probe else None, env=env)]
    gw = Gateway(work, daemons)
    try:
        gw.start()
        if args.mode == "p99":
            return mode_p99(gw, args)
        if args.mode == "scaling":
            return mode_scaling(gw, args)
        return mode_soak(gw, args, probe)
    except (BenchError, RuntimeError) as exc:  # RuntimeError: harness could not start Postfix/coinguard
        print(f"bench_soak: FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        gw.close()
        if args.keep:
            print(f"work folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
