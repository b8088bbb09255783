"""What a Windows shortcut (.lnk) points at and whether opening it runs something (lnk, filetype).

:func:`parse_shortcut` reads an LNK with LnkParse3 into plain strings; :func:`run_reasons` says
why opening it runs something (an interpreter or a program, a share or URL, a target in a
staging folder, a command in its arguments) -- empty when it only opens what it points to.
Pure functions over attacker data, bounded regexes.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any

import LnkParse3

from coinguard.analyzers.script_common import behaviour

#: Programs that interpret their arguments as code or fetch and run something (LOLBins).
_INTERPRETER_NAMES = """cmd powershell pwsh powershell_ise mshta rundll32 regsvr32 wscript cscript curl bitsadmin
    certutil msiexec
    forfiles conhost schtasks wmic msbuild installutil regasm regsvcs cmstp odbcconf hh msdt bash wsl ftp finger
    pcalua scriptrunner syncappvpublishingserver msxsl ieexec mavinject control explorer tar expand xcopy
    esentutl pubprn winrm"""
INTERPRETERS = frozenset(_INTERPRETER_NAMES.split())
#: Extensions of files a shortcut may launch directly.
_RUNNABLE = re.compile(r"\.(?:exe|com|scr|pif|bat|cmd|vbs|vbe|js|jse|wsf|wsh|hta|ps1|cpl|msi|dll|jar|lnk)$", re.I)
#: Icons that make a shortcut look like a document, a picture or a folder.
DOC_ICON = re.compile(
    r"\.(?:pdf|docx?|xlsx?|pptx?|hwpx?|rtf|txt|jpe?g|png|gif|bmp|zip)\b"
    r"|\\(?:shell32|imageres|moricons|zipfldr)\.dll|\\(?:msedge|chrome|firefox|iexplore|AcroRd32|Acrobat|winword|excel"
    r"|powerpnt|hwp|hword|notepad|explorer)\.exe",
    re.I,
)
_OBFUSCATION: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("encoded command", re.compile(r"(?:^|\s)[-/]e(?:nc(?:odedcommand)?|c)?\s+[A-Za-z0-9+/=]{32,}", re.I)),
    ("base64 blob", re.compile(r"[A-Za-z0-9+/]{120,}={0,2}")),
    ("env-var substring", re.compile(r"%[A-Za-z_]\w*:~-?\d+(?:,-?\d+)?%")),
    ("caret escaping", re.compile(r"(?:\^[A-Za-z0-9]){4,}")),
    ("blank padding", re.compile(r"[\s\x00-\x1f\u00a0\u2000-\u200b\u3000]{40,}")),
    ("hidden window", re.compile(
        r"-w(?:indowstyle)?\s+h(?:idden)?\b|-nop\b|-noni\b|-ep\s+bypass|-exec(?:utionpolicy)?\s+bypass", re.I)),
    ("download or eval", re.compile(
        r"\biex\b|invoke-expression|downloadstring|downloadfile|invoke-webrequest|\biwr\b|frombase64string"
        r"|https?://|(?:^|[\s\"'])\\\\[\w.-]+\\|net\.webclient|start-bitstransfer", re.I)),
    ("string splicing", re.compile(r"(?:['\"]\s*\+\s*['\"].{0,6}){4,}|-join\b|\[char\]\s*\d+", re.I)),
)
#: Folders where droppers write the next stage: a shortcut that starts something there finishes an attack.
_STAGING = re.compile(
    r"\\(?:appdata|programdata|temp|tmp)\\|\\users\\public\\|%(?:temp|tmp|appdata|localappdata|programdata|public)%",
    re.I,
)
#: Obfuscation signs that are themselves a command (not only a way of hiding one).
COMMAND_SIGNS = frozenset({"encoded command", "download or eval"})
#: Longer arguments than this are hidden from the Properties dialog (Explorer shows 260 characters).
LONG_ARGUMENTS = 260

@dataclass(frozen=True, slots=True)
class Shortcut:
    """What a shortcut points at, as plain strings (empty when absent)."""

    targets: tuple[str, ...]
    arguments: str
    working_dir: str
    icon: str
    description: str
    size: int  # bytes the LNK structure covers

    @property
    def target(self) -> str:
        return next((t for t in self.targets if t), "")


def _get(d: Any, *keys: str) -> str:
    for key in keys:
        if not isinstance(d, dict):
            return ""
        d = d.get(key)
    return d if isinstance(d, str) else ""


def parse_shortcut(data: bytes) -> Shortcut:
    """Parse an LNK with LnkParse3; raises on input it cannot read."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # allow_terminal_blocks=False: bytes after the terminal block are an appended payload, not an extra block
        lnk = LnkParse3.lnk_file(indata=data, allow_terminal_blocks=False)
        info = lnk.get_json()
    sd = info.get("data", {}) or {}
    li = info.get("link_info", {}) or {}
    extra = info.get("extra", {}) or {}
    base = _get(li, "local_base_path_unicode") or _get(li, "local_base_path")
    suffix = _get(li, "common_path_suffix_unicode") or _get(li, "common_path_suffix")
    local = (base.rstrip("\\") + "\\" + suffix) if base and suffix else base
    net = _get(li, "location_info", "net_name_unicode") or _get(li, "location_info", "net_name")
    items = (info.get("target", {}) or {}).get("items", [])
    idlist = [it.get("primary_name") or it.get("volume_name") or "" for it in items if isinstance(it, dict)]
    idpath = "\\".join(p.rstrip("\\") for p in idlist if isinstance(p, str) and p)
    env = extra.get("ENVIRONMENTAL_VARIABLES_LOCATION_BLOCK", {}) or {}
    envpath = _get(env, "target_unicode") or _get(env, "target_ansi")
    icon_block = extra.get("ICON_LOCATION_BLOCK", {}) or {}
    icon = sd.get("icon_location") or _get(icon_block, "target_unicode") or _get(icon_block, "target_ansi") or ""
    targets = tuple(t for t in (local, envpath, sd.get("relative_path") or "", idpath, net) if t)
    return Shortcut(
        targets=targets,
        arguments=sd.get("command_line_arguments") or "",
        working_dir=sd.get("working_directory") or "",
        icon=icon,
        description=sd.get("description") or "",
        size=int(info.get("size") or lnk.size),
    )


