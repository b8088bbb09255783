"""Releasing mail: hand the exact stored bytes back to Postfix without the milter.

A released message must never be scanned again (it would be quarantined again, under a
new ID, and never arrive).  The way that always holds is ``release_method = "smtp"`` to
a Postfix listener without milters (``receive_override_options=no_milters``; the lines
are in docs/operations.md).  ``sendmail`` goes through pickup and cleanup, which run
``non_smtpd_milters``: when Postfix says that is set, a sendmail release is refused with
an error that says what to change, and the message stays in quarantine.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
from collections.abc import Sequence

from coinguard.config import QuarantineConfig
from coinguard.errors import QuarantineError
from coinguard.quarantine.model import check_addresses
from coinguard.quarantine.postfix import COMMAND_TIMEOUT_S, run_tool, tool_error

log = logging.getLogger(__name__)


def _smtp_target(spec: str) -> tuple[str, int]:
    m = re.fullmatch(r"\[?([^\[\]]+?)\]?:(\d+)", spec.strip())
    if not m:
        raise QuarantineError(f"quarantine.release_smtp: expected HOST:PORT, got {spec!r}")
    return m.group(1), int(m.group(2))


class Injector:
    """Hands exact message bytes back to Postfix without the milter: ``sendmail -G -i`` or SMTP."""

    def __init__(self, cfg: QuarantineConfig) -> None:
        self.cfg = cfg

    @property
    def method(self) -> str:
        return self.cfg.release_method

    def send(self, raw: bytes, sender: str, rcpts: Sequence[str]) -> None:
        (sender,) = check_addresses([sender], "sender")
        rcpts = check_addresses(rcpts, "recipient")
        if not rcpts or not all(rcpts):
            raise QuarantineError("no recipient to release to")
        if self.cfg.release_method == "smtp":
            self._smtp(raw, sender, rcpts)
        else:
            self._sendmail(raw, sender, rcpts)

    def non_smtpd_milters(self) -> str | None:
        """Postfix's effective ``non_smtpd_milters`` (postconf beside ``sendmail_path``); None if unknown."""
        postconf = os.path.join(os.path.dirname(self.cfg.sendmail_path) or "/usr/sbin", "postconf")
        if not os.access(postconf, os.X_OK):
            return None
        argv = [postconf, *(["-c", self.cfg.postfix_config_dir] if self.cfg.postfix_config_dir else []),
                "-x", "-h", "non_smtpd_milters"]
        try:
            proc = run_tool(argv)
        except QuarantineError as exc:
            log.debug("cannot ask postconf for non_smtpd_milters: %s", exc)
            return None
        if proc.returncode != 0:
            log.debug("%s", tool_error(proc, postconf))
            return None
        return proc.stdout.decode("utf-8", "replace").strip()

    def _sendmail(self, raw: bytes, sender: str, rcpts: Sequence[str]) -> None:
        milters = self.non_smtpd_milters()
        if milters:
            raise QuarantineError(
                f"not released: Postfix would scan it again (non_smtpd_milters = {milters}) and quarantine it "
                "again; set [quarantine] release_method = \"smtp\" and release_smtp to the re-injection "
                "listener without milters (docs/operations.md, \"Releasing mail\")")
        argv = [self.cfg.sendmail_path]
        if self.cfg.postfix_config_dir:
            argv += ["-C", self.cfg.postfix_config_dir]
        argv += ["-G", "-i", "-f", sender, "--", *rcpts]
        proc = run_tool(argv, stdin=raw)
        if proc.returncode != 0:
            raise QuarantineError(tool_error(proc, self.cfg.sendmail_path))

    def _smtp(self, raw: bytes, sender: str, rcpts: Sequence[str]) -> None:
        host, port = _smtp_target(self.cfg.release_smtp)
        wire = re.sub(rb"(?<!\r)\n", b"\r\n", raw)  # SMTP needs CRLF; smtplib dot-stuffs bytes itself
        try:
            with smtplib.SMTP(host, port, timeout=COMMAND_TIMEOUT_S) as smtp:
                smtp.ehlo_or_helo_if_needed()
                opts: list[str] = []
                if any(b > 0x7F for b in wire) and smtp.has_extn("8bitmime"):
                    opts.append("BODY=8BITMIME")
                if not all(a.isascii() for a in (sender, *rcpts)) and smtp.has_extn("smtputf8"):
                    opts.append("SMTPUTF8")
                refused = smtp.sendmail(sender, list(rcpts), wire, mail_options=opts)
        except (smtplib.SMTPException, OSError) as exc:
            raise QuarantineError(f"SMTP release to {host}:{port} failed: {exc}") from exc
        if refused:
            raise QuarantineError(f"SMTP release to {host}:{port}: recipients refused: {refused}")

