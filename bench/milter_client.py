"""The MTA's side of the milter protocol, for benches that drive a milter daemon without an MTA.

Framing, option negotiation, reply decoding and the protocol constants come from ``miltertest``
(flowerysong/miltertest, pure Python, the MTA side of the milter protocol for testing milters;
Debian's python3-miltertest).  What this module adds is what a real MTA does and miltertest leaves to
its caller: the steps the milter asked to skip are not sent, and the steps it asked not to answer
(``SMFIP_NR_*``, which coinguard asks for every step before end of message) are sent without waiting
for a reply, so a conversation has one round trip (end of message) like Postfix's.  Header values
and body chunks go out as bytes (miltertest's encoder takes text and would re-encode 8-bit data).

    with MilterSession.open(("127.0.0.1", port)) as s:
        reply = s.message(raw, sender="a@example.org", rcpts=["b@example.net"], queue_id="Q1")
    reply.action   # "discard", "accept", "continue", "reject", "tempfail", "quarantine" ...
    reply.headers  # headers the milter added, [(name, value)]
"""

from __future__ import annotations

import contextlib
import re
import socket
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import miltertest
from miltertest import constants as c

#: SMFIR_* code -> the action's name in a :class:`Reply`
ACTIONS = {c.SMFIR_ACCEPT: "accept", c.SMFIR_CONTINUE: "continue", c.SMFIR_REJECT: "reject",
           c.SMFIR_TEMPFAIL: "tempfail", c.SMFIR_REPLYCODE: "replycode", c.SMFIR_DISCARD: "discard",
           c.SMFIR_QUARANTINE: "quarantine"}
#: a line end that starts a new header (not a fold)
_NEXT_HEADER = re.compile(rb"\r\n(?![ \t])")
#: the replies that end a message: SMFIR_QUARANTINE is a modification, followed by one of these
#: (miltertest's send_eom stops at it and would leave the final reply unread)
FINAL = miltertest.DISPOSITION_REPLIES - {c.SMFIR_QUARANTINE}


class MilterProtocolError(RuntimeError):
    """The milter answered something a conversation cannot go on with."""


@dataclass
class Reply:
    """What the milter answered at end of message (or at the step where it stopped the message)."""

    action: str
    stage: str = "eom"
    headers: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, int, str]] = field(default_factory=list)
    quarantine: str = ""
    smtp_reply: str = ""
    other: list[str] = field(default_factory=list)


def split_message(raw: bytes) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """(headers as (name, value) with the value exactly as after the colon, folds as LF; body with CRLF
    line ends) -- what Postfix sends a milter for the message ``raw``."""
    raw = raw.replace(b"\r\n", b"\n")
    head, sep, body = raw.partition(b"\n\n")
    if not sep:
        head, body = raw, b""
    headers = []
    for line in _NEXT_HEADER.split(head.replace(b"\n", b"\r\n")):
        name, colon, value = line.partition(b":")
        if colon:
            headers.append((name, value.replace(b"\r\n", b"\n")))
    return headers, body.replace(b"\n", b"\r\n")


def _head(cmd: str, size: int) -> bytes:
    return struct.pack("!Lc", size + 1, cmd.encode())


def _packet(cmd: str, payload: bytes) -> bytes:
    return _head(cmd, len(payload)) + payload


#: step -> (the flag that skips it, the flag that says it gets no reply)
STEPS: dict[str, tuple[int, int]] = {
    c.SMFIC_CONNECT: (c.SMFIP_NOCONNECT, c.SMFIP_NR_CONN), c.SMFIC_HELO: (c.SMFIP_NOHELO, c.SMFIP_NR_HELO),
    c.SMFIC_MAIL: (c.SMFIP_NOMAIL, c.SMFIP_NR_MAIL), c.SMFIC_RCPT: (c.SMFIP_NORCPT, c.SMFIP_NR_RCPT),
    c.SMFIC_DATA: (c.SMFIP_NODATA, c.SMFIP_NR_DATA), c.SMFIC_HEADER: (c.SMFIP_NOHDRS, c.SMFIP_NR_HDR),
    c.SMFIC_EOH: (c.SMFIP_NOEOH, c.SMFIP_NR_EOH), c.SMFIC_BODY: (c.SMFIP_NOBODY, c.SMFIP_NR_BODY),
}


