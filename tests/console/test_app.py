"""HTTP-level tests of the console (Starlette TestClient): auth, CSRF, rate limit, escaping,
recipient links and the release policy.  Releases go to a real SMTP sink on loopback."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from pathlib import Path

import pytest
from consoletest import ADMIN, PASSWORD, XSS_FILE, XSS_SUBJECT, Filled, Sink
from starlette.testclient import TestClient

from coinguard.console import auth
from coinguard.console.app import create_app
from coinguard.console.settings import Settings
from coinguard.quarantine import open_store

CSP = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"


def client(settings: Settings, filled: Filled, **console: object) -> TestClient:
    cc = dataclasses.replace(settings.console, **console)  # type: ignore[arg-type]
    secret = auth.load_secret(cc.secret_file)
    return TestClient(create_app(filled.store, cc, secret), base_url="http://127.0.0.1", follow_redirects=False)


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def login(c: TestClient, user: str = ADMIN, password: str = PASSWORD) -> object:
    page = c.get("/login")
    return c.post("/login", data={"user": user, "password": password, "csrf": csrf_of(page.text)})


def logged_in(settings: Settings, filled: Filled, **console: object) -> tuple[TestClient, str]:
    c = client(settings, filled, **console)
    r = login(c)
    assert r.status_code == 303 and r.headers["location"] == "/"  # type: ignore[attr-defined]
    return c, csrf_of(c.get("/").text)


def audit(filled: Filled) -> list[dict]:
    return [json.loads(line) for line in filled.store.audit.path.read_text().splitlines()]


def link(settings: Settings, rcpt: str, lifetime: float = 3600) -> str:
    return "/r/" + auth.make_link(auth.load_secret(settings.console.secret_file), rcpt, lifetime)


# --------------------------------------------------------------------------- authentication


def test_every_admin_page_needs_a_login(env: tuple[Settings, Filled]) -> None:
    settings, filled = env
    c = client(settings, filled)
    qid = filled.ids["script"]
    for path in ("/", f"/m/{qid}", f"/m/{qid}/source"):
        r = c.get(path)
        assert r.status_code == 303 and r.headers["location"] == "/login", path
    for path in (f"/m/{qid}/release", f"/m/{qid}/delete", "/bulk", f"/m/{qid}/allowlist", "/logout"):
        assert c.post(path, data={"id": qid, "action": "delete"}).status_code == 303, path
    assert len(filled.store.list()) == 4
    assert c.get("/healthz").text == "ok\n"


def test_login_with_good_password_then_logout(env: tuple[Settings, Filled]) -> None:
    settings, filled = env
    c, csrf = logged_in(settings, filled)
    page = c.get("/")
    assert page.status_code == 200 and "Your wallet seed phrase update" in page.text
    assert c.post("/logout", data={"csrf": csrf}).status_code == 303
    assert c.get("/").status_code == 303
    logins = [a for a in audit(filled) if a["action"] == "console.login"]
    assert logins[-1]["result"] == "ok" and logins[-1]["console_user"] == ADMIN


@pytest.mark.parametrize(("user", "password"), [(ADMIN, "wrong password!"), ("nobody", PASSWORD), (ADMIN, "")])
def test_bad_credentials_get_no_session(env: tuple[Settings, Filled], user: str, password: str) -> None:
    settings, filled = env
    c = client(settings, filled)
    r = login(c, user, password)
    assert r.status_code == 401 and "Wrong user name or password" in r.text  # type: ignore[attr-defined]
    assert c.get("/").status_code == 303
    assert audit(filled)[-1]["result"].startswith("error")


def test_login_rate_limit_refuses_even_the_right_password(env: tuple[Settings, Filled]) -> None:
    settings, filled = env
    c = client(settings, filled, login_max_failures=3, login_window_s=600)
    for _ in range(3):
        assert login(c, ADMIN, "wrong password!").status_code == 401  # type: ignore[attr-defined]
    r = login(c)
    assert r.status_code == 429 and "Too many failed attempts" in r.text  # type: ignore[attr-defined]
    assert c.get("/").status_code == 303
    assert audit(filled)[-1]["result"] == "refused: rate limit"


def test_session_cookie_flags_and_security_headers(env: tuple[Settings, Filled]) -> None:
    settings, filled = env
    c = client(settings, filled, cookie_secure=True)
    c.base_url = "https://127.0.0.1"  # type: ignore[assignment]
    r = login(c)
    cookie = r.headers["set-cookie"]  # type: ignore[attr-defined]
    assert cookie.startswith("__Host-cgsession=")
    for flag in ("HttpOnly", "SameSite=strict", "Secure", "Path=/"):
        assert flag.lower() in cookie.lower(), flag
    page = c.get("/")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert c.get("/static/console.css").headers["content-security-policy"] == CSP


def test_proxy_header_is_believed_only_from_a_trusted_address(env: tuple[Settings, Filled]) -> None:
    settings, filled = env
    trusted = client(settings, filled, proxy_auth_header="X-Remote-User", trusted_proxies=("testclient",))
    page = trusted.get("/", headers={"X-Remote-User": "sso-admin"})
    assert page.status_code == 200 and "sso-admin" in page.text
    qid = filled.ids["airdrop"]
    assert trusted.post(f"/m/{qid}/delete", data={"csrf": csrf_of(page.text), "confirm": "yes"},
                        headers={"X-Remote-User": "sso-admin"}).status_code == 303
    assert qid not in {e.id for e in filled.store.list()}
    assert audit(filled)[-1]["console_user"] == "sso-admin"
    untrusted = client(settings, filled, proxy_auth_header="X-Remote-User", trusted_proxies=("10.0.0.1",))
    assert untrusted.get("/", headers={"X-Remote-User": "sso-admin"}).status_code == 303


# --------------------------------------------------------------------------- CSRF


def test_posts_without_or_with_a_wrong_csrf_token_are_refused(env: tuple[Settings, Filled]) -> None:
    settings, filled = env
    c, csrf = logged_in(settings, filled)
    qid = filled.ids["script"]
    assert c.post(f"/m/{qid}/delete").status_code == 403
    assert c.post(f"/m/{qid}/delete", data={"csrf": csrf[:-2] + "xx"}).status_code == 403
    assert c.post("/bulk", data={"id": qid, "action": "delete"}).status_code == 403
    _other, other_csrf = logged_in(settings, filled)  # another session's token does not fit this one
    assert c.post(f"/m/{qid}/delete", data={"csrf": other_csrf}).status_code == 403
    assert qid in {e.id for e in filled.store.list()}
    fresh = client(settings, filled)
    assert fresh.post("/login", data={"user": ADMIN, "password": PASSWORD}).status_code == 403
    rcpt_link = link(settings, "bob@ex.test")
    assert fresh.post(f"{rcpt_link}/release/{filled.ids['xss']}").status_code == 403
    assert c.post(f"/m/{qid}/delete", data={"csrf": csrf, "confirm": "yes"}).status_code == 303
    assert qid not in {e.id for e in filled.store.list()}


# --------------------------------------------------------------------------- escaping


def test_hostile_subject_filename_and_body_come_out_inert(env: tuple[Settings, Filled]) -> None:
    settings, filled = env
    c, _ = logged_in(settings, filled)
    qid = filled.ids["xss"]
    pages = {"list": c.get("/").text, "message": c.get(f"/m/{qid}").text, "source": c.get(f"/m/{qid}/source").text,
             "recipient": c.get(link(settings, "bob@ex.test")).text}
    for name, html in pages.items():
        assert "<script" not in html.lower(), name
        assert not re.search(r"<img\b", html, re.I), name
        assert not re.search(r'href="https?://', html, re.I), name
    assert "&lt;script&gt;alert(&#34;subject&#34;)&lt;/script&gt;" in pages["list"]
    message = pages["message"]
    assert "script&gt;&lt;img src=x onerror=alert(3)&gt;.exe" in message  # the attachment name, as text
    assert "Hello\nBob" in message or "Hello Bob" in message  # HTML part reduced to its text
    assert "tracker.example" not in message  # the image URL is not even shown in the text view
    assert "&lt;script&gt;alert(&#34;body&#34;)&lt;/script&gt;" in pages["source"]
    assert XSS_SUBJECT not in "".join(pages.values()) and XSS_FILE not in "".join(pages.values())


def test_message_page_shows_findings_in_words_and_attachment_hashes(env: tuple[Settings, Filled]) -> None:
    settings, filled = env
    c, _ = logged_in(settings, filled)
    detail = filled.store.show(filled.ids["script"])
    page = c.get(f"/m/{detail.entry.id}").text
    from coinguard.console.records import describe

    for code in detail.entry.codes:
        assert code in page and describe(code) and describe(code).replace("'", "&#39;").replace('"', "&#34;") in page
    for a in detail.attachments:
        assert a["sha256"] in page and a["type"] in page
    assert any(a["action"] == "console.view" and a["id"] == detail.entry.id for a in audit(filled))


# --------------------------------------------------------------------------- admin actions


def test_release_to_one_recipient_then_all_and_the_audit_trail(env: tuple[Settings, Filled], sink: Sink) -> None:
    settings, filled = env
    c, csrf = logged_in(settings, filled)
    qid = filled.ids["xss"]
    raw = filled.store.show(qid).raw
    r = c.post(f"/m/{qid}/release", data={"csrf": csrf, "to": "carol@ex.test"})
    assert r.status_code == 303 and r.headers["location"] == f"/m/{qid}?done=released_one"
    assert [(f, t) for f, t, _ in sink.got] == [("mallory@evil.test", ["carol@ex.test"])]
    assert sink.got[0][2].replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")
    assert c.post(f"/m/{qid}/release", data={"csrf": csrf, "to": "eve@else.test"}).status_code == 400
    page = c.get(f"/m/{qid}").text
    assert "console.release" in page and "carol@ex.test" in page and ADMIN in page
    assert c.post(f"/m/{qid}/release", data={"csrf": csrf}).status_code == 303
    assert sink.got[-1][1] == ["bob@ex.test", "carol@ex.test"]
    assert qid not in {e.id for e in filled.store.list()}
    assert c.get(f"/m/{qid}").status_code == 404


def test_delete_and_releasing_malicious_mail_are_confirmed_first(env: tuple[Settings, Filled], sink: Sink) -> None:
    settings, filled = env
    c, csrf = logged_in(settings, filled)
    qid = filled.ids["script"]
    ask = c.post(f"/m/{qid}/delete", data={"csrf": csrf})
    assert ask.status_code == 200 and "Delete 1 message(s)?" in ask.text and 'name="confirm" value="yes"' in ask.text
    ask = c.post(f"/m/{qid}/release", data={"csrf": csrf, "to": "bob@ex.test"})
    assert ask.status_code == 200 and "judged malicious" in ask.text and 'name="to" value="bob@ex.test"' in ask.text
    ask = c.post("/bulk", data={"csrf": csrf, "action": "release", "id": [qid, filled.ids["xss"]]})
    assert "Release 2 message(s) judged malicious?" in ask.text
    assert sink.got == [] and len(filled.store.list()) == 4
    assert c.post(f"/m/{qid}/release", data={"csrf": csrf, "to": "bob@ex.test", "confirm": "yes"}).status_code == 303
    assert [t for _, t, _ in sink.got] == [["bob@ex.test"]]
    assert c.post("/bulk", data={"csrf": csrf, "action": "release", "id": filled.ids["xss"]}).status_code == 303
    assert sink.got[-1][1] == ["bob@ex.test", "carol@ex.test"]  # suspicious only: no question asked


def test_bulk_delete_and_search(env: tuple[Settings, Filled]) -> None:
    settings, filled = env
    c, csrf = logged_in(settings, filled)
    assert "Claim your airdrop" not in c.get("/", params={"verdict": "suspicious"}).text
    assert "Claim your airdrop" in c.get("/", params={"subject": "AIRDROP"}).text
    assert "Claim your airdrop" not in c.get("/", params={"recipient": "bob@"}).text
    assert "Claim your airdrop" in c.get("/", params={"code": "file.executable", "since": "2000-01-01"}).text
    assert c.get("/", params={"since": "yesterday"}).status_code == 400
    ids = [filled.ids["airdrop"], filled.ids["lookalike"]]
    ask = c.post("/bulk", data={"csrf": csrf, "action": "delete", "id": ids})
    assert ask.status_code == 200 and "Delete 2 message(s)?" in ask.text and "Claim your airdrop" in ask.text
    assert len(filled.store.list()) == 4  # nothing happens before the confirmation
    assert c.post("/bulk", data={"csrf": csrf_of(ask.text), "action": "delete", "id": ids,
                                 "confirm": "yes"}).status_code == 303
    assert {e.id for e in filled.store.list()} == {filled.ids["script"], filled.ids["xss"]}
    assert sum(a["action"] == "console.delete" and a["result"] == "ok" for a in audit(filled)) == 2


def test_allowlist_from_here_writes_hash_and_dkim_bound_domain(env: tuple[Settings, Filled]) -> None:
    settings, filled = env
    c, csrf = logged_in(settings, filled)
    detail = filled.store.show(filled.ids["lookalike"])
    sha = detail.attachments[0]["sha256"]
    r = c.post(f"/m/{detail.entry.id}/allowlist",
               data={"csrf": csrf, "sha256": [sha, "f" * 64], "sender_domain": "partner.test", "note": "known invoice"})
    assert r.status_code == 303
    lines = [json.loads(x) for x in Path(settings.console.allowlist_file).read_text().splitlines()]
    assert [(x["kind"], x["value"]) for x in lines] == [("sha256", sha), ("sender_domain", "partner.test")]
    assert lines[1]["require"] == "dkim_aligned_pass" and lines[0]["by"] == ADMIN
    assert lines[0]["from_quarantine_id"] == detail.entry.id
    bad = c.post(f"/m/{detail.entry.id}/allowlist", data={"csrf": csrf, "sender_domain": "gmail.com"})
    assert bad.status_code == 400


# --------------------------------------------------------------------------- recipients


def test_recipient_link_shows_only_their_mail(env: tuple[Settings, Filled]) -> None:
    settings, filled = env
    c = client(settings, filled)
    page = c.get(link(settings, "bob@ex.test"))
    assert page.status_code == 200
    assert "Your wallet seed phrase update" in page.text and "&lt;script&gt;" in page.text
    assert "Claim your airdrop" not in page.text  # carol's
    assert "Invoice" not in page.text  # xbob@ex.test: contains bob@ex.test but is someone else
    carol = c.get(link(settings, "Carol@EX.test")).text
    assert "Claim your airdrop" in carol and "seed phrase" not in carol
    views = [a for a in audit(filled) if a["action"] == "console.recipient_view"]
    assert [a["target"] for a in views] == [["bob@ex.test"], ["Carol@EX.test"]]


def test_recipient_link_expires_and_cannot_be_forged(env: tuple[Settings, Filled]) -> None:
    settings, filled = env
    c = client(settings, filled)
    secret = auth.load_secret(settings.console.secret_file)
    expired = auth.make_link(secret, "bob@ex.test", 60, now=time.time() - 120)
    r = c.get(f"/r/{expired}")
    assert r.status_code == 410 and "expired" in r.text
    token = auth.make_link(secret, "bob@ex.test", 3600)
    payload, sig = token.split(".")
    forged = auth.make_link(b"x" * 64, "bob@ex.test", 3600)
    other = auth.make_link(secret, "carol@ex.test", 3600).split(".")[0]
    for bad in (forged, f"{other}.{sig}", f"{payload}.", "garbage", f"{payload}.{sig}x"):
        assert c.get(f"/r/{bad}").status_code == 404, bad


def test_recipient_release_follows_the_policy(env: tuple[Settings, Filled], sink: Sink) -> None:
    settings, filled = env
    c = client(settings, filled)
    bob = link(settings, "bob@ex.test")
    csrf = csrf_of(c.get(bob).text)
    r = c.post(f"{bob}/release/{filled.ids['script']}", data={"csrf": csrf})  # malicious: never
    assert r.status_code == 403 and sink.got == []
    assert c.post(f"{bob}/release/{filled.ids['airdrop']}", data={"csrf": csrf}).status_code == 404  # carol's
    r = c.post(f"{bob}/release/{filled.ids['xss']}", data={"csrf": csrf})  # suspicious: allowed, to bob only
    assert r.status_code == 303
    assert [(t) for _, t, _ in sink.got] == [["bob@ex.test"]]
    assert filled.ids["xss"] in {e.id for e in filled.store.list()}  # carol's copy is still held
    assert "released to you" in c.get(bob).text
    records = [a for a in audit(filled) if a["action"] == "console.recipient_release"]
    assert [a["result"] for a in records] == ["refused: verdict malicious", "ok"]
    strict = client(settings, filled, recipient_release_verdicts=("unchecked",))
    assert strict.post(f"{bob}/release/{filled.ids['xss']}", data={"csrf": csrf}).status_code == 403


def test_oversized_posts_are_refused_unread(env: tuple[Settings, Filled]) -> None:
    settings, filled = env
    c, csrf = logged_in(settings, filled)
    r = c.post("/bulk", data={"csrf": csrf, "action": "delete", "id": [filled.ids["script"]] * 40_000})
    assert r.status_code == 413
    assert len(filled.store.list()) == 4


def test_secret_file_is_created_private(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "secret"
    first = auth.load_secret(path)
    assert path.stat().st_mode & 0o777 == 0o600 and auth.load_secret(path) == first
    path.write_text("short\n")
    with pytest.raises(auth.AuthError, match="too short"):
        auth.load_secret(path)


def test_store_without_sidecar_still_lists(env: tuple[Settings, Filled]) -> None:
    settings, filled = env
    store = open_store(settings.config.quarantine)
    qid = filled.ids["airdrop"]
    (Path(settings.config.quarantine.path) / f"{qid}.json").unlink()
    c, _ = logged_in(settings, filled)
    assert "verdict sidecar missing" in c.get("/").text
    assert c.get(f"/m/{qid}").status_code == 200
    assert store.list()


def test_at_most_two_password_checks_run_at_once(env: tuple[Settings, Filled], monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    import threading

    import httpx2

    settings, filled = env
    running, peak, lock = 0, 0, threading.Lock()
    real = auth.verify_password

    def counting(users: dict[str, str], name: str, password: str) -> bool:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            time.sleep(0.05)
            return real(users, name, password)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(auth, "verify_password", counting)
    app = create_app(filled.store, settings.console, auth.load_secret(settings.console.secret_file))

    async def one(i: int) -> int:
        async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
            page = await c.get("/login")
            r = await c.post("/login", data={"user": f"u{i}", "password": "x" * 12, "csrf": csrf_of(page.text)})
            return r.status_code

    async def many() -> list[int]:
        return list(await asyncio.gather(*(one(i) for i in range(8))))

    assert asyncio.run(many()) == [401] * 8
    assert peak == 2
