"""PostScript/EPS helpers shared by the hwp and filetype analyzers: not an analyzer.

EPS inside HWP documents is the classic Korean exploit carrier (Ghostscript bugs such as
CVE-2017-8291, or a plain VBS/PowerShell dropper); a bare .eps attachment is the same program.
"""

from __future__ import annotations

import re

#: Name of the HWP analyzer: it reports the EPS it finds itself (``hwp.eps``), so filetype skips
#: PostScript children with ``item.source == HWP_SOURCE``.
HWP_SOURCE = "hwp"

_PS_HEAD = re.compile(rb"^\s*%!PS|%!PS-Adobe|^\xc5\xd0\xd3\xc6")  # text EPS, or DOS EPS binary header

_EPS_SIGNS: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    ("builds strings with putinterval", re.compile(rb"\bputinterval\b")),
    ("reads hidden data (readstring/readhexstring)", re.compile(rb"\bread(?:hex)?string\b")),
    ("executes built code (exec/cvx)", re.compile(rb"\bcvx\b|\bexec\b")),
    ("writes files", re.compile(rb"\b(?:writestring|closefile)\b|\(\s*w\s*\)\s*file\b")),
    ("reads environment (getenv)", re.compile(rb"\bgetenv\b")),
    ("Ghostscript exploit operators", re.compile(rb"\.eqproc|\bforceput\b|\.rsdparams|\.setsmoothness|\.sethalftone5"
                                                   rb"|\.tempfile|\.runandhide|\.systemvar|\.buildfont\d")),
    ("type-confusion tricks (aload/restore)", re.compile(rb"\baload\b.{0,200}\brestore\b", re.S)),
    ("long hex blob (shellcode?)", re.compile(rb"<\s*(?:[0-9a-fA-F]{2}\s*){200,}>")),
    ("long base64 blob", re.compile(rb"[A-Za-z0-9+/]{400,}={0,2}")),
    ("references PowerShell/WScript/cmd", re.compile(
        rb"powershell|wscript|cscript|cmd\.exe|mshta|rundll32|regsvr32|WScript\.Shell|CreateObject", re.I)),
    ("Startup-folder persistence", re.compile(rb"Start Menu\\*\\Programs\\*\\Startup", re.I)),
    ("drops script/executable", re.compile(rb"\.(?:vbs|js|jse|bat|cmd|ps1|exe|dll|hta)\b", re.I)),
)

#: The signs that mark PostScript as an exploit or dropper rather than a drawing (putinterval and
#: exec alone are common in ordinary Illustrator/Distiller prologs).
EPS_EXPLOIT_SIGNS = frozenset({
    "writes files", "Ghostscript exploit operators", "long hex blob (shellcode?)",
    "references PowerShell/WScript/cmd", "Startup-folder persistence",
})

def is_postscript(data: bytes, name: str = "") -> bool:
    """True for PostScript/EPS content (or a BinData stream named .eps/.ps)."""
    if _PS_HEAD.search(data[:1024]):
        return True
    return name.lower().endswith((".eps", ".ps")) and b"%!" in data[:4096]


def eps_indicators(data: bytes, limit: int = 1 << 20) -> list[str]:
    """What a PostScript program does, in words (empty for an ordinary picture)."""
    sample = data[:limit]
    return [label for label, rx in _EPS_SIGNS if rx.search(sample)]