class MilterSession:
    """One milter connection (one SMTP session): negotiate once, then :meth:`message`."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.conn = miltertest.MilterConnection(sock)
        self.actions, self.protocol = self.conn.optneg_mta()
        self.connected = False
        self._out: list[bytes | memoryview] = []  # packets not sent yet (:meth:`_step`)

    @classmethod
    @contextlib.contextmanager
    def open(cls, address: tuple[str, int] | str, timeout: float = 120.0) -> Iterator[MilterSession]:
        family = socket.AF_UNIX if isinstance(address, str) else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
            if family == socket.AF_INET:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            session = cls(sock)
            yield session
            with contextlib.suppress(OSError):
                sock.sendall(miltertest.codec.encode_msg(c.SMFIC_QUIT))
        finally:
            sock.close()

    def _step(self, cmd: str, packet: bytes | Sequence[bytes | memoryview]) -> tuple[str, dict] | None:
        """Send one step (a packet, or its pieces); its reply, or None when the milter skips it or does not
        answer it.  Steps without a reply wait in :attr:`_out` for the next step that has one (one write for
        all of them, as an MTA's buffered stream does, not one system call per header or body chunk)."""
        skip, no_reply = STEPS[cmd]
        if self.protocol & skip:
            return None
        if isinstance(packet, bytes):
            self._out.append(packet)
        else:
            self._out += packet
        if self.protocol & no_reply:
            return None
        self._flush()
        reply = self.conn.recv()
        if reply[0] not in miltertest.DISPOSITION_REPLIES:
            raise MilterProtocolError(f"unexpected reply {reply[0]!r} to {cmd!r}")
        return None if reply[0] == c.SMFIR_CONTINUE else reply

    def _macros(self, where: str, **values: str) -> None:  # (never answered)
        self._out.append(miltertest.codec.encode_msg(c.SMFIC_MACRO, cmdcode=where,
                                                     nameval=[x for item in values.items() for x in item]))

    def _flush(self) -> None:
        if self._out:
            out, self._out = self._out, []
            self.sock.sendall(b"".join(out))

    def message(self, raw: bytes, *, sender: str = "sender@example.org", rcpts: Sequence[str] = ("rcpt@example.net",),
                queue_id: str = "", client: tuple[str, str] = ("mail.example.org", "192.0.2.25"),
                helo: str = "mail.example.org") -> Reply:
        """Hand one message over the milter protocol (connect and HELO on the first only), return its reply."""
        headers, body = split_message(raw)
        steps: list[tuple[str, bytes]] = []
        if not self.connected:
            self.connected = True
            self._macros(c.SMFIC_CONNECT, j="mx.bench.test", _=f"{client[0]} [{client[1]}]",
                         **{"{daemon_name}": "bench"})
            steps.append((c.SMFIC_CONNECT, miltertest.codec.encode_msg(
                c.SMFIC_CONNECT, hostname=client[0], family=c.SMFIA_INET, port=25, address=client[1])))
            steps.append((c.SMFIC_HELO, miltertest.codec.encode_msg(c.SMFIC_HELO, helo=helo)))
        for cmd, packet in steps:
            if (stop := self._step(cmd, packet)) is not None:
                return self._stopped(stop, cmd)
        self._macros(c.SMFIC_MAIL, **{"{mail_addr}": sender})
        steps = [(c.SMFIC_MAIL, miltertest.codec.encode_msg(c.SMFIC_MAIL, args=[f"<{sender}>"]))]
        steps += [(c.SMFIC_RCPT, miltertest.codec.encode_msg(c.SMFIC_RCPT, args=[f"<{r}>"])) for r in rcpts]
        for cmd, packet in steps:
            if (stop := self._step(cmd, packet)) is not None:
                return self._stopped(stop, cmd)
        if queue_id:
            self._macros(c.SMFIC_DATA, i=queue_id)
        steps = [(c.SMFIC_DATA, miltertest.codec.encode_msg(c.SMFIC_DATA))]
        steps += [(c.SMFIC_HEADER, _packet(c.SMFIC_HEADER, name + b"\0" + self._value(value) + b"\0"))
                  for name, value in headers]
        steps.append((c.SMFIC_EOH, miltertest.codec.encode_msg(c.SMFIC_EOH)))
        view = memoryview(body)  # each chunk as its packet's header and a view of the body: no copy of it here
        steps += [(c.SMFIC_BODY, (_head(c.SMFIC_BODY, len(view[i:i + c.MILTER_CHUNK_SIZE])),
                                  view[i:i + c.MILTER_CHUNK_SIZE]))
                  for i in range(0, len(body), c.MILTER_CHUNK_SIZE)]
        for cmd, packet in steps:
            if (stop := self._step(cmd, packet)) is not None:
                return self._stopped(stop, cmd)
        if queue_id:
            self._macros(c.SMFIC_BODYEOB, i=queue_id)
        return self._eom()

    def _value(self, value: bytes) -> bytes:
        """Postfix sends the value verbatim with SMFIP_HDR_LEADSPC, else without the space after the colon."""
        return value if self.protocol & c.SMFIP_HDR_LEADSPC else value.lstrip(b" \t")

    def _stopped(self, reply: tuple[str, dict], cmd: str) -> Reply:
        """The milter decided before end of message: abort what is left of it, as an MTA does."""
        self._out = []
        with contextlib.suppress(OSError):
            self.sock.sendall(miltertest.codec.encode_msg(c.SMFIC_ABORT))
        return Reply(ACTIONS.get(reply[0], reply[0]), stage=cmd)

    def _eom(self) -> Reply:
        out = Reply("")
        self._out.append(miltertest.codec.encode_msg(c.SMFIC_BODYEOB))
        self._flush()
        while True:
            cmd, args = self.conn.recv()
            if cmd == c.SMFIR_ADDHEADER:
                out.headers.append((args["name"], args["value"]))
            elif cmd == c.SMFIR_INSHEADER:
                out.headers.insert(min(args["index"], len(out.headers)), (args["name"], args["value"]))
            elif cmd == c.SMFIR_CHGHEADER:
                out.changed.append((args["name"], args["index"], args["value"]))
            elif cmd == c.SMFIR_QUARANTINE:
                out.quarantine = args["reason"]
            elif cmd == c.SMFIR_REPLYCODE:
                out.smtp_reply = f"{args['smtpcode']} {args['text']}"
            elif cmd not in FINAL:
                out.other.append(cmd)
            if cmd in FINAL:
                out.action = ACTIONS[cmd]
                break
        if out.smtp_reply and out.action == "replycode":
            out.action = {"4": "tempfail", "5": "reject"}.get(out.smtp_reply[:1], "replycode")
        return out
