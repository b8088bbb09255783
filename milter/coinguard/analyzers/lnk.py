"""Windows shortcuts (.lnk), parsed with LnkParse3.

A shortcut in mail is itself suspicious (Windows hides the ``.lnk`` extension, so
``invoice.pdf.lnk`` shows as ``invoice.pdf``).  What makes it strong evidence is what
it runs: cmd, PowerShell, mshta, rundll32, wscript... with arguments, often long,
encoded or padded with blanks past the 260 characters Explorer shows, sometimes with a
payload appended after the shortcut structure and a document icon borrowed to look
harmless.

Graded by what the parsed shortcut does, not by its type: one that runs an interpreter or a
program, reaches a share or a URL, starts something in a temp/AppData/ProgramData/Public folder
(where an earlier stage dropped it), passes an encoded or downloading command, or wears a
document's icon over a program is conclusive; a shortcut to a local document with no arguments
(``sample.hwp.lnk`` opening ``sample.hwp``) is weak context (``lnk.present`` alone stays below the
tag threshold).  An admin who wants every shortcut held whatever it does raises ``lnk.present``
to ``malicious_score`` in ``[policy.scores]``.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import LnkParse3

from coinguard.analyzers.script_common import behaviour
from coinguard.findings import Category, CodeInfo, Finding, Item, Role, Strength
from coinguard.handlers import AnalysisContext

log = logging.getLogger(__name__)

A = Category.ATTACHMENT

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
_DOC_ICON = re.compile(
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
#: Trailing bytes tolerated after the parsed structure (alignment, a spare terminal block).
APPENDED_SLACK = 16
MAX_DETAIL_ARGS = 180


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


class LnkAnalyzer:
    name: ClassVar[str] = "lnk"
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        # no declared strength: weak at its score, conclusive when an admin raises it to malicious_score
        CodeInfo("lnk.present", 4.0, A, "a Windows shortcut (.lnk) is attached (Windows hides its extension); "
                 "alone, one that opens a local document, context only"),
        CodeInfo("lnk.exec", 10.0, A,
                 "the shortcut runs an interpreter or LOLBin (cmd, powershell, mshta, rundll32, wscript, curl...)",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("lnk.exec_target", 5.0, A, "the shortcut launches a program or script file directly",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("lnk.obfuscated_args", 6.0, A,
                 "long, encoded or padded shortcut arguments (base64 -enc, env-var slicing, blank padding, IEX)",
                 strength=Strength.STRONG),
        CodeInfo("lnk.appended_data", 8.0, A, "data appended after the shortcut structure (an embedded payload)",
                 strength=Strength.STRONG),
        CodeInfo("lnk.icon_spoof", 5.0, A, "a document/browser icon on a shortcut that runs an interpreter or a "
                 "program: it passes for the document it is not", strength=Strength.CONCLUSIVE),
        CodeInfo("lnk.staging_target", 8.0, A,
                 "the shortcut starts something in a temp, AppData, ProgramData or Public folder (where an earlier "
                 "stage drops its payload)", strength=Strength.CONCLUSIVE),
        CodeInfo("lnk.command_args", 8.0, A,
                 "the shortcut's arguments are a command of their own: an encoded PowerShell command, a download "
                 "or script behaviour (after de-obfuscation)", strength=Strength.CONCLUSIVE),
        CodeInfo("lnk.remote_target", 8.0, A, "the shortcut target or icon is on a network share or URL",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("lnk.parse_error", 1.0, A, "the shortcut could not be parsed"),
    )

    def applies_to(self, item: Item) -> bool:
        return item.type == "lnk"

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        try:
            sc = parse_shortcut(item.data)
        except Exception as exc:  # LnkParse3 raises many types on hostile input
            log.debug("lnk parse failed for %s: %r", item.path, exc)
            yield Finding("lnk.present", self.name, item.path, "unparsable shortcut")
            yield Finding("lnk.parse_error", self.name, item.path, f"{type(exc).__name__}: {exc}")
            return
        args = sc.arguments
        shown = (sc.target + " " + args).strip()
        bounded = shown if len(shown) <= MAX_DETAIL_ARGS else shown[:MAX_DETAIL_ARGS] + f"… ({len(shown)} chars)"
        yield Finding("lnk.present", self.name, item.path, f"target: {bounded}" if shown else "no target")
        prog = interpreter_in(sc)
        launches = not prog and runs_target(sc)
        if prog:
            yield Finding("lnk.exec", self.name, item.path, f"runs {prog}: {bounded}")
        elif launches:
            yield Finding("lnk.exec_target", self.name, item.path, f"launches {sc.target[:150]}")
        signs = obfuscation_signs(args)
        if signs:
            yield Finding("lnk.obfuscated_args", self.name, item.path, f"{', '.join(signs)}: {args[:120]}")
        command = command_in_args(args)
        if command:
            yield Finding("lnk.command_args", self.name, item.path, f"{', '.join(command[:5])}: {args[:120]}")
        remote = remote_places(sc)
        if remote:
            yield Finding("lnk.remote_target", self.name, item.path, f"network location {remote[0][:150]}")
        staged = staging_target(sc)
        if staged:
            yield Finding("lnk.staging_target", self.name, item.path, f"starts {staged[:150]}")
        if (prog or launches) and sc.icon and _DOC_ICON.search(sc.icon):
            detail = f"icon {sc.icon[:120]} on a shortcut that {'runs ' + prog if prog else 'launches a program'}"
            yield Finding("lnk.icon_spoof", self.name, item.path, detail)
        tail = len(item.data) - sc.size
        if tail > APPENDED_SLACK:
            blob = item.data[sc.size :]
            child = item.child("<lnk-appended>", blob, source=self.name, role=Role.EMBEDDED)
            yield Finding("lnk.appended_data", self.name, item.path, f"{tail} bytes after the shortcut ({child.type})")
            yield child
