"""``coinguard setup postfix [--apply]``: the Postfix side of the installation, printed or applied.

These are the *only* Postfix lines the project documents: README.md and docs/operations.md show
:func:`main_cf` for the default configuration verbatim (a test keeps them in step), so what the
docs say, what this command applies and what the integration tests use cannot drift apart.

main.cf: ``smtpd_milters`` and ``non_smtpd_milters`` both point at coinguard's socket, so mail
from the network and local submissions (the ``sendmail`` command, pickup) are scanned alike.
master.cf: a loopback-only ``smtpd`` on ``[quarantine] release_smtp`` with milters off
(``receive_override_options=no_milters``), through which ``coinguard quarantine release``, the
console and the digests hand mail back (``release_method = "smtp"``): a released message is
delivered and never scanned again, so it cannot loop back into the quarantine under a new id.
A ``sendmail`` release is refused while ``non_smtpd_milters`` is set (quarantine/injector.py).

``--apply`` refuses when Postfix has no main.cf (Debian's "No configuration": run
``dpkg-reconfigure postfix`` first), copies main.cf and master.cf to ``*.coinguard-<time>.bak``,
then changes them only through ``postconf -e`` / ``-M`` / ``-P``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from coinguard.config import Config
from coinguard.errors import CoinguardError


class PostfixSetupError(CoinguardError):
    """Postfix could not be configured (no main.cf, postconf failed...)."""


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    value: str
    why: str


def milter_address(socket_spec: str) -> str:
    """coinguard's ``[milter] socket`` as Postfix writes it: ``inet:8896@127.0.0.1`` -> ``inet:127.0.0.1:8896``."""
    kind, _, rest = socket_spec.partition(":")
    if kind in ("inet", "inet6"):
        port, _, host = rest.partition("@")
        host = host or ("::1" if kind == "inet6" else "127.0.0.1")
        return f"inet:[{host}]:{port}" if ":" in host else f"inet:{host}:{port}"
    return f"unix:{rest}"  # unix:/path and local:/path (inside Postfix's chroot: see docs)


def main_cf(cfg: Config) -> list[Setting]:
    return [
        Setting("smtpd_milters", milter_address(cfg.milter.socket), "mail from the network goes through coinguard"),
        Setting("non_smtpd_milters", "$smtpd_milters",
                "local submissions (sendmail, pickup) are scanned too; releases use the listener below"),
        Setting("milter_default_action", "tempfail", "coinguard unreachable or late: 451, the sender retries"),
        Setting("milter_protocol", "6", "the milter protocol coinguard speaks"),
        Setting("milter_connect_timeout", "10s", "a local milter connects at once; a long wait means it is down"),
        Setting("milter_command_timeout", "30s", "each milter step before the end of the message"),
        Setting("milter_content_timeout", "300s", "end of message, where coinguard scans (> [milter] keepalive_s)"),
        Setting("milter_data_macros", "i", "the queue id, for coinguard's log line"),
        Setting("milter_end_of_data_macros", "i", "the queue id at the end of data"),
    ]


def release_service(cfg: Config) -> tuple[str, list[str]]:
    """The master.cf service for SMTP releases: (service line, its ``-o`` options)."""
    listen = cfg.quarantine.release_smtp
    return (f"{listen} inet n - n - - smtpd",
            ["syslog_name=postfix/coinguard-release", "smtpd_milters=", "receive_override_options=no_milters",
             "mynetworks=127.0.0.0/8", "smtpd_client_restrictions=permit_mynetworks,reject",
             "smtpd_recipient_restrictions=permit_mynetworks,reject",
             "smtpd_relay_restrictions=permit_mynetworks,reject"])


def main_cf_text(cfg: Config) -> str:
    """The main.cf block, one ``# why`` comment above each line (README and docs show this)."""
    return "\n".join(f"# {s.why}\n{s.key} = {s.value}".rstrip() for s in main_cf(cfg)) + "\n"


def master_cf_text(cfg: Config) -> str:
    line, options = release_service(cfg)
    return ("# re-injection port for coinguard releases: loopback only, no milters\n"
            + line + "\n" + "".join(f"  -o {o}\n" for o in options))


def render(cfg: Config) -> str:
    return (f"# /etc/postfix/main.cf\n{main_cf_text(cfg)}\n# /etc/postfix/master.cf\n{master_cf_text(cfg)}\n"
            "# apply with: coinguard setup postfix --apply   (backs both files up first), then: postfix reload\n")


def postconf_commands(cfg: Config, config_dir: str = "") -> list[list[str]]:
    """The postconf invocations ``--apply`` runs, in order."""
    base = ["postconf", *(["-c", config_dir] if config_dir else [])]
    line, options = release_service(cfg)
    name = f"{line.split()[0]}/inet"
    cmds = [[*base, "-e", *(f"{s.key}={s.value}" for s in main_cf(cfg))], [*base, "-M", f"{name}={line}"]]
    cmds += [[*base, "-P", f"{name}/{o}"] for o in options]
    return cmds


def apply(cfg: Config, config_dir: str = "", out: TextIO | None = None) -> list[Path]:
    """Back up main.cf and master.cf, then apply the settings with postconf; the backups' paths."""
    out = out or sys.stdout
    if shutil.which("postconf") is None:
        raise PostfixSetupError("postconf not found: is Postfix installed? (apt-get install postfix)")
    directory = Path(config_dir or _default_config_dir())
    main = directory / "main.cf"
    if not main.is_file():
        raise PostfixSetupError(f"{main} does not exist: Postfix is not configured yet"
                                " (Debian: dpkg-reconfigure postfix), then run this again")
    stamp = time.strftime("%Y%m%dT%H%M%S")
    backups = []
    for name in ("main.cf", "master.cf"):
        src = directory / name
        if src.is_file():
            dst = directory / f"{name}.coinguard-{stamp}.bak"
            n = 1
            while dst.exists():  # never overwrite an earlier backup (two runs in one second)
                dst, n = directory / f"{name}.coinguard-{stamp}-{n}.bak", n + 1
            shutil.copy2(src, dst)
            backups.append(dst)
            out.write(f"backed up {src} -> {dst}\n")
    for cmd in postconf_commands(cfg, config_dir):
        _run(cmd)
        out.write(f"ran: {' '.join(_quote(c) for c in cmd)}\n")
    out.write("done: check with `postfix check`, then `postfix reload`\n")
    return backups


def _default_config_dir() -> str:
    try:
        return _run(["postconf", "-h", "config_directory"]).strip()
    except PostfixSetupError:  # postconf itself fails without a main.cf
        return "/etc/postfix"


def _run(cmd: Sequence[str]) -> str:
    proc = subprocess.run(list(cmd), capture_output=True, text=True, timeout=60, check=False)
    if proc.returncode != 0:
        raise PostfixSetupError(f"{' '.join(cmd)} failed: {(proc.stderr or proc.stdout).strip()}")
    return proc.stdout


def _quote(arg: str) -> str:
    return arg if arg and all(c.isalnum() or c in "-_./:=,@" for c in arg) else "'" + arg.replace("'", "'\\''") + "'"
