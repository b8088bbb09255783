"""Running Postfix's admin tools (postqueue, postcat, postsuper, sendmail): no shell, bounded time."""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field

from coinguard.errors import QuarantineError

log = logging.getLogger(__name__)

COMMAND_TIMEOUT_S = 120.0


def run_tool(argv: Sequence[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run a Postfix tool; every argument was validated by the caller (no shell).  Through
    coinguard.subproc: past the limit its whole process group (sendmail's postdrop too) is killed."""
    from coinguard import subproc

    log.debug("running %s", " ".join(argv))
    try:
        return subproc.run_tool(argv, COMMAND_TIMEOUT_S, input=stdin)
    except FileNotFoundError as exc:
        raise QuarantineError(f"{argv[0]}: not found (is Postfix installed?)") from exc
    except subproc.ToolTimeout as exc:
        raise QuarantineError(f"{argv[0]}: no answer within {COMMAND_TIMEOUT_S:.0f} s") from exc
    except OSError as exc:
        raise QuarantineError(f"{argv[0]}: {exc.strerror or exc}") from exc


def tool_error(proc: subprocess.CompletedProcess[bytes], argv0: str) -> str:
    text = (proc.stderr or proc.stdout or b"").decode("utf-8", "replace").strip()
    return f"{argv0} exited {proc.returncode}: {text[-500:]}"


@dataclass
class PostfixTools:
    """argv builders for Postfix's admin tools, each with ``-c DIR`` when configured."""

    config_dir: str = ""
    paths: dict[str, str] = field(default_factory=dict)

    def cmd(self, tool: str, *args: str) -> list[str]:
        exe = self.paths.get(tool) or shutil.which(tool) or f"/usr/sbin/{tool}"
        conf = ["-c", self.config_dir] if self.config_dir else []
        return [exe, *conf, *args]

