"""``coinguard db migrate [--status]``: create or upgrade the PostgreSQL quarantine schema.

Exit codes: 0 done (or, with ``--status``, every migration applied and unchanged),
1 ``--status`` found pending or changed migrations, 2 the database could not be reached.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TextIO

from coinguard.config import Config

EXIT_OK = 0
EXIT_PENDING = 1
EXIT_ERROR = 2


def add_parsers(sub: Any, add_config: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register ``coinguard db ...`` (called by cli.py)."""
    p = sub.add_parser("migrate", help="create or upgrade the PostgreSQL quarantine schema (idempotent)")
    p.add_argument("--status", action="store_true", help="only show which migrations are applied")
    p.add_argument("--dsn", default="", help="override [quarantine] dsn (URL or libpq service name)")
    p.add_argument("--password-file", default="", help="override [quarantine] dsn_password_file")
    add_config(p)


def main(args: argparse.Namespace, cfg: Config, out: TextIO | None = None) -> int:
    from coinguard.errors import QuarantineError
    from coinguard.quarantine.postgresql import PgSettings, migrate, migration_status

    out = out or sys.stdout
    settings = PgSettings.from_config(cfg.quarantine)
    if args.dsn:
        settings = replace(settings, dsn=args.dsn)
    if args.password_file:
        settings = replace(settings, password_file=args.password_file)
    try:
        if args.status:
            pending = 0
            for st in migration_status(settings):
                if st.applied_at is None:
                    pending += 1
                    state = "pending"
                else:
                    state = (f"applied {st.applied_at.isoformat(timespec='seconds')} by {st.applied_by}"
                             f" on {st.host or '?'}")
                    if not st.checksum_ok:
                        pending += 1
                        state += " (CHANGED since: the shipped SQL differs from what ran)"
                out.write(f"{st.version:>4}  {st.name}: {state}\n")
            return EXIT_PENDING if pending else EXIT_OK
        applied = migrate(settings)
        out.write(f"applied {len(applied)} migration(s): {', '.join(map(str, applied))}\n" if applied
                  else "schema up to date\n")
    except QuarantineError as exc:
        print(f"coinguard db: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK
