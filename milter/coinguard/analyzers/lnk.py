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
from collections.abc import Iterator
from typing import ClassVar

from coinguard.analyzers.lnk_common import (
    DOC_ICON,
    command_in_args,
    interpreter_in,
    obfuscation_signs,
    parse_shortcut,
    remote_places,
    runs_target,
    staging_target,
)
from coinguard.findings import Category, CodeInfo, Finding, Item, Role, Strength
from coinguard.handlers import AnalysisContext

log = logging.getLogger(__name__)

A = Category.ATTACHMENT

#: Trailing bytes tolerated after the parsed structure (alignment, a spare terminal block).
APPENDED_SLACK = 16
MAX_DETAIL_ARGS = 180


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
        if sc.size > len(item.data):  # LnkParse3 reads a cut shortcut quietly: the target or arguments are partial
            yield Finding("lnk.parse_error", self.name, item.path,
                          f"cut short: its structures cover {sc.size} bytes, the file has {len(item.data)}")
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
        if (prog or launches) and sc.icon and DOC_ICON.search(sc.icon):
            detail = f"icon {sc.icon[:120]} on a shortcut that {'runs ' + prog if prog else 'launches a program'}"
            yield Finding("lnk.icon_spoof", self.name, item.path, detail)
        tail = len(item.data) - sc.size
        if tail > APPENDED_SLACK:
            blob = item.data[sc.size :]
            child = item.child("<lnk-appended>", blob, source=self.name, role=Role.EMBEDDED)
            yield Finding("lnk.appended_data", self.name, item.path, f"{tail} bytes after the shortcut ({child.type})")
            yield child
