"""``coinguard campaigns``, ``coinguard report`` and ``coinguard quarantine import``.

Exit codes: 0 done, 1 no such message or campaign, 2 the command could not run (bad
argument, store or push failure).  Everything printed from a message is made printable
first (it is attacker input on the admin's terminal); report files are written 0600.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO, TextIO

from coinguard.config import Config
from coinguard.errors import CoinguardError, QuarantineError
from coinguard.findings import sanitize_detail
from coinguard.quarantine import QuarantineNotFound, QuarantineStore, open_store, parse_age
from coinguard.report import campaigns, summary
from coinguard.report.exports import FORMATS, render
from coinguard.report.records import load_record, load_records
from coinguard.report.settings import TLP_NAMES, ReportSettings, report_settings

EXIT_OK, EXIT_NOT_FOUND, EXIT_ERROR = 0, 1, 2

AddConfig = Callable[[argparse.ArgumentParser], None]


def _age(text: str) -> timedelta:
    try:
        return parse_age(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def add_parsers(sub: Any, add_config: AddConfig) -> None:
    """Register ``campaigns`` and ``report`` as top-level commands (called by cli.py)."""
    p = sub.add_parser("campaigns", help="group quarantined mail sharing attachments, wallets, domains or senders")
    p.add_argument("--since", type=_age, metavar="AGE", help="only mail quarantined in the last AGE (7d, 12h...)")
    p.add_argument("--min-size", type=int, default=2, metavar="N", help="smallest campaign shown (default 2)")
    p.add_argument("--json", action="store_true", help="one JSON object per campaign")
    add_config(p)
    p.set_defaults(report_main=cmd_campaigns)

    p = sub.add_parser("report", help="export a quarantined message or a campaign: STIX, MISP, ARF, incident bundle")
    p.add_argument("target", metavar="ID|CAMPAIGN", help="a quarantine ID or a campaign id (camp-...)")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="stix (STIX 2.1 bundle), misp (event JSON), arf (RFC 5965 abuse report), "
                        "bundle (zip, password 'infected'), indicators (JSON), summary (text)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (mode 0600) instead of standard output")
    p.add_argument("--since", type=_age, metavar="AGE", help="campaign window, as given to 'coinguard campaigns'")
    p.add_argument("--tlp", choices=TLP_NAMES, default=None, help="TLP marking (default: [report] tlp, amber)")
    p.add_argument("--lang", choices=summary.LANGUAGES, default="en", help="language of --format summary")
    p.add_argument("--to", metavar="ADDR", default=None,
                   help="ARF: the abuse desk (default abuse@ the sending provider); --push cert: the CERT address")
    p.add_argument("--include-message", action="store_true", default=None,
                   help="ARF: attach the whole original message, not only its header")
    p.add_argument("--push", action="append", choices=("misp", "cert"), default=[],
                   help="also send it: misp ([report] misp_url) or cert ([report] cert_address); repeatable")
    add_config(p)
    p.set_defaults(report_main=cmd_report)


def add_import_parser(qsub: Any, add_config: AddConfig) -> None:
    """Register ``coinguard quarantine import`` (called by cli.py next to quarantine_cli.add_parsers)."""
    p = qsub.add_parser("import", help="scan reported mail (a .eml, a forward with the original attached, an ARF) "
                                       "and store it in the quarantine, marked as reported")
    p.add_argument("files", nargs="+", metavar="FILE.eml",
                   help="messages to scan and store (of a user's forward: the original attached to it)")
    p.add_argument("--as-is", action="store_true", help="store each file itself, never the message attached to it")
    p.add_argument("--rcpt", action="append", default=[], metavar="ADDR",
                   help="the recipient(s) hit (default: the reporter, or the ARF's Original-Rcpt-To)")
    p.add_argument("--json", action="store_true", help="one JSON line per stored message")
    add_config(p)
    p.set_defaults(report_main=cmd_import)


# --------------------------------------------------------------------------- helpers


def _p(text: object, limit: int = 160) -> str:
    return sanitize_detail(str(text), limit)


def _store(cfg: Config) -> QuarantineStore:
    return open_store(cfg.quarantine, verdict_header=cfg.policy.verdict_header,
                      findings_header=cfg.policy.findings_header)


def _since(args: argparse.Namespace) -> datetime | None:
    return datetime.now(UTC) - args.since if getattr(args, "since", None) else None


def _write(data: bytes, output: str | None, out: BinaryIO | None = None) -> None:
    if output:
        try:
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise CoinguardError(f"{output}: cannot write: {exc.strerror or exc}") from exc
        return
    stream = out or sys.stdout.buffer
    stream.write(data)
    stream.flush()


def print_campaigns(found: list[campaigns.Campaign], settings: ReportSettings, out: TextIO, as_json: bool) -> None:
    if as_json:
        for c in found:
            out.write(json.dumps(c.to_json(), ensure_ascii=False) + "\n")
        return
    if not found:
        out.write("no campaigns\n")
        return
    for c in found:
        out.write(f"{c.id}  {len(c.members)} message(s)  {c.first_seen:%Y-%m-%d %H:%M} .. {c.last_seen:%Y-%m-%d %H:%M}"
                  f" UTC  recipients={len(c.recipients)}  reported={sum(1 for m in c.members if m.reported)}  "
                  + " ".join(f"{k}={v}" for k, v in sorted(c.verdicts.items())) + "\n")
        rows = [
            ("shared", [str(s) for s in c.shared]),
            ("senders", list(c.senders)),
            ("hosts", list(c.origin_ips)),
            ("files", [f"{f.sha256} {f.name}" for f in c.files]),
            ("wallets", [f"{w.coin} {w.address}{'' if w.complete else '…'}" for w in c.wallets]),
            ("domains", list(c.reportable_domains(settings))),
            ("members", [m.id for m in c.members]),
        ]
        for label, values in rows:
            if values:
                more = f" (+{len(values) - 6})" if len(values) > 6 else ""
                shown = ", ".join(_p(v, 120) for v in values[:6]) + more
                out.write(f"  {label + ':':<9} {shown}\n")


# --------------------------------------------------------------------------- commands


def cmd_campaigns(args: argparse.Namespace, cfg: Config, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    settings = report_settings(cfg)
    records = load_records(_store(cfg), settings, since=_since(args))
    print_campaigns(campaigns.group(records, settings, min_size=max(1, args.min_size)), settings, out, args.json)
    return EXIT_OK


def _case(args: argparse.Namespace, store: QuarantineStore, settings: ReportSettings) -> campaigns.Campaign:
    if campaigns.is_campaign_id(args.target):
        found = campaigns.find(load_records(store, settings, since=_since(args)), args.target, settings)
        if found is None:
            raise QuarantineNotFound(f"no campaign {args.target} (in the window given by --since)")
        return found
    return campaigns.single(load_record(store, args.target, settings))


def cmd_report(args: argparse.Namespace, cfg: Config, out: BinaryIO | None = None) -> int:
    from coinguard.report import push

    settings = report_settings(cfg).with_overrides(tlp=args.tlp)
    if args.format is None and not args.push:
        print("coinguard report: give --format and/or --push", file=sys.stderr)
        return EXIT_ERROR
    if args.format == "bundle" and not args.output and out is None and sys.stdout.isatty():
        print("coinguard report: the bundle is a zip file: use -o FILE", file=sys.stderr)
        return EXIT_ERROR
    case = _case(args, _store(cfg), settings)
    if args.format == "arf" and not args.to:
        from coinguard.report.arf import abuse_address

        for member in case.members:
            if not abuse_address(member):
                print(f"coinguard report: {member.id}: no sending provider known, its report has no To: "
                      "(use --to ADDR)", file=sys.stderr)
    if args.format:
        _write(render(case, args.format, settings, lang=args.lang, to=args.to or "",
                      include_message=args.include_message), args.output, out)
    for target in args.push:
        if target == "misp":
            answer = push.push_misp(case, settings)
            event = answer.get("Event", {}) if isinstance(answer.get("Event"), dict) else {}
            print(f"pushed {case.id} to MISP {settings.misp_url}: event {event.get('id', '?')} "
                  f"{event.get('uuid', '')}", file=sys.stderr)
        else:
            relay = settings.smtp or cfg.quarantine.release_smtp
            sent = push.push_cert(case, settings, to=args.to or "", relay=relay)
            print(f"mailed {case.id} to {sent} through {relay}", file=sys.stderr)
    return EXIT_OK


def cmd_import(args: argparse.Namespace, cfg: Config, out: TextIO | None = None) -> int:
    from coinguard.report.importer import import_messages
    from coinguard.rules import compile_rules

    out = out or sys.stdout
    rules = compile_rules(cfg.rules.dirs).rules
    for item in import_messages(args.files, cfg, _store(cfg), rules=rules, as_is=args.as_is, rcpts=args.rcpt):
        v = item.verdict
        if args.json:
            out.write(json.dumps({"file": item.source, "id": item.id, "how": item.how, "verdict": str(v.verdict),
                                  "score": v.score, "codes": v.codes}, ensure_ascii=False) + "\n")
        else:
            out.write(f"imported {_p(item.source, 200)} -> {item.id}  ({item.how})  {v.verdict} score={v.score:g}\n")
        out.flush()
    return EXIT_OK


def main(args: argparse.Namespace, cfg: Config) -> int:
    """Run the command ``args`` was parsed for (``args.report_main``); errors become exit codes."""
    try:
        result: int = args.report_main(args, cfg)
        return result
    except QuarantineNotFound as exc:
        print(f"coinguard {args.command}: {exc}", file=sys.stderr)
        return EXIT_NOT_FOUND
    except (QuarantineError, CoinguardError, ValueError) as exc:
        print(f"coinguard {args.command}: {exc}", file=sys.stderr)
        return EXIT_ERROR
