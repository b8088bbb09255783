# PYTHON_ARGCOMPLETE_OK  (bash completion: argcomplete; see _complete)
"""The ``coinguard`` command.

Each subcommand's work lives in the module that owns it; imports are lazy so that
``coinguard scan`` never loads libmilter and ``coinguard run`` never loads the CLI
helpers it does not need.  Exit codes: 0 fine/clean, 1 suspicious or malicious
found (scan) or a check failed, 2 the command itself could not run, 3 (scan) a
message could not be fully read (unchecked) and none was flagged.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from coinguard import __version__
from coinguard.config import CONFIG_ENV, SYSTEM_CONFIG, Config, find_config, load_config
from coinguard.errors import CoinguardError, ConfigError

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_ERROR = 2


CONFIG_HELP = (f"TOML configuration file (default: ${CONFIG_ENV}, else {SYSTEM_CONFIG} when it exists,"
               " else the embedded defaults)")


def _add_verbose(p: argparse.ArgumentParser) -> None:
    # SUPPRESS: a subcommand's own default must not undo `coinguard -v COMMAND`
    p.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                   help="say which configuration file is used")


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("-c", "--config", metavar="FILE", help=CONFIG_HELP)
    _add_verbose(p)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coinguard", description="Postfix milter against malicious, crypto-themed mail attachments."
    )
    parser.add_argument("--version", action="version", version=f"coinguard {__version__}")
    _add_verbose(parser)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run the milter daemon in the foreground")
    _add_config(p)

    p = sub.add_parser("scan", help="scan saved .eml files or folders through the gateway pipeline")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="message files (.eml, .msg, .txt) or folders of them, scanned recursively in order")
    p.add_argument("--json", action="store_true", help="one JSON verdict per message (JSON Lines)")
    _add_config(p)

    p = sub.add_parser("rules", help="YARA rules")
    rsub = p.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    rc = rsub.add_parser("check", help="compile the rules and report every broken file with its line")
    rc.add_argument("dirs", nargs="*", metavar="PATH",
                    help="rule files (*.yar, *.yara) and directories of them (default: [rules] dirs)")
    _add_config(rc)

    p = sub.add_parser("config", help="configuration")
    csub = p.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    cc = csub.add_parser("check", help="validate the configuration and print the effective values")
    _add_config(cc)

    p = sub.add_parser("reload", help="tell the running daemon to reload rules and configuration (SIGUSR1)")
    p.add_argument("--pid", type=int, help="daemon PID (default: read [milter] pid_file)")
    p.add_argument("--wait", type=float, default=120.0, metavar="SECONDS",
                   help="wait this long for the outcome on the daemon's metrics endpoint (0: do not wait;"
                        " default 120); exit 1 when the daemon refused the reload")
    _add_config(p)

    p = sub.add_parser("findings", help="list every finding code with its default score")
    p.add_argument("--markdown", action="store_true", help="print the README table")
    _add_config(p)

    p = sub.add_parser("setup", help="print (or apply) the Postfix configuration coinguard needs")
    ssub = p.add_subparsers(dest="setup_command", required=True, metavar="WHAT")
    sp = ssub.add_parser("postfix", help="the main.cf and master.cf changes; --apply makes them with postconf")
    sp.add_argument("--apply", action="store_true", help="back up main.cf and master.cf, then apply with postconf")
    sp.add_argument("--postfix-config-dir", metavar="DIR", default=None,
                    help="Postfix configuration directory (default: [quarantine] postfix_config_dir, else Postfix's)")
    _add_config(sp)

    p = sub.add_parser("quarantine", help="list, show, release, delete or purge quarantined mail")
    qsub = p.add_subparsers(dest="quarantine_command", required=True, metavar="ACTION")
    from coinguard import quarantine_cli

    quarantine_cli.add_parsers(qsub, _add_config)
    from coinguard.report import cli as report_cli  # campaigns, report, quarantine import (docs/reporting.md)

    report_cli.add_import_parser(qsub, _add_config)
    report_cli.add_parsers(sub, _add_config)
    from coinguard.console import cli as console_cli  # `coinguard console ...` and `coinguard digest`

    console_cli.add_parsers(sub, _add_config)

    p = sub.add_parser("db", help="the PostgreSQL quarantine schema")
    dsub = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    from coinguard import db_cli

    db_cli.add_parsers(dsub, _add_config)
    return parser


def _config(args: argparse.Namespace) -> Config:
    path, why = find_config(getattr(args, "config", None))
    if getattr(args, "verbose", 0):
        used = f"configuration {path} ({why})" if path else f"the embedded default configuration ({why})"
        print(f"coinguard: using {used}", file=sys.stderr)
    return load_config(path)


def cmd_config_check(args: argparse.Namespace) -> int:
    """Every configuration error, then every data-file problem; exit 1 when there is any."""
    from coinguard.checks import config_warnings, data_problems
    from coinguard.tools import missing_tool_warnings

    for warning in missing_tool_warnings():  # reported, not fatal: the rest is scanned fully
        print(f"coinguard: warning: {warning}", file=sys.stderr)
    try:
        cfg = _config(args)
    except ConfigError as exc:
        problems, source = str(exc).splitlines(), "the configuration"
    else:
        problems, source = data_problems(cfg), cfg.source
        for warning in config_warnings(cfg):
            print(f"coinguard: warning: {warning}", file=sys.stderr)
    for problem in problems:
        print(f"coinguard: {problem}", file=sys.stderr)
    if problems:
        print(f"# configuration FAILED: {source}: {len(problems)} problem(s)", file=sys.stderr)
        return EXIT_FOUND
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
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None) + " }"
    return json.dumps(value, ensure_ascii=False)


def cmd_scan(args: argparse.Namespace) -> int:
    from coinguard.scan_cli import run_scan

    return run_scan(args.paths, _config(args), as_json=args.json)


def cmd_rules_check(args: argparse.Namespace) -> int:
    from coinguard.rules import check_command

    cfg = _config(args)
    return check_command(tuple(args.dirs) or cfg.rules.dirs)


def cmd_run(args: argparse.Namespace) -> int:
    from coinguard.checks import require_data
    from coinguard.daemon import run
    from coinguard.tools import missing_tool_warnings

    cfg = _config(args)
    require_data(cfg)  # lost rules or lure/brand lists stop the start, never switch detection off
    for warning in missing_tool_warnings():  # journald keeps stderr; the daemon has no logger yet
        print(f"coinguard: warning: {warning}", file=sys.stderr)
    return run(cfg)


def cmd_reload(args: argparse.Namespace) -> int:
    from coinguard.control import send_reload
    from coinguard.reload_wait import reload_and_wait

    cfg = _config(args)
    return reload_and_wait(cfg, lambda: send_reload(cfg, args.pid), wait_s=args.wait)


def cmd_findings(args: argparse.Namespace) -> int:
    from coinguard.catalogue import render

    print(render(markdown=args.markdown, config=_config(args)))
    return EXIT_OK


def cmd_setup(args: argparse.Namespace) -> int:
    from coinguard import postfix_setup

    cfg = _config(args)
    if not args.apply:
        print(postfix_setup.render(cfg), end="")
        return EXIT_OK
    directory = args.postfix_config_dir if args.postfix_config_dir is not None else cfg.quarantine.postfix_config_dir
    postfix_setup.apply(cfg, directory)
    return EXIT_OK


def cmd_quarantine(args: argparse.Namespace) -> int:
    from coinguard import quarantine_cli

    if hasattr(args, "report_main"):  # quarantine import
        return cmd_report(args)
    return quarantine_cli.main(args, _config(args))


def cmd_report(args: argparse.Namespace) -> int:
    from coinguard.report import cli as report_cli

    return report_cli.main(args, _config(args))


def cmd_console(args: argparse.Namespace) -> int:
    from coinguard.console import cli as console_cli

    return console_cli.console_main(args) if args.command == "console" else console_cli.digest_main(args)
def cmd_db(args: argparse.Namespace) -> int:
    from coinguard import db_cli

    return db_cli.main(args, _config(args))


COMMANDS = {
    "run": cmd_run,
    "scan": cmd_scan,
    "reload": cmd_reload,
    "findings": cmd_findings,
    "quarantine": cmd_quarantine,
    "setup": cmd_setup,
    "campaigns": cmd_report,
    "report": cmd_report,
    "console": cmd_console,
    "digest": cmd_console,
    "db": cmd_db,
}


def _complete(parser: argparse.ArgumentParser) -> None:
    """Answer a bash completion request (argcomplete sets _ARGCOMPLETE) and exit; else nothing."""
    import os

    if "_ARGCOMPLETE" in os.environ:
        import argcomplete

        argcomplete.autocomplete(parser)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            parser = build_parser()
            _complete(parser)
            args = parser.parse_args(argv)  # --help and --version write (and exit) here too
            return _dispatch(args)
        finally:
            sys.stdout.flush()  # a closed pipe fails here, inside the handler, not at interpreter exit
    except BrokenPipeError:  # `coinguard findings | head`: the reader left, nothing is wrong
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_OK


def _dispatch(args: argparse.Namespace) -> int:
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


def milter_main() -> int:
    """``coinguard-milter [-c FILE]``: an alias of ``coinguard run``."""
    return main(["run", *sys.argv[1:]])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
