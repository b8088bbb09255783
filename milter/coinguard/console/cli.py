"""``coinguard console [-c FILE]`` (the web console) and its account commands, and ``coinguard digest``.

    coinguard console [-c FILE] [--listen HOST:PORT]   serve the console (uvicorn, foreground)
    coinguard console adduser NAME [--password-stdin]  add an admin (argon2id hash in users_file)
    coinguard console passwd NAME [--password-stdin]   change an admin's password
    coinguard console deluser NAME                     remove an admin
    coinguard console link ADDRESS [--days N]          print a recipient's personal link
    coinguard digest [-c FILE] [--dry-run]             send the recipients' digests and admin notices
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from coinguard.console.settings import Settings, listen_address, load

EXIT_OK = 0
EXIT_ERROR = 2


def _sub_config(p: argparse.ArgumentParser) -> None:
    # SUPPRESS: `coinguard console -c FILE adduser NAME` keeps the FILE given before the action
    p.add_argument("-c", "--config", metavar="FILE", default=argparse.SUPPRESS, help="TOML configuration file")


def add_parsers(sub: argparse._SubParsersAction, add_config: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("console", help="the web console for admins and recipients (and its admin accounts)")
    add_config(p)
    p.add_argument("--listen", metavar="HOST:PORT", help="override [console] listen")
    csub = p.add_subparsers(dest="console_command", metavar="ACTION")
    for name, text in (("adduser", "add an admin account"), ("passwd", "change an admin's password")):
        a = csub.add_parser(name, help=text)
        a.add_argument("name", help="the admin's login name")
        a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        _sub_config(a)
    a = csub.add_parser("deluser", help="remove an admin account")
    a.add_argument("name", help="the admin's login name")
    _sub_config(a)
    a = csub.add_parser("link", help="print a recipient's personal link")
    a.add_argument("address", help="the recipient's mail address (the link shows only mail to it)")
    a.add_argument("--days", type=float, help="valid this many days (default: [console] link_days)")
    _sub_config(a)

    d = sub.add_parser("digest", help="mail each recipient a digest of their quarantined mail; notify admins")
    d.add_argument("--dry-run", action="store_true", help="print what would be sent, send nothing")
    d.add_argument("--notices-only", action="store_true", help="only the admin notices of new malicious mail")
    add_config(d)


def console_main(args: argparse.Namespace) -> int:
    from coinguard.console import auth

    settings = load(getattr(args, "config", None))
    action = getattr(args, "console_command", None)
    if action in ("adduser", "passwd"):
        return _set_password(settings, args.name, args.password_stdin, new=action == "adduser")
    if action == "deluser":
        users = auth.read_users(settings.console.users_file)
        if users.pop(args.name, None) is None:
            print(f"coinguard: no admin {args.name!r}", file=sys.stderr)
            return EXIT_ERROR
        auth.write_users(settings.console.users_file, users)
        return EXIT_OK
    if action == "link":
        secret = auth.load_secret(settings.console.secret_file)
        days = args.days if args.days is not None else settings.console.link_days
        token = auth.make_link(secret, args.address, days * 86400)
        print(f"{settings.console.public_url()}/r/{token}")
        return EXIT_OK
    return serve(settings, args.listen)


def _set_password(settings: Settings, name: str, from_stdin: bool, new: bool) -> int:
    from coinguard.console import auth

    if not auth.USER_RE.match(name):
        print("coinguard: user names are 1-64 letters, digits and . _ @ + -", file=sys.stderr)
        return EXIT_ERROR
    users = auth.read_users(settings.console.users_file)
    if new and name in users:
        print(f"coinguard: admin {name!r} exists (use passwd)", file=sys.stderr)
        return EXIT_ERROR
    if not new and name not in users:
        print(f"coinguard: no admin {name!r} (use adduser)", file=sys.stderr)
        return EXIT_ERROR
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Password for {name}: ")
        if getpass.getpass("Again: ") != password:
            print("coinguard: the passwords differ", file=sys.stderr)
            return EXIT_ERROR
    users[name] = auth.hash_password(password)
    auth.write_users(settings.console.users_file, users)
    print(f"{'added' if new else 'changed the password of'} {name} in {settings.console.users_file}")
    return EXIT_OK


def serve(settings: Settings, listen: str | None = None) -> int:
    import uvicorn

    from coinguard.console import auth
    from coinguard.console.app import create_app
    from coinguard.quarantine import open_store

    cfg = settings.config
    store = open_store(cfg.quarantine, verdict_header=cfg.policy.verdict_header,
                       findings_header=cfg.policy.findings_header)
    secret = auth.load_secret(settings.console.secret_file)
    host, port = listen_address(listen or settings.console.listen)
    app = create_app(store, settings.console, secret)
    # No access log: recipient links are bearer tokens in the path; the audit log records the actions.
    uvicorn.run(app, host=host, port=port, proxy_headers=False, server_header=False,
                log_level=cfg.logging.level, access_log=False)
    return EXIT_OK


def digest_main(args: argparse.Namespace) -> int:
    from coinguard.digest import run_digest

    return run_digest(load(getattr(args, "config", None)), dry_run=args.dry_run, notices_only=args.notices_only)
