"""The ``coinguard`` command.

Each subcommand's work lives in the module that owns it; imports are lazy so that
``coinguard scan`` never loads libmilter and ``coinguard run`` never loads the CLI
helpers it does not need.  Exit codes: 0 fine/clean, 1 suspicious or malicious
found (scan) or a check failed, 2 the command itself could not run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from coinguard import __version__
from coinguard.config import Config, load_config
from coinguard.errors import CoinguardError, ConfigError

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_ERROR = 2


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("-c", "--config", metavar="FILE", help="TOML configuration file (default: embedded defaults)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coinguard", description="Postfix milter against malicious, crypto-themed mail attachments."
    )
    parser.add_argument("--version", action="version", version=f"coinguard {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run the milter daemon in the foreground")
    _add_config(p)

    p = sub.add_parser("scan", help="scan saved .eml files or folders through the gateway pipeline")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="one JSON verdict per message (JSON Lines)")
    _add_config(p)

    p = sub.add_parser("rules", help="YARA rules")
    rsub = p.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    rc = rsub.add_parser("check", help="compile the rules and report every broken file with its line")
    rc.add_argument("dirs", nargs="*", metavar="DIR", help="rule directories (default: [rules] dirs)")
    _add_config(rc)

    p = sub.add_parser("config", help="configuration")
    csub = p.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    cc = csub.add_parser("check", help="validate the configuration and print the effective values")
    _add_config(cc)

    p = sub.add_parser("reload", help="tell the running daemon to reload rules and configuration (SIGUSR1)")
    p.add_argument("--pid", type=int, help="daemon PID (default: read [milter] pid_file)")
    _add_config(p)

    p = sub.add_parser("findings", help="list every finding code with its default score")
    p.add_argument("--markdown", action="store_true", help="print the README table")
    _add_config(p)

    p = sub.add_parser("quarantine", help="list, show, release, delete or purge quarantined mail")
    qsub = p.add_subparsers(dest="quarantine_command", required=True, metavar="ACTION")
    from coinguard import quarantine_cli

    quarantine_cli.add_parsers(qsub, _add_config)

    p = sub.add_parser("db", help="the PostgreSQL quarantine schema")
    dsub = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    from coinguard import db_cli

    db_cli.add_parsers(dsub, _add_config)
    return parser


def _config(args: argparse.Namespace) -> Config:
    return load_config(getattr(args, "config", None))


def cmd_config_check(args: argparse.Namespace) -> int:
    cfg = _config(args)
    print(f"# configuration OK: {cfg.source}")
    for section, values in cfg.to_dict().items():
        print(f"\n[{section}]")
        for key, value in values.items():
            print(f"{key} = {_toml_value(value)}")
    return EXIT_OK


def _toml_value(value: object) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {v}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


def cmd_scan(args: argparse.Namespace) -> int:
    from coinguard.scan_cli import run_scan

    return run_scan(args.paths, _config(args), as_json=args.json)


def cmd_rules_check(args: argparse.Namespace) -> int:
    from coinguard.rules import check_command

    cfg = _config(args)
    return check_command(tuple(args.dirs) or cfg.rules.dirs)


def cmd_run(args: argparse.Namespace) -> int:
    from coinguard.daemon import run

    return run(_config(args))


def cmd_reload(args: argparse.Namespace) -> int:
    from coinguard.control import send_reload

    return send_reload(_config(args), args.pid)


def cmd_findings(args: argparse.Namespace) -> int:
    from coinguard.catalogue import render

    print(render(markdown=args.markdown, config=_config(args)))
    return EXIT_OK


def cmd_quarantine(args: argparse.Namespace) -> int:
    from coinguard import quarantine_cli

    return quarantine_cli.main(args, _config(args))


def cmd_db(args: argparse.Namespace) -> int:
    from coinguard import db_cli

    return db_cli.main(args, _config(args))


COMMANDS = {
    "run": cmd_run,
    "scan": cmd_scan,
    "reload": cmd_reload,
    "findings": cmd_findings,
    "quarantine": cmd_quarantine,
    "db": cmd_db,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "rules":
            return cmd_rules_check(args)
        if args.command == "config":
            return cmd_config_check(args)
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(f"coinguard: configuration error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except CoinguardError as exc:
        print(f"coinguard: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `coinguard findings | head`: the reader left, nothing is wrong
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def milter_main() -> int:
    """``coinguard-milter [-c FILE]``: an alias of ``coinguard run``."""
    return main(["run", *sys.argv[1:]])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
