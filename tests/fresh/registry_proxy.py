#!/usr/bin/env python3
"""The only way out of check-fresh.sh's private network namespace: to the package registries.

Two halves joined by a unix socket (a path in the file system crosses network namespaces; no
TCP address does):

    python3 registry_proxy.py serve SOCKET HOST...      in the host's namespace: an HTTP proxy on
                                                        SOCKET that connects only to the HOSTs
    python3 registry_proxy.py relay SOCKET [PORT]        in the private namespace: 127.0.0.1:PORT
                                                        (default 3128) relayed to SOCKET

apt (``http_proxy``) sends ``GET http://host/path`` in absolute form, forwarded as is to port 80
(HTTP/1.1 servers accept the absolute form); pip (``https_proxy``) sends ``CONNECT host:443``
and then talks TLS end to end.  Anything else, or another host, gets 403.  Standard library only:
it runs with the host's python3 before the chroot has any Python.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

MAX_HEAD = 64 * 1024


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _join(a: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                b: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
    await asyncio.gather(_pipe(a[0], b[1]), _pipe(b[0], a[1]))


def _target(method: str, uri: str) -> tuple[str, int] | None:
    """(host, port) a request asks for: CONNECT host:443 or an absolute http:// URI."""
    if method == "CONNECT":
        host, _, port = uri.rpartition(":")
        return (host, int(port)) if port == "443" else None
    if uri.startswith("http://"):
        hostport = uri[7:].split("/", 1)[0]
        host, _, port = hostport.partition(":")
        return (host, int(port or 80)) if (port or "80") == "80" else None
    return None


async def _serve_one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, allowed: set[str]) -> None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        writer.close()
        return
    method, uri, *_ = [*head.split(b"\r\n", 1)[0].decode("latin-1").split(" "), "", ""]
    target = _target(method, uri)
    if target is None or target[0].lower() not in allowed:
        print(f"registry-proxy: refused {method} {uri}", file=sys.stderr, flush=True)
        writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()
        return
    try:
        upstream = await asyncio.wait_for(asyncio.open_connection(*target), timeout=30)
    except (TimeoutError, OSError) as exc:
        writer.write(f"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nX-Error: {exc}\r\n\r\n".encode())
        writer.close()
        return
    if method == "CONNECT":
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
    else:
        upstream[1].write(head)
    await _join((reader, writer), upstream)


async def _relay_one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, socket_path: str) -> None:
    try:
        upstream = await asyncio.open_unix_connection(socket_path)
    except OSError:
        writer.close()
        return
    await _join((reader, writer), upstream)


async def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[1] == "serve":
        allowed = {h.lower() for h in argv[3:]}
        server = await asyncio.start_unix_server(lambda r, w: _serve_one(r, w, allowed), argv[2], limit=MAX_HEAD)
    elif len(argv) in (3, 4) and argv[1] == "relay":
        port = int(argv[3]) if len(argv) == 4 else 3128
        server = await asyncio.start_server(lambda r, w: _relay_one(r, w, argv[2]), "127.0.0.1", port)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    async with server:
        await server.serve_forever()
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(asyncio.run(main(sys.argv)))
