"""Shared fixtures.  Plain helper functions live in ``tests/helpers.py``."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from coinguard.handlers import AnalysisContext

from helpers import corpus_available, make_context, make_message, need_corpus

# No test, and no daemon or CLI a test starts, reads a host's /etc/coinguard/coinguard.toml:
# an empty COINGUARD_CONFIG means the embedded defaults (tests that check the lookup set it).
os.environ.setdefault("COINGUARD_CONFIG", "")


@pytest.fixture
def corpus_dir() -> Path:
    """The ../shared/corpus folder; skips the test cleanly when it is absent."""
    return need_corpus()


@pytest.fixture
def message_builder() -> Callable[..., bytes]:
    return make_message


@pytest.fixture
def analysis_context() -> AnalysisContext:
    return make_context()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if corpus_available():
        return
    skip = pytest.mark.skip(reason="../shared/corpus not available")
    for item in items:
        if "corpus" in item.keywords:
            item.add_marker(skip)


# region network guard: tests talk to loopback only ------------------------------------------
_LOOPBACK_PREFIXES = ("127.", "::1", "0:0:0:0:0:0:0:1", "localhost")


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
    elif isinstance(address, str | bytes):  # AF_UNIX paths
        return True
    else:
        return True
    return host.startswith(_LOOPBACK_PREFIXES) or host == ""


def _connect_client_datagram(sock: object, address: object, connect: Callable[..., None]) -> None:
    """Connect a fresh client UDP socket to the loopback address it first sends to.

    Test configs point DNS at a closed loopback port (``dns_port = 9``).  An unconnected UDP
    socket never hears the kernel's ICMP "port unreachable", so each lookup waited for its whole
    ``dns_timeout_s``: ~300 lookups, ~2 minutes of the suite.  A connected one gets ECONNREFUSED
    at once, and dnspython fails over to "all nameservers failed": the same temperror, at once.
    Only client sockets (not bound to a port yet, not connected) are touched: a test's DNS
    server, which answers many clients from one bound socket, is left alone; production code
    is not changed at all.
    """
    import socket

    if not isinstance(sock, socket.socket) or sock.type != socket.SOCK_DGRAM or not isinstance(address, tuple):
        return
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    try:
        sock.getpeername()
        return  # already connected
    except OSError:
        pass
    try:
        if sock.getsockname()[1] == 0:
            connect(sock, address)
    except OSError:
        pass  # sendto itself reports what is wrong with the address


@pytest.fixture(autouse=True, scope="session")
def _loopback_only() -> Iterator[None]:
    """Refuse any connection or datagram from the test process to a non-loopback address.

    The machine's resolv.conf points at a resolver off this host: a DKIM test that forgot to
    configure its loopback DNS server must fail loudly here, not send a query out.  Client
    datagrams to loopback go through a connected socket (see :func:`_connect_client_datagram`).
    """
    import socket

    real_connect, real_connect_ex, real_sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto

    def guard(address: object) -> None:
        if not _is_loopback(address):
            raise OSError(f"test network guard: {address!r} is not loopback")

    def connect(self: socket.socket, address: object) -> None:
        guard(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        guard(address)
        return real_connect_ex(self, address)

    def sendto(self: socket.socket, data: bytes, *args: object) -> int:
        guard(args[-1])
        _connect_client_datagram(self, args[-1], real_connect)
        return real_sendto(self, data, *args)  # type: ignore[arg-type]

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = sendto  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = (
            real_connect, real_connect_ex, real_sendto)


# endregion
