"""``scan_message``: the one pipeline shared by the daemon and ``coinguard scan``.

raw bytes -> mime (MessageInfo + leaf Items) -> work queue over UNPACKERS and
ITEM_ANALYZERS (children re-enter the queue through the Budget) -> MESSAGE_ANALYZERS
-> policy -> Verdict.  Pure: no sockets, no files written, no metrics; bad input is
a finding, a failing analyzer is a finding (``scan.analyzer_error``) and never
stops the rest.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from email.message import Message
from pathlib import Path
from typing import Any

from coinguard import cache as verdict_cache
from coinguard import mime, passwords, policy, text
from coinguard.analyzers import ITEM_ANALYZERS, MESSAGE_ANALYZERS
from coinguard.catalogue import ANALYZER_ERROR, SCAN_CODES, TEXT_SAMPLED, UNCHECKED, catalogue
from coinguard.config import Config
from coinguard.errors import BudgetExceeded
from coinguard.findings import (
    Action,
    AddHeader,
    AttachmentInfo,
    Finding,
    Item,
    Role,
    Verdict,
    VerdictKind,
)
from coinguard.handlers import AnalysisContext, DnsFunc, Handler, MessageInfo
from coinguard.limits import Budget
from coinguard.report import indicators
from coinguard.sniff import ItemType
from coinguard.unpack import UNPACKERS

log = logging.getLogger(__name__)

#: The codes this module emits (declared in coinguard.catalogue, which must not import the scan loop).
CODES = SCAN_CODES

#: Item roles that are files a person could open (listed as attachments in the verdict).
FILE_ROLES = frozenset({Role.ATTACHMENT, Role.INLINE, Role.MEMBER, Role.EMBEDDED, Role.EXTRACTED})


@dataclass(frozen=True, slots=True)
class Envelope:
    id: str = ""
    queue_id: str = ""
    sender: str = ""
    rcpts: tuple[str, ...] = ()
    client_addr: str = ""
    helo: str = ""


@dataclass(frozen=True, slots=True)
class ScanContext:
    config: Config = field(default_factory=Config)
    rules: Any = None
    envelope: Envelope = field(default_factory=Envelope)
    dns_resolver: DnsFunc | None = None
    cache: verdict_cache.VerdictCache | None = None  # per-item verdict cache (coinguard.cache); None: none
    #: Put the report indicators in every verdict (``coinguard scan``, ``quarantine import``); the
    #: daemon leaves it off: only the messages it quarantines or strips get them (their store keeps them).
    indicators: bool = False


def _read(raw: bytes | str | os.PathLike[str]) -> bytes:
    if isinstance(raw, bytes | bytearray | memoryview):
        return bytes(raw)
    return Path(raw).read_bytes()


def _run_handler(handler: Handler, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
    """The handler's output for ``item`` (nothing when it does not apply).

    A generator, so that an exception from ``applies_to`` surfaces inside
    :meth:`_Collector.consume` like one from the handler's own work.
    """
    if handler.applies_to(item):
        yield from handler.handle(item, ctx)


class _Collector:
    """Accumulates findings and errors; admits children through the budget."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.findings: list[Finding] = []
        self.errors: list[str] = []
        self.queue: deque[Item] = deque()
        self.items: list[Item] = []
        self.headers: list[tuple[str, str]] = []

    def admit(self, item: Item) -> None:
        try:
            self.budget.admit(item.path, item.size, item.depth)
        except BudgetExceeded as exc:
            self.findings.append(Finding(exc.code, "limits", item.path, exc.detail))
            return
        self.queue.append(item)

    def consume(self, name: str, path: str, results: Iterable[Finding | Item | AddHeader]) -> None:
        try:
            for out in results:
                if isinstance(out, Item):
                    self.admit(out)
                elif isinstance(out, AddHeader):
                    self.headers.append((out.name, out.value))
                else:
                    self.findings.append(out)
        except BudgetExceeded as exc:
            self.findings.append(Finding(exc.code, name, path, exc.detail))
        except Exception as exc:  # the one catch for analyzer bugs (STYLE: never break the pipeline)
            log.warning("analyzer %s failed on %s: %s: %s", name, path, type(exc).__name__, exc, exc_info=True)
            self.errors.append(f"{name}: {path}: {type(exc).__name__}: {exc}"[:300])
            self.findings.append(Finding(ANALYZER_ERROR, name, path, f"{type(exc).__name__}: {exc}"))