def program_name(path: str) -> str:
    """``C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`` -> ``powershell``."""
    base = re.split(r"[\\/]", path.strip().strip('"'))[-1].lower()
    return base[:-4] if base.endswith((".exe", ".com")) else base


def interpreter_in(sc: Shortcut) -> str:
    """The code-running program the shortcut launches (its target, or one its arguments start), or ''."""
    for t in sc.targets:
        prog = program_name(t)
        if prog in INTERPRETERS:
            return prog
    args = sc.arguments.lower()
    for prog in sorted(INTERPRETERS):
        if prog in ("control", "explorer", "tar", "expand", "xcopy", "ftp", "finger", "bash"):
            continue
        if re.search(rf"(?:^|[\s\\/&|\"'(]){re.escape(prog)}(?:\.exe)?(?:[\s\"']|$)", args):
            return prog
    return ""


def staging_target(sc: Shortcut) -> str:
    """The target in a temp, AppData, ProgramData or Public folder, or ''."""
    return next((t for t in sc.targets if _STAGING.search(t)), "")


def command_in_args(args: str) -> list[str]:
    """What in the arguments is a command of its own: an encoded command, a download, script behaviour."""
    found = [s for s in obfuscation_signs(args) if s in COMMAND_SIGNS]
    hits, _ = behaviour(args)
    return found + [h for h in hits if h not in found]


def remote_places(sc: Shortcut) -> list[str]:
    """Target, icon or working folder on a share or a URL."""
    places = (*sc.targets, sc.icon, sc.working_dir)
    return [t for t in places if re.match(r"^(?:\\\\|//|https?:|file:)", t.strip(), re.I)]


def runs_target(sc: Shortcut) -> bool:
    return any(_RUNNABLE.search(t.strip().strip('"')) for t in sc.targets)


def run_reasons(sc: Shortcut) -> list[str]:
    """Why opening the shortcut runs something (empty when it only opens what it points to)."""
    reasons = []
    prog = interpreter_in(sc)
    if prog:
        reasons.append(f"runs {prog}")
    elif runs_target(sc):
        reasons.append(f"launches {sc.target[:80]}")
    if remote_places(sc):
        reasons.append("network location")
    if staging_target(sc):
        reasons.append("target in a staging folder")
    if command_in_args(sc.arguments):
        reasons.append("command in its arguments")
    return reasons


def obfuscation_signs(args: str) -> list[str]:
    signs = [label for label, rx in _OBFUSCATION if rx.search(args)]
    if len(args) > LONG_ARGUMENTS:
        signs.insert(0, f"{len(args)} characters")
    return signs
