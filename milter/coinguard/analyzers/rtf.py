"""RTF documents: embedded OLE objects and the exploits that ride on them (oletools ``rtfobj``).

oletools' RtfObjParser parses RTF the way Word does (malformed input included) and decodes every
``\\objdata`` destination into an OLE 1.0 object.  We extend it to remember what Word would do
and what an attacker did to hide it:

- the object class (``\\objclass`` and the OLE1 header), the CLSID of embedded OLE2 storages:
  Equation Editor 3.0 (CVE-2017-11882 / CVE-2018-0802), OLE2Link/StdOleLink (CVE-2017-0199);
- ``\\objupdate``, which makes Word load and refresh the object without a click;
- OLE Packages (a file with a name) carrying executables, scripts or shortcuts;
- obfuscation inside ``\\objdata``: control words and ``\\'hh`` symbols, ``\\bin`` runs, junk
  characters, odd hex digits, oversized control words or parameters, and the truncated ``{\\rt``
  header that other parsers reject.

Every object's payload is yielded as a child Item (a Package as the file it carries) so the
other analyzers see the nested document or executable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from oletools import rtfobj

from coinguard.analyzers.office_common import (
    RTF_SOURCE,
    bounded_list,
    guarded,
    is_ole,
    open_ole,
    oversized,
    risky_embedded,
)
from coinguard.findings import Category, CodeInfo, Finding, Item, Role, Strength
from coinguard.handlers import AnalysisContext
from coinguard.limits import MiB

#: Largest RTF parsed (the pure-Python parser is linear but not fast).
MAX_RTF_BYTES = 48 * MiB
#: Objects yielded as children at most.
MAX_OBJECTS = 64
#: Control words counted between Budget time checks.
_CHECK_EVERY = 4096

_EQUATION_CLSIDS = frozenset({"0002CE02-0000-0000-C000-000000000046", "0002CE03-0000-0000-C000-000000000046"})
_OLE2LINK_CLSIDS = frozenset({"00000300-0000-0000-C000-000000000046"})
_URL_UTF16 = re.compile(rb"(?:[\x20-\x7e]\x00){6,}")
_NON_HEX = re.compile(rb"[^0-9A-Fa-f]+")
_WHITESPACE = b" \t\r\n\f\v"
#: Longest control word Word knows (``\\pnaiueodbchar``-like names stay far below); longer ones confuse parsers.
MAX_CWORD = 40
#: Destinations that make up an embedded object.
_OBJECT_DESTINATIONS = frozenset({b"object", b"objdata", b"objclass", b"objname", b"result"})
_URL = re.compile(r"(?i)\b(?:https?|ftp|file)://[^\s\"'<>]{3,200}|\\\\[\w.-]+\\[^\s\"'<>]{1,200}")


class _Parser(rtfobj.RtfObjParser):  # type: ignore[misc]
    """RtfObjParser that also records objclass/objupdate, obfuscation and checks the time."""

    def __init__(self, data: bytes, ctx: AnalysisContext) -> None:
        super().__init__(data)
        self._ctx = ctx
        self._ticks = 0
        self.objupdate = 0
        self.objclasses: list[bytes] = []
        self.cwords_in_objdata = 0
        self.symbols_in_objdata = 0
        self.bin_in_objdata = 0
        self.long_cwords = 0
        self.junk_chars = 0
        self.odd_hex = 0

    def _tick(self) -> None:
        self._ticks += 1
        if self._ticks % _CHECK_EVERY == 0:
            self._ctx.budget.check_time()

    # The base parser appends every text run to its destination with ``bytes +=`` and re-filters
    # all object data at every \'hh symbol: quadratic on long documents and on nibble-obfuscated
    # objects.  We keep only what is read later (object data as hex digits, the class name),
    # in bytearrays, with the same results.
    def open_destination(self, destination: Any) -> None:
        destination.data = bytearray()

    def _text(self, matchobject: Any) -> None:
        self._tick()
        dest = self.current_destination
        if dest.cword == b"objdata":
            text = matchobject.group()
            digits = _NON_HEX.sub(b"", text)
            self.junk_chars += len(text.translate(None, _WHITESPACE)) - len(digits)
            dest.data += digits
        elif dest.cword == b"objclass" and len(dest.data) < 256:
            dest.data += matchobject.group()[:256]

    def open_group(self) -> None:
        self._tick()

    def control_word(self, matchobject: Any, cword: bytes, param: Any) -> None:
        self._tick()
        if cword == b"objupdate":
            self.objupdate += 1
        if (len(cword) > MAX_CWORD or (param is not None and _oversized_param(param))) and self._in_object():
            self.long_cwords += 1
        if self.current_destination.cword == b"objdata" and cword not in (b"objdata", b"bin"):
            self.cwords_in_objdata += 1

    def _in_object(self) -> bool:
        """Inside an ``\\object`` group (its class, data or result): where parser confusion hides data."""
        return any(d.cword in _OBJECT_DESTINATIONS for d in self.destinations)

    def control_symbol(self, matchobject: Any) -> None:
        self._tick()
        if matchobject.group()[1:2] != b"'":
            if self.current_destination.cword == b"objdata":
                self.symbols_in_objdata += 1
            return
        self.index += 2  # \'hh: the two characters after it are consumed whatever they are
        dest = self.current_destination
        if dest.cword == b"objdata":
            self.symbols_in_objdata += 1
            # Word drops the last hex digit before \'hh when an odd number was read so far.
            if len(dest.data) & 1:
                del dest.data[-1]

    def bin(self, bindata: bytes) -> None:
        if self.current_destination.cword == b"objdata":
            self.bin_in_objdata += 1
        super().bin(bindata)

    def close_destination(self, destination: Any) -> None:
        if destination.cword == b"objclass":
            self.objclasses.append(bytes(destination.data[:200]).strip())
        elif destination.cword == b"objdata":
            self.odd_hex += len(destination.data) & 1
            destination.data = bytes(destination.data)
        super().close_destination(destination)


def _oversized_param(param: bytes) -> bool:
    """A numeric parameter Word could not have written: beyond the signed/unsigned 32-bit range
    (``\\bliptag-1656291532`` is 11 characters and honest)."""
    digits = param.lstrip(b"-")
    return len(digits) > 10 or not -(1 << 31) <= int(param) < (1 << 32)


def _class_name(obj: Any) -> str:
    name = obj.class_name or b""
    if isinstance(name, bytes):
        name = name.decode("latin-1")
    return name.rstrip("\x00").strip()


class RtfObjects:
    """Embedded objects and exploit structures in RTF."""

    name: ClassVar[str] = RTF_SOURCE
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("rtf.object", 3, Category.ATTACHMENT, "RTF embeds an OLE object", strength=Strength.WEAK),
        CodeInfo("rtf.equation_editor", 12, Category.ATTACHMENT,
                 "Equation Editor 3.0 object (CVE-2017-11882 / CVE-2018-0802)", strength=Strength.CONCLUSIVE),
        CodeInfo("rtf.ole2link", 15, Category.ATTACHMENT,
                 "OLE2Link/StdOleLink object fetching a remote document (CVE-2017-0199 family)",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("rtf.objupdate", 6, Category.ATTACHMENT, "\\objupdate: the object loads without a click",
                 strength=Strength.STRONG),
        CodeInfo("rtf.package_executable", 12, Category.ATTACHMENT,
                 "OLE Package in the RTF carries an executable, script or shortcut", strength=Strength.CONCLUSIVE),
        CodeInfo("rtf.obfuscation", 6, Category.ATTACHMENT,
                 "object data hidden from parsers: control words, \\bin, junk or odd hex, oversized words, bad header",
                 strength=Strength.WEAK),
        CodeInfo("rtf.skipped", 1, Category.INTERNAL, "RTF too large to parse"),
        CodeInfo("rtf.parse_error", 1, Category.ATTACHMENT, "RTF could not be parsed"),
    )

    def applies_to(self, item: Item) -> bool:
        return item.type == "rtf"

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        if oversized(item, ctx, MAX_RTF_BYTES):
            yield Finding("rtf.skipped", self.name, item.path, f"{item.size} bytes")
            return
        yield from guarded(item, self.name, "rtf.parse_error", lambda: self._run(item, ctx))

    def _run(self, item: Item, ctx: AnalysisContext) -> list[Finding | Item]:
        parser = _Parser(item.data, ctx)
        parser.parse()
        out: list[Finding | Item] = []
        path = item.path
        classes: list[str] = []
        equations: list[str] = []
        links: list[str] = []
        packages: list[str] = []
        not_ole = 0
        for index, obj in enumerate(parser.objects[:MAX_OBJECTS]):
            ctx.budget.check_time()
            label = f"rtfobj{index}"
            if not obj.is_ole:
                not_ole += 1
                if obj.rawdata:
                    out.append(item.child(f"{label}.bin", obj.rawdata, source=self.name, role=Role.EMBEDDED))
                continue
            cls = _class_name(obj)
            clsid = (obj.clsid or "").upper()
            inner_clsid, has_equation_stream = _inspect_ole(obj.oledata)
            clsid = clsid or inner_clsid
            classes.append(cls or "?")
            low = cls.lower()
            if low.startswith("equation.3") or clsid in _EQUATION_CLSIDS or has_equation_stream:
                equations.append(f"#{index} class {cls!r}" + (f" CLSID {clsid}" if clsid else ""))
            if low == "ole2link" or clsid in _OLE2LINK_CLSIDS:
                urls = _urls(obj.oledata or obj.rawdata or b"")
                links.append(f"#{index} class {cls!r}" + (f" -> {bounded_list(urls, 2, 120)}" if urls else ""))
            if obj.is_package:
                names = tuple(str(n) for n in (obj.filename, obj.src_path, obj.temp_path) if n)
                reason = risky_embedded(names, obj.olepkgdata)
                fname = names[0] if names else f"{label}.bin"
                if reason:
                    packages.append(f"#{index} {fname!r}: {reason}")
                if obj.olepkgdata:
                    out.append(item.child(fname, obj.olepkgdata, source=self.name, role=Role.EMBEDDED,
                                          meta={"rtf_object": index}))
            elif obj.oledata:
                out.append(item.child(f"{label}.{low or 'ole'}", obj.oledata, source=self.name, role=Role.EMBEDDED,
                                      meta={"rtf_object": index, "class": cls}))
        if parser.objects:
            declared = [c.decode("latin-1", "replace") for c in parser.objclasses[:4]]
            detail = f"{len(parser.objects)} object(s), classes {bounded_list(classes or declared or ['?'], 6, 40)}"
            out.append(Finding("rtf.object", self.name, path, detail))
        if equations:
            out.append(Finding("rtf.equation_editor", self.name, path, bounded_list(equations, 4, 80)))
        if links:
            out.append(Finding("rtf.ole2link", self.name, path, bounded_list(links, 3, 200)))
        if parser.objupdate and parser.objects:
            out.append(Finding("rtf.objupdate", self.name, path, f"{parser.objupdate} \\objupdate"))
        if packages:
            out.append(Finding("rtf.package_executable", self.name, path, bounded_list(packages, 4, 120)))
        tricks = self._tricks(item, parser, not_ole)
        if tricks:
            out.append(Finding("rtf.obfuscation", self.name, path, "; ".join(tricks)))
        return out

    @staticmethod
    def _tricks(item: Item, parser: _Parser, not_ole: int) -> list[str]:
        tricks: list[str] = []
        if not item.data.startswith(b"{\\rtf1"):
            tricks.append(f"header {item.data[:6]!r} instead of {{\\rtf1")
        if parser.cwords_in_objdata:
            tricks.append(f"{parser.cwords_in_objdata} control words inside \\objdata")
        if parser.symbols_in_objdata:
            tricks.append(f"{parser.symbols_in_objdata} control symbols inside \\objdata")
        if parser.bin_in_objdata:
            tricks.append("\\bin run inside \\objdata")
        if parser.junk_chars > 16:
            tricks.append(f"{parser.junk_chars} non-hex characters in object data")
        if parser.odd_hex:
            tricks.append("odd number of hex digits in object data")
        if parser.long_cwords and parser.objects:
            # counted inside objects only: parser confusion matters where there is object data to hide;
            # a long document (the RTF specification itself) has long words and parameters honestly
            tricks.append(f"{parser.long_cwords} oversized control words or parameters inside objects")
        if not_ole and parser.objects:
            tricks.append(f"{not_ole} object(s) that are not well-formed OLE")
        return tricks


def _inspect_ole(data: bytes | None) -> tuple[str, bool]:
    """(root CLSID, has an 'Equation Native' stream) of an embedded OLE2 storage."""
    if not data or not is_ole(data):
        return "", False
    try:
        ole = open_ole(data)
    except Exception:
        return "", False
    try:
        clsid = (ole.root.clsid or "").upper() if ole.root is not None else ""
        has_eq = any(p[-1].lower() == "equation native" for p in ole.listdir())
        return clsid, has_eq
    finally:
        ole.close()


def _urls(data: bytes) -> list[str]:
    """URLs (UTF-16 or ASCII) inside an OLE2Link object: where Word will fetch from."""
    texts = [m.group(0).decode("utf-16-le", "replace") for m in _URL_UTF16.finditer(data[: 1 * MiB])]
    texts.append(data[: 1 * MiB].decode("latin-1"))
    found: list[str] = []
    for text in texts:
        for m in _URL.finditer(text):
            if m.group(0) not in found:
                found.append(m.group(0))
    return found