def text_sample_finding(item: Item) -> Finding | None:
    """``text.sampled`` when the text analyzers read only the beginning of ``item`` (their caps, text.py)."""
    if item.type in (ItemType.HTML, ItemType.SVG):
        cap = text.MAX_HTML_RENDER
    elif item.type == ItemType.TEXT or item.role == Role.TEXT:
        cap = text.MAX_TEXT
    else:
        return None
    if item.role == Role.BODY:
        cap = min(cap, mime.MAX_BODY_TEXT)
    if item.size <= cap:
        return None
    return Finding(TEXT_SAMPLED, "scan", item.path,
                   f"{item.size} bytes: the text analyzers read the first {cap}; YARA and the unpackers read all")


def _envelope_args(env: Envelope) -> dict[str, Any]:
    return {"envelope_from": env.sender, "rcpts": env.rcpts, "queue_id": env.queue_id,
            "client_addr": env.client_addr, "helo": env.helo}


def _parse(data: bytes, env: Envelope, max_parts: int, col: _Collector) -> tuple[MessageInfo, list[Item]]:
    """The MIME stage.  mime never raises for bad input; should it still, the message is unchecked, not lost."""
    kwargs = _envelope_args(env)
    try:
        msg, top_items, mime_findings = mime.extract_parts(data, max_parts=max_parts)
        col.findings.extend(mime_findings)
        return mime.message_info(data, msg, top_items, **kwargs), top_items
    except Exception as exc:  # a bug or an input mime did not expect: say so, scan nothing of it as clean
        log.warning("MIME stage failed: %s: %s", type(exc).__name__, exc, exc_info=True)
        col.errors.append(f"mime: {type(exc).__name__}: {exc}"[:300])
        col.findings.append(Finding(mime.PARSE_ERROR, "mime", "", f"{type(exc).__name__}: {exc}"))
        return mime.message_info(data, Message(), [], **kwargs), []


#: MessageInfo without headers or items: the fields an item set changes are those that differ from it.
_NO_INFO = MessageInfo()


def replay_info(data: bytes, replay: verdict_cache.BodyReplay, env: Envelope) -> MessageInfo:
    """``mime.message_info`` of a body-tier replay, its body's part derived once per decoded entry.

    ``message_info`` reads the header block (this copy's own) and the top-level items (the body's: the
    same for every copy with the key) apart: the fields the items give (the body text, rendered from
    HTML, its links, the attachment names) are taken from a header-less run over the items, kept with
    the decoded entry (``replay.derived``), and the rest from an item-less run over this copy's headers.
    tests/test_cache_body.py holds the result equal to the whole ``message_info``."""
    derived = replay.derived.get("info")
    if derived is None:
        from_items = mime.message_info(b"", Message(), replay.top_items)
        derived = replay.derived["info"] = {
            name: value for name in MessageInfo.__dataclass_fields__
            if (value := getattr(from_items, name)) != getattr(_NO_INFO, name)}
    return replace(mime.message_info(data, replay.headers, [], **_envelope_args(env)), **derived)


def scan_message(raw: bytes | str | os.PathLike[str], ctx: ScanContext) -> Verdict:
    """Scan one message and return its Verdict.  Never raises for bad input."""
    started = time.monotonic()
    cache_before = verdict_cache.counts(ctx.cache)
    data = _read(raw)
    cfg = ctx.config
    env = ctx.envelope
    limits = cfg.scan.limits()
    if len(data) > limits.max_message_bytes:
        return unchecked_verdict(env, "limit", cfg, f"message of {len(data)} bytes over scan.max_message_bytes")
    budget = Budget(limits)
    col = _Collector(budget)

    # body cache (coinguard.cache.BodyCache): a known body replays the MIME stage and the item loop
    body = verdict_cache.BodyCache.open(ctx.cache, data, limits.max_files)
    replay = body.lookup() if body is not None else None
    if replay is not None:
        info = replay_info(data, replay, env)
        candidates = passwords.Candidates((info.subject, info.body_text), extra=cfg.scan.passwords,
                                          notes=passwords.note_files(replay.items))
        if not replay.usable(candidates):  # stored with other passwords: scan in full
            replay = None
    if replay is None:
        info, top_items = _parse(data, env, limits.max_files, col)
        # harvested only when an unpacker or analyzer reads them (something encrypted): passwords.Candidates
        candidates = passwords.Candidates((info.subject, info.body_text), extra=cfg.scan.passwords,
                                          notes=passwords.note_files(top_items))
    actx = AnalysisContext(config=cfg, budget=budget, message=info, rules=ctx.rules,
                           passwords=candidates, dns_resolver=ctx.dns_resolver)
    if replay is not None:
        col.items, col.findings = replay.items, replay.findings
    else:
        for item in top_items:
            col.admit(item)
    reads_before = candidates.reads

    handlers: tuple[Handler, ...] = (*UNPACKERS, *ITEM_ANALYZERS)
    timed_out = False
    while col.queue:
        item = col.queue.popleft()
        col.items.append(item)
        try:
            budget.check_time()
        except BudgetExceeded as exc:
            col.findings.append(Finding(exc.code, "scan", item.path, exc.detail))
            timed_out = True
            break
        sampled = text_sample_finding(item)
        if sampled is not None:
            col.findings.append(sampled)
        for name, results in verdict_cache.run_item(ctx.cache, handlers, item, actx, _run_handler):
            col.consume(name, item.path, results)
    if body is not None and replay is None:
        body.store(col.items, len(top_items), col.findings, actx, candidates, reads_before,
                   complete=not timed_out and not col.errors and not col.headers)
    if not timed_out:
        for analyzer in MESSAGE_ANALYZERS:
            col.consume(analyzer.name, "", analyzer.analyze_message(info, tuple(col.items), tuple(col.findings), actx))

    attachments = tuple(
        AttachmentInfo(i.path, i.type, i.size, i.sha256) for i in col.items if i.role in FILE_ROLES
    )
    verdict = policy.decide(
        col.findings,
        catalogue(),
        cfg,
        id=env.id or env.queue_id,
        # from the MTA the envelope sender is authoritative, even when it is the null sender
        # of a bounce ("" here); offline there is no envelope and From: stands in for it
        sender=env.sender if env.queue_id else (env.sender or info.from_addr),
        rcpts=env.rcpts,
        message_id=info.message_id,
        subject=info.subject,
        attachments=attachments,
        elapsed_ms=int((time.monotonic() - started) * 1000),
        errors=tuple(col.errors),
    )
    if ctx.cache is not None:
        verdict = replace(verdict, cache_counts=verdict_cache.counts_since(ctx.cache, cache_before))
    if col.headers:
        verdict = replace(verdict, headers=tuple(col.headers))
    if ctx.indicators or verdict.action in (Action.QUARANTINE, Action.STRIP):
        verdict = replace(verdict, indicators=indicators.at_scan(
            data, verdict, col.items, client_addr=env.client_addr, helo=env.helo, memo=actx.memo, config=cfg,
            parsed=(body.head, body.headers) if body is not None else None))
    return verdict


def unchecked_verdict(env: Envelope, reason: str, config: Config, detail: str = "") -> Verdict:
    """The verdict for a message we could not scan: timeout, limit or error.

    With ``fail_mode = tempfail`` the action is TEMPFAIL (the sender retries); with
    ``accept`` it is TAG: delivered, labelled ``unchecked`` with the reason, never clean.
    A message over ``scan.max_message_bytes`` (reason ``limit``) follows
    ``scan.oversize_action`` instead: retrying it would never help.
    """
    mode = config.scan.oversize_action if reason == "limit" else config.milter.fail_mode
    action = {"tempfail": Action.TEMPFAIL, "reject": Action.REJECT}.get(mode, Action.TAG)
    return Verdict(
        id=env.id or env.queue_id,
        verdict=VerdictKind.UNCHECKED,
        action=action,
        score=0.0,
        findings=(Finding(UNCHECKED, "scan", "", f"{reason}: {detail}" if detail else reason, score=0.0),),
        sender=env.sender,
        rcpt=env.rcpts,
        errors=(f"{reason}: {detail}" if detail else reason,),
        reason=reason,
        dry_run=config.policy.dry_run,
    )
