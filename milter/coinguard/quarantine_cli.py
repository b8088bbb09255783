"""``coinguard quarantine list|show|release|delete|purge``.

Exit codes: 0 done, 1 no such message, 2 the command could not run (bad argument,
Postfix tool failed, release refused, audit log not writable).  Everything printed
from a message (subject, headers, names) is made printable first: quarantined mail
is attacker input and must not drive the admin's terminal.  Attachments are only
listed (type, size, sha256), never opened.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any, TextIO

from coinguard.config import Config
from coinguard.errors import QuarantineError
from coinguard.findings import sanitize_detail
from coinguard.quarantine import Detail, Entry, Filters, QuarantineNotFound, parse_age, store_for

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_ERROR = 2


def add_parsers(sub: Any, add_config: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register the quarantine actions under ``coinguard quarantine`` (called by cli.py)."""
    p = sub.add_parser("list", help="list quarantined messages, newest first")
    p.add_argument("--sender", default="", help="envelope sender contains TEXT (case-insensitive)")
    p.add_argument("--rcpt", default="", help="a recipient contains TEXT (case-insensitive)")
    p.add_argument("--since", type=_when_arg,
                   help="quarantined at or after: 2026-11-25, 2026-11-25T03:00, or 12h / 3d ago")
    p.add_argument("--until", type=_until_arg, help="quarantined at or before (same forms; a bare date means its end)")
    p.add_argument("--verdict", default="", choices=["clean", "suspicious", "malicious", "unchecked"],
                   help="only this verdict")
    p.add_argument("--code", default="", help="has this finding code (or a code under it: 'office' matches office.*)")
    p.add_argument("--limit", type=int, default=100, help="show at most N (default 100, 0 = all)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    add_config(p)

    p = sub.add_parser("show", help="verdict, findings, headers and attachment list of one message")
    p.add_argument("id", metavar="ID", help="the quarantine ID (from 'coinguard quarantine list')")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_config(p)

    p = sub.add_parser("release", help="deliver the exact original message without scanning it again")
    p.add_argument("id", metavar="ID", help="the quarantine ID (from 'coinguard quarantine list')")
    p.add_argument("--to", metavar="ADDR", help="send a copy to ADDR instead and keep the message in quarantine")
    add_config(p)

    p = sub.add_parser("delete", help="delete one quarantined message")
    p.add_argument("id", metavar="ID", help="the quarantine ID (from 'coinguard quarantine list')")
    add_config(p)

    p = sub.add_parser("purge", help="delete every message older than the retention")
    p.add_argument("--older-than", type=_age_arg, metavar="AGE",
                   help="30d, 12h, 2w... (default: [quarantine] retention_days)")
    add_config(p)


def format_age(age: timedelta) -> str:
    """``30d``, ``12h``, ``90s``: the largest whole unit (what parse_age reads back)."""
    seconds = int(age.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _age_arg(text: str) -> timedelta:
    try:
        return parse_age(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def parse_when(text: str, end_of_day: bool = False) -> datetime:
    """An absolute date/time (UTC unless it says otherwise) or a relative age (``12h`` = 12 hours ago)."""
    text = text.strip()
    if re.fullmatch(r"\d+\s*[smhdw]", text):
        return datetime.now(UTC) - parse_age(text)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = datetime.fromisoformat(text).date()
            return datetime.combine(day, time.max if end_of_day else time.min, UTC)
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"expected a date (2026-11-25), a time (2026-11-25T03:00) or an age (12h), got {text!r}"
        ) from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _when_arg(text: str) -> datetime:
    try:
        return parse_when(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _until_arg(text: str) -> datetime:
    try:
        return parse_when(text, end_of_day=True)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _p(text: object, limit: int = 200) -> str:
    """Printable, one line, bounded: message-derived text on the admin's terminal."""
    return sanitize_detail(str(text), limit)


def _score(score: float | None) -> str:
    return "-" if score is None else f"{score:g}"


def print_list(entries: list[Entry], out: TextIO, as_json: bool) -> None:
    if as_json:
        for e in entries:
            out.write(json.dumps(e.to_json(), ensure_ascii=False) + "\n")
        return
    if not entries:
        out.write("no quarantined messages match\n")
        return
    out.write(f"{'ID':<36} {'RECEIVED (UTC)':<19} {'VERDICT':<10} {'SCORE':>6}  FROM -> RCPT  SUBJECT\n")
    for e in entries:
        rcpt = e.rcpts[0] if e.rcpts else "?"
        if len(e.rcpts) > 1:
            rcpt += f" (+{len(e.rcpts) - 1})"
        out.write(
            f"{e.id:<36} {e.received.strftime('%Y-%m-%d %H:%M:%S'):<19} {(e.verdict or '?'):<10} "
            f"{_score(e.score):>6}  {_p(e.sender or '<>', 60)} -> {_p(rcpt, 60)}  {_p(e.subject, 70)}\n"
        )
        if e.codes:
            out.write(f"{'':<36} codes: {_p(', '.join(e.codes), 160)}\n")
        if e.problem:
            out.write(f"{'':<36} PROBLEM: {_p(e.problem)}\n")


def _tree_lines(attachments: tuple[dict[str, Any], ...]) -> list[str]:
    lines = []
    for a in sorted(attachments, key=lambda a: str(a.get("path", ""))):
        path = str(a.get("path", ""))
        depth = path.count("/")
        name = path.rsplit("/", 1)[-1]
        lines.append(
            f"  {'  ' * depth}{_p(name, 100)}  type={_p(a.get('type', '?'), 30)} size={a.get('size', '?')} "
            f"sha256={_p(a.get('sha256', ''), 64)}"
        )
    return lines


def print_detail(d: Detail, out: TextIO, as_json: bool) -> None:
    if as_json:
        out.write(json.dumps(d.to_json(), ensure_ascii=False, indent=1) + "\n")
        return
    e = d.entry
    out.write(f"ID:         {e.id}  ({e.backend} back end)\n")
    if e.queue_id and e.queue_id != e.id:
        out.write(f"Queue ID:   {_p(e.queue_id)}\n")
    out.write(f"Received:   {e.received.isoformat(timespec='seconds')}\n")
    out.write(f"From:       {_p(e.sender or '<>')}\n")
    out.write(f"To:         {_p(', '.join(e.rcpts), 500)}\n")
    out.write(f"Size:       {e.size} bytes\n")
    out.write(f"Subject:    {_p(e.subject)}\n")
    out.write(f"Message-ID: {_p(e.message_id)}\n")
    out.write(f"Verdict:    {e.verdict or '?'}  score={_score(e.score)}\n")
    if e.problem:
        out.write(f"PROBLEM:    {_p(e.problem)}\n")
    findings = (d.verdict or {}).get("findings") or []
    out.write("\nFindings:\n")
    if findings:
        for f in findings:
            if isinstance(f, dict):
                out.write(f"  {_p(f.get('code', '?'), 80)}  score={f.get('score', '?')}  {_p(f.get('path', ''), 120)}"
                          f"  {_p(f.get('detail', ''), 160)}\n")
    elif e.codes:
        out.write("  (codes from the message header; details are not stored with the hold back end)\n")
        for code in e.codes:
            out.write(f"  {_p(code, 80)}\n")
    else:
        out.write("  none recorded\n")
    out.write("\nHeaders:\n")
    for name, value in d.headers:
        out.write(f"  {_p(name, 80)}: {_p(value, 300)}\n")
    src = "full tree from the scan" if d.attachments_source == "verdict" else "top-level MIME parts"
    out.write(f"\nAttachments ({src}; never opened):\n")
    out.writelines(line + "\n" for line in _tree_lines(d.attachments))
    if not d.attachments:
        out.write("  none\n")


def main(args: argparse.Namespace, cfg: Config, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    action = args.quarantine_command
    try:
        store = store_for(cfg)
        if action == "list":
            filters = Filters(sender=args.sender, recipient=args.rcpt, since=args.since, until=args.until,
                              verdict=args.verdict, code=args.code, limit=max(0, args.limit))
            print_list(store.list(filters), out, args.json)
        elif action == "show":
            print_detail(store.show(args.id), out, args.json)
        elif action == "release":
            done = store.release(args.id, to=args.to)
            kept = " (a copy; the message stays in quarantine)" if done.kept else ""
            out.write(f"released {done.id} to {_p(', '.join(done.rcpts), 500)} via {done.method}{kept}\n")
        elif action == "delete":
            store.delete(args.id)
            out.write(f"deleted {args.id}\n")
        elif action == "purge":
            explicit = args.older_than is not None  # --older-than 0d means zero: purge everything
            age = args.older_than if explicit else timedelta(days=cfg.quarantine.retention_days)
            if not explicit and age <= timedelta(0):
                print("coinguard quarantine: refusing to purge with a zero age (retention_days = 0)", file=sys.stderr)
                return EXIT_ERROR
            count = store.purge(age)
            out.write(f"purged {count} message(s) older than {format_age(age)}\n")
        else:  # pragma: no cover - argparse restricts the choices
            raise QuarantineError(f"unknown action {action!r}")
    except QuarantineNotFound as exc:
        print(f"coinguard quarantine: {exc}", file=sys.stderr)
        return EXIT_NOT_FOUND
    except QuarantineError as exc:
        print(f"coinguard quarantine: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK
