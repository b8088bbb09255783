"""The console's web application (Starlette, server-rendered Jinja2, no JavaScript at all).

Admin pages need a session (argon2-checked login) or, when configured, a user name in a
header set by a reverse proxy from a trusted address.  Recipient pages need a valid signed
link and show only mail with that address among the envelope recipients.  Every POST
carries a CSRF token bound to the session / proxy user / link / login nonce.  Every action
(login, view, release, delete, allowlist) goes to the quarantine's audit log as
``console.*`` with the console user; the store itself adds its own release/delete records.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parseaddr
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coinguard.console import auth, records
from coinguard.console.settings import ConsoleConfig
from coinguard.quarantine import Entry, QuarantineError, QuarantineNotFound, QuarantineStore

log = logging.getLogger(__name__)
HERE = Path(__file__).parent

SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; "
     b"base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]
NOTICES = {
    "released": "Released to all recipients; the message left the quarantine.",
    "released_one": "A copy was released to the chosen recipient; the message stays in the quarantine.",
    "deleted": "Deleted.",
    "allowlisted": "Added to the allowlist.",
    "bulk": "Bulk action done.",
    "self_released": "Released to you.  It should arrive in your mailbox shortly.",
}
VERDICTS = ("malicious", "suspicious", "unchecked", "clean")
#: Largest request body accepted (a bulk form with 1000 IDs is about 50 KB).
MAX_BODY = 1 << 20
#: Password verifications running at once (each argon2id check holds 64 MiB).
MAX_VERIFYING = 2


class SecurityHeaders:
    """Pure ASGI middleware: strict CSP and friends on every response; no caching of pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += SECURITY_HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass
class Admin:
    user: str
    binding: str  # what the CSRF token is bound to
    via: str  # "session" | "proxy"


class Console:
    """State shared by the request handlers (one per process)."""

    def __init__(self, store: QuarantineStore, cfg: ConsoleConfig, secret: bytes) -> None:
        self.store = store
        self.cfg = cfg
        self.secret = secret
        self.sessions = auth.Sessions(cfg.session_idle_minutes * 60.0, cfg.session_max_hours * 3600.0)
        self.limiter = auth.RateLimit(cfg.login_max_failures, float(cfg.login_window_s))
        self.cookie = "__Host-cgsession" if cfg.cookie_secure else "cgsession"
        # argon2id takes 64 MiB per verification: a burst of logins must not take the memory with it
        self.verifying = asyncio.Semaphore(MAX_VERIFYING)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["when"] = _when
        self.env.filters["size"] = _size
        self.env.globals["describe"] = records.describe
        self.env.globals["reasons"] = records.reasons

    # ---- helpers

    def render(self, request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.setdefault("admin", None)
        ctx.setdefault("notice", NOTICES.get(request.query_params.get("done", ""), ""))
        html = self.env.get_template(name).render(request=request, **ctx)
        return HTMLResponse(html, status_code=status)

    def peer(self, request: Request) -> str:
        return request.client.host if request.client else ""

    def client(self, request: Request) -> str:
        """The browser's address: X-Forwarded-For's last hop, believed only from a trusted proxy."""
        peer = self.peer(request)
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded and peer in self.cfg.trusted_proxies:
            return forwarded.split(",")[-1].strip()[:64] or peer
        return peer

    def admin(self, request: Request) -> Admin | None:
        header = self.cfg.proxy_auth_header
        if header and self.peer(request) in self.cfg.trusted_proxies:
            user = request.headers.get(header, "").strip()
            if user and auth.USER_RE.match(user):
                return Admin(user, f"proxy|{user}", "proxy")
        s = self.sessions.get(request.cookies.get(self.cookie, ""))
        return Admin(s.user, f"session|{s.id}", "session") if s else None

    def need_admin(self, request: Request) -> Admin:
        a = self.admin(request)
        if a is None:
            raise HTTPException(303, headers={"location": "/login"})
        return a

    async def form(self, request: Request, binding: str) -> FormData:
        form = await request.form(max_files=0, max_fields=2000)
        if not auth.csrf_ok(self.secret, binding, str(form.get("csrf", ""))):
            raise HTTPException(403, "The form is missing its security token or it expired: reload the page.")
        return form

    def csrf(self, binding: str) -> str:
        return auth.csrf_token(self.secret, binding)

    async def audit(self, request: Request, action: str, qid: str, target: Any, result: str, user: str,
                    **extra: Any) -> None:
        await run_in_threadpool(self.store.audit.record, f"console.{action}", qid, target, result,
                                console_user=user, client=self.client(request), **extra)

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return await run_in_threadpool(fn, *args)
        except QuarantineNotFound as exc:
            raise HTTPException(404, str(exc)) from exc

    # ---- login

    async def login_page(self, request: Request) -> Response:
        if request.method == "POST":
            return await self.login(request)
        nonce = secrets.token_urlsafe(16)
        resp = self.render(request, "login.html", csrf=self.csrf(f"login|{nonce}"), error="")
        self._set_cookie(resp, "cglogin", nonce, path="/login", max_age=1800)
        return resp

    async def login(self, request: Request) -> Response:
        nonce = request.cookies.get("cglogin", "")
        form = await self.form(request, f"login|{nonce}" if nonce else "")
        user = str(form.get("user", "")).strip()[:64]
        password = str(form.get("password", ""))[:1024]
        ip = self.client(request)
        keys = (f"ip|{ip}", f"user|{user.lower()}")
        ok = False
        if self.cfg.login_max_failures and self.limiter.blocked(*keys):
            result, status = "refused: rate limit", 429
        else:
            users = await run_in_threadpool(auth.read_users, self.cfg.users_file)
            async with self.verifying:
                ok = await run_in_threadpool(auth.verify_password, users, user, password)
            result, status = ("ok", 303) if ok else ("error: bad user or password", 401)
        await self.audit(request, "login", "", user, result, user=user)
        if not ok:
            if status == 401:
                self.limiter.failed(*keys)
            error = ("Too many failed attempts; wait a few minutes." if status == 429
                     else "Wrong user name or password.")
            resp = self.render(request, "login.html", status=status, csrf=self.csrf(f"login|{nonce}"), error=error)
            return resp
        self.limiter.succeeded(keys[1])
        session = self.sessions.new(user)
        done = RedirectResponse("/", status_code=303)
        self._set_cookie(done, self.cookie, session.id, path="/")
        done.delete_cookie("cglogin", path="/login")
        return done

    def _set_cookie(self, resp: Response, name: str, value: str, path: str, max_age: int | None = None) -> None:
        resp.set_cookie(name, value, max_age=max_age, path=path, secure=self.cfg.cookie_secure, httponly=True,
                        samesite="strict")

    async def logout(self, request: Request) -> Response:
        a = self.need_admin(request)
        await self.form(request, a.binding)
        self.sessions.drop(request.cookies.get(self.cookie, ""))
        await self.audit(request, "logout", "", a.user, "ok", user=a.user)
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(self.cookie, path="/")
        return resp

    # ---- admin pages

    async def index(self, request: Request) -> Response:
        a = self.need_admin(request)
        q = request.query_params
        try:
            s = records.Search(
                sender=q.get("sender", "").strip(), recipient=q.get("recipient", "").strip(),
                subject=q.get("subject", "").strip(), verdict=q.get("verdict", "").strip(),
                code=q.get("code", "").strip(), host=q.get("host", "").strip(),
                since=records.parse_date(q.get("since", "")), until=records.parse_date(q.get("until", ""), end=True))
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from exc
        entries: list[Entry] = await run_in_threadpool(records.search, self.store, s)
        size = self.cfg.page_size or 50
        pages = max(1, -(-len(entries) // size))
        try:
            page = min(max(1, int(q.get("page", "1"))), pages)
        except ValueError:
            page = 1
        shown = entries[(page - 1) * size: page * size]
        params = {k: v for k, v in q.items() if k not in ("page", "done") and v}

        def page_url(n: int) -> str:
            return "/?" + urlencode({**params, "page": n})

        return self.render(
            request, "list.html", admin=a, csrf=self.csrf(a.binding), entries=shown, total=len(entries),
            page=page, pages=pages, page_url=page_url, q=q, verdicts=VERDICTS,
            show_host=any(getattr(e, "host", "") for e in shown) or bool(s.host),
        )

    async def message(self, request: Request) -> Response:
        a = self.need_admin(request)
        qid = request.path_params["qid"]
        detail = await self.call(self.store.show, qid)
        trail = await run_in_threadpool(records.audit_trail, self.store, detail.entry.id)
        await self.audit(request, "view", detail.entry.id, None, "ok", user=a.user)
        parts = records.body_text(detail.raw, self.cfg.max_body_chars)
        findings = (detail.verdict or {}).get("findings") or [{"code": c} for c in detail.entry.codes]
        sender_domain = parseaddr(detail.entry.sender)[1].rpartition("@")[2].lower()
        return self.render(
            request, "message.html", admin=a, csrf=self.csrf(a.binding), d=detail, e=detail.entry,
            findings=[f for f in findings if isinstance(f, dict)], parts=parts, trail=trail,
            sender_domain=sender_domain, verdict=detail.verdict or {},
            hashes=sorted({str(x.get("sha256", "")) for x in detail.attachments if x.get("sha256")}),
        )

    async def source(self, request: Request) -> Response:
        a = self.need_admin(request)
        detail = await self.call(self.store.show, request.path_params["qid"])
        await self.audit(request, "view_source", detail.entry.id, None, "ok", user=a.user)
        text = detail.raw[: self.cfg.max_body_chars * 4].decode("utf-8", "replace")
        return self.render(request, "source.html", admin=a, csrf=self.csrf(a.binding), e=detail.entry, text=text,
                           truncated=len(detail.raw) > self.cfg.max_body_chars * 4)

    async def release(self, request: Request) -> Response:
        a = self.need_admin(request)
        form = await self.form(request, a.binding)
        qid = request.path_params["qid"]
        to = str(form.get("to", "")).strip()
        detail = await self.call(self.store.show, qid)
        if to and to.lower() not in (r.lower() for r in detail.entry.rcpts):
            raise HTTPException(400, "That address is not a recipient of this message.")
        if detail.entry.verdict == "malicious" and form.get("confirm") != "yes":
            return self.confirm(request, a, "release", [detail.entry], f"/m/{qid}/release", {"to": to})
        await self._act(request, a, "release", qid, to or None)
        return RedirectResponse(f"/m/{qid}?done=released_one" if to else "/?done=released", status_code=303)

    async def delete(self, request: Request) -> Response:
        a = self.need_admin(request)
        form = await self.form(request, a.binding)
        qid = request.path_params["qid"]
        if form.get("confirm") != "yes":
            detail = await self.call(self.store.show, qid)
            return self.confirm(request, a, "delete", [detail.entry], f"/m/{qid}/delete", {})
        await self._act(request, a, "delete", qid)
        return RedirectResponse("/?done=deleted", status_code=303)

    def confirm(self, request: Request, a: Admin, action: str, entries: Sequence[Entry], url: str,
                fields: dict[str, Any]) -> HTMLResponse:
        """Deleting, and releasing malicious mail, are asked twice (no JavaScript: a page of its own)."""
        return self.render(request, "confirm.html", admin=a, csrf=self.csrf(a.binding), action=action,
                           entries=entries, url=url, fields=fields)

    async def _act(self, request: Request, a: Admin, action: str, qid: str, to: str | None = None) -> None:
        fn = self.store.delete if action == "delete" else self.store.release
        args = (qid,) if action == "delete" else (qid, to)
        target = [to] if to else None
        try:
            await self.call(fn, *args)
        except QuarantineError as exc:
            await self.audit(request, action, qid, target, f"error: {exc}", user=a.user)
            raise HTTPException(502, f"{action} failed: {exc}") from exc
        except HTTPException as exc:
            await self.audit(request, action, qid, target, f"error: {exc.detail}", user=a.user)
            raise
        await self.audit(request, action, qid, target, "ok", user=a.user)

    async def bulk(self, request: Request) -> Response:
        a = self.need_admin(request)
        form = await self.form(request, a.binding)
        action = str(form.get("action", ""))
        ids = [str(i) for i in form.getlist("id")][:1000]
        if action not in ("release", "delete") or not ids:
            raise HTTPException(400, "Choose one or more messages and an action.")
        if form.get("confirm") != "yes":
            chosen = set(ids)
            entries = [e for e in await run_in_threadpool(self.store.list) if e.id in chosen]
            if action == "delete" or any(e.verdict == "malicious" for e in entries):
                return self.confirm(request, a, action, entries, "/bulk", {"action": action, "id": ids})
        failed: list[str] = []
        for qid in ids:
            try:
                await self._act(request, a, action, qid)
            except HTTPException as exc:
                failed.append(f"{qid}: {exc.detail}")
        if failed:
            raise HTTPException(502, f"{len(ids) - len(failed)} done, {len(failed)} failed: " + "; ".join(failed))
        return RedirectResponse("/?done=bulk", status_code=303)

    async def allowlist(self, request: Request) -> Response:
        a = self.need_admin(request)
        form = await self.form(request, a.binding)
        detail = await self.call(self.store.show, request.path_params["qid"])
        known = {str(x.get("sha256", "")) for x in detail.attachments}
        hashes = [h for h in form.getlist("sha256") if isinstance(h, str) and h in known and h]
        domain = str(form.get("sender_domain", "")).strip().lower()
        real_domain = parseaddr(detail.entry.sender)[1].rpartition("@")[2].lower()
        note = str(form.get("note", "")).strip()
        recs = records.allowlist_records("sha256", hashes, user=a.user, qid=detail.entry.id, note=note)
        if domain:
            if domain != real_domain:
                raise HTTPException(400, "The domain must be the envelope sender's domain.")
            recs += records.allowlist_records("sender_domain", [domain], user=a.user, qid=detail.entry.id, note=note)
        if not recs:
            raise HTTPException(400, "Choose at least one attachment hash or the sender domain.")
        await run_in_threadpool(records.allowlist_add, self.cfg.allowlist_file, recs)
        await self.audit(request, "allowlist", detail.entry.id, [f"{r['kind']}:{r['value']}" for r in recs], "ok",
                         user=a.user)
        return RedirectResponse(f"/m/{detail.entry.id}?done=allowlisted", status_code=303)

    # ---- recipient pages

    def recipient(self, request: Request) -> tuple[str, int, str]:
        token = request.path_params["token"]
        try:
            rcpt, expiry = auth.check_link(self.secret, token)
        except auth.LinkExpired as exc:
            raise HTTPException(410, "This link has expired. The next quarantine digest brings a new one.") from exc
        except auth.LinkInvalid as exc:
            raise HTTPException(404, "This link is not valid.") from exc
        return rcpt, expiry, token

    async def recipient_page(self, request: Request) -> Response:
        rcpt, expiry, token = self.recipient(request)
        entries = await run_in_threadpool(records.for_recipient, self.store, rcpt)
        await self.audit(request, "recipient_view", "", [rcpt], "ok", user=f"recipient:{rcpt}")
        trails = await run_in_threadpool(self.store.audit.records)
        done = {e.id for e in entries if rcpt.lower() in records.released_to(
            [t for t in trails if t.get("id") == e.id])}
        return self.render(
            request, "recipient.html", rcpt=rcpt, expiry=datetime.fromtimestamp(expiry, UTC), entries=entries,
            token=token, csrf=self.csrf(f"rcpt|{token}"), allowed=self.cfg.recipient_release_verdicts, done=done,
        )

    async def recipient_release(self, request: Request) -> Response:
        rcpt, _expiry, token = self.recipient(request)
        await self.form(request, f"rcpt|{token}")
        qid = request.path_params["qid"]
        entries = await run_in_threadpool(records.for_recipient, self.store, rcpt)
        entry = next((e for e in entries if e.id == qid), None)
        if entry is None:
            raise HTTPException(404, "No such message for you.")
        if entry.verdict not in self.cfg.recipient_release_verdicts:
            await self.audit(request, "recipient_release", qid, [rcpt], f"refused: verdict {entry.verdict}",
                             user=f"recipient:{rcpt}")
            raise HTTPException(403, f"Messages judged {entry.verdict or 'unknown'} can only be released by an "
                                     "administrator.")
        try:
            await self.call(self.store.release, qid, rcpt)
        except QuarantineError as exc:
            await self.audit(request, "recipient_release", qid, [rcpt], f"error: {exc}", user=f"recipient:{rcpt}")
            raise HTTPException(502, "The release failed; an administrator can see why in the audit log.") from exc
        await self.audit(request, "recipient_release", qid, [rcpt], "ok", user=f"recipient:{rcpt}")
        return RedirectResponse(f"/r/{token}?done=self_released", status_code=303)

    async def healthz(self, request: Request) -> Response:
        return Response("ok\n", media_type="text/plain")

    async def error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code in (301, 302, 303, 307) and exc.headers:
            return RedirectResponse(exc.headers["location"], status_code=exc.status_code)
        title = HTTPStatus(exc.status_code).phrase if exc.status_code in set(HTTPStatus) else "Error"
        return self.render(request, "error.html", status=exc.status_code, message=exc.detail, title=title,
                           admin=self.admin(request), csrf="")


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _size(n: int | None) -> str:
    n = int(n or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)  # pragma: no cover


def create_app(store: QuarantineStore, cfg: ConsoleConfig, secret: bytes) -> ASGIApp:
    c = Console(store, cfg, secret)
    routes: Sequence[Any] = [
        Route("/", c.index),
        Route("/login", c.login_page, methods=["GET", "POST"]),
        Route("/logout", c.logout, methods=["POST"]),
        Route("/bulk", c.bulk, methods=["POST"]),
        Route("/m/{qid}", c.message),
        Route("/m/{qid}/source", c.source),
        Route("/m/{qid}/release", c.release, methods=["POST"]),
        Route("/m/{qid}/delete", c.delete, methods=["POST"]),
        Route("/m/{qid}/allowlist", c.allowlist, methods=["POST"]),
        Route("/r/{token}", c.recipient_page),
        Route("/r/{token}/release/{qid}", c.recipient_release, methods=["POST"]),
        Route("/healthz", c.healthz),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {HTTPException: c.error}
    app = Starlette(routes=list(routes), exception_handlers=handlers,  # type: ignore[arg-type]
                    max_body_size=MAX_BODY)
    app.state.console = c
    return SecurityHeaders(app)


__all__ = ["Console", "create_app"]
