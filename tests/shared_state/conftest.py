"""Session fixtures: one private PostgreSQL and one private Redis for the shared-state tests.

They skip (with the reason) only when the server binaries are absent; ``make test``
installs them (Makefile ``APT_TEST_PACKAGES``).  Each test gets a fresh database.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from shared_state.servers import SECRET_PASSWORD, SECRET_ROLE, PgServer, RedisServer

_db_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    try:
        server = PgServer()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    try:
        server.init()
        server.start()
        server.admin(f"CREATE ROLE {SECRET_ROLE} LOGIN PASSWORD '{SECRET_PASSWORD}'")
        yield server
    finally:
        server.destroy()


@pytest.fixture
def pg_dsn(pg_server: PgServer) -> str:
    """A DSN to a new, empty database of the session server."""
    if not pg_server.started:  # a test that stopped it failed before restarting it
        pg_server.start()
    name = f"t{next(_db_numbers)}"
    pg_server.admin(f"CREATE DATABASE {name} OWNER coinguard")
    return pg_server.dsn(name)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    try:
        server = RedisServer()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    try:
        server.start()
        yield server
    finally:
        server.destroy()
