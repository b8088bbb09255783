"""The console in a real browser: Debian's headless Chromium driven by selenium, against the
console served by uvicorn on a free loopback port, a DirStore filled by scanning crafted
messages, and releases delivered to an aiosmtpd sink on loopback.

Skipped only when chromium or chromedriver is not installed (`make install-test` installs them).
With ``COINGUARD_SCREENSHOTS=DIR`` the list and message pages are saved there as PNGs
(``docs/console-list.png``, ``-message.png`` and ``-recipient.png`` come from this).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from consoletest import ADMIN, PASSWORD, XSS_SUBJECT, Filled, Sink, free_port

from coinguard.console import auth
from coinguard.console.app import create_app
from coinguard.console.settings import Settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver")
                                                 else None)
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="chromium / chromium-driver not installed")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1440,1000", "--force-device-scale-factor=1")


@pytest.fixture
def server(env: tuple[Settings, Filled]) -> Iterator[str]:
    import uvicorn

    settings, filled = env
    secret = auth.load_secret(settings.console.secret_file)
    port = free_port()
    # the production cookie (__Host-, Secure): browsers accept it from http://127.0.0.1, a secure context
    console = dataclasses.replace(settings.console, cookie_secure=True)
    config = uvicorn.Config(create_app(filled.store, console, secret), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, name="console-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=opts)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver: object, name: str, height: int | None = None) -> None:
    folder = os.environ.get("COINGUARD_SCREENSHOTS")
    if not folder:
        return
    if height:
        body = driver.execute_script("return document.documentElement.scrollHeight")  # type: ignore[attr-defined]
        driver.set_window_size(1440, min(max(int(body) + 160, 800), height))  # type: ignore[attr-defined]
    Path(folder).mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(Path(folder) / name))  # type: ignore[attr-defined]
    driver.set_window_size(1440, 1000)  # type: ignore[attr-defined]


def no_alert(driver: object) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # type: ignore[attr-defined]  # noqa: B018 - raises when no script ran


def submit(driver: object, by: str, what: str) -> None:
    """Click a submit button and wait until the next page replaced this one."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")  # type: ignore[attr-defined]
    driver.find_element(by, what).click()  # type: ignore[attr-defined]
    # mid-navigation chromedriver may answer "node does not belong to the document": ask again
    WebDriverWait(driver, 15, ignored_exceptions=(WebDriverException,)).until(
        ec.staleness_of(old))  # type: ignore[arg-type]


def wait_for(cond: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_admin_logs_in_finds_opens_and_releases_to_one_recipient(
        server: str, browser: object, env: tuple[Settings, Filled], sink: Sink) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    d = browser
    _settings, filled = env
    d.get(server + "/")  # type: ignore[attr-defined]
    assert d.current_url.endswith("/login")  # type: ignore[attr-defined]
    d.find_element(By.ID, "user").send_keys(ADMIN)  # type: ignore[attr-defined]
    d.find_element(By.ID, "password").send_keys("not the password")  # type: ignore[attr-defined]
    submit(d, By.ID, "signin")
    assert "Wrong user name or password" in d.page_source  # type: ignore[attr-defined]
    d.find_element(By.ID, "user").clear()  # type: ignore[attr-defined]
    d.find_element(By.ID, "user").send_keys(ADMIN)  # type: ignore[attr-defined]
    d.find_element(By.ID, "password").send_keys(PASSWORD)  # type: ignore[attr-defined]
    submit(d, By.ID, "signin")
    rows = d.find_elements(By.CSS_SELECTOR, "table.list tbody tr")  # type: ignore[attr-defined]
    assert len(rows) == 4
    cookie = d.get_cookie("__Host-cgsession")  # type: ignore[attr-defined]
    assert cookie and cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    no_alert(d)
    assert XSS_SUBJECT in d.find_element(By.CSS_SELECTOR, "table.list").text  # type: ignore[attr-defined]
    shot(d, "console-list.png")

    d.find_element(By.NAME, "subject").send_keys("seed phrase")  # type: ignore[attr-defined]
    submit(d, By.ID, "search")
    rows = d.find_elements(By.CSS_SELECTOR, "table.list tbody tr")  # type: ignore[attr-defined]
    assert len(rows) == 1
    submit(d, By.LINK_TEXT, "Your wallet seed phrase update")
    assert d.find_element(By.ID, "subject").text == "Your wallet seed phrase update"  # type: ignore[attr-defined]
    assert "file.script" in d.page_source and "wallet.pdf.js" in d.page_source  # type: ignore[attr-defined]
    shot(d, "console-message.png", height=2600)

    d.get(f"{server}/m/{filled.ids['xss']}")  # type: ignore[attr-defined]
    no_alert(d)
    assert d.find_element(By.ID, "subject").text == XSS_SUBJECT  # type: ignore[attr-defined]
    assert d.find_elements(By.TAG_NAME, "img") == []  # type: ignore[attr-defined]
    assert d.find_elements(By.CSS_SELECTOR, "pre.body a") == []  # type: ignore[attr-defined]
    Select(d.find_element(By.ID, "release-to")).select_by_visible_text("carol@ex.test")  # type: ignore[attr-defined]
    submit(d, By.ID, "release-one")
    assert "A copy was released" in d.find_element(By.CSS_SELECTOR, ".notice").text  # type: ignore[attr-defined]
    wait_for(lambda: sink.got)
    assert [(f, t) for f, t, _ in sink.got] == [("mallory@evil.test", ["carol@ex.test"])]
    assert b"Subject: <script>" in sink.got[0][2]  # the exact original bytes went out
    assert "console.release" in d.find_element(By.CSS_SELECTOR, "table.audit").text  # type: ignore[attr-defined]

    submit(d, By.ID, "delete")  # asked first, on a page of its own
    assert "Delete 1 message(s)?" in d.find_element(By.TAG_NAME, "h1").text  # type: ignore[attr-defined]
    shot(d, "console-confirm.png")
    submit(d, By.ID, "confirm")
    assert "Deleted." in d.find_element(By.CSS_SELECTOR, ".notice").text  # type: ignore[attr-defined]
    assert filled.ids["xss"] not in {e.id for e in filled.store.list()}


def test_recipient_link_shows_only_their_mail_and_expires(
        server: str, browser: object, env: tuple[Settings, Filled], sink: Sink) -> None:
    from selenium.webdriver.common.by import By

    d = browser
    settings, _filled = env
    secret = auth.load_secret(settings.console.secret_file)
    d.get(f"{server}/r/{auth.make_link(secret, 'bob@ex.test', 3600)}")  # type: ignore[attr-defined]
    no_alert(d)
    assert d.find_element(By.ID, "rcpt").text == "bob@ex.test"  # type: ignore[attr-defined]
    table = d.find_element(By.CSS_SELECTOR, "table.list").text  # type: ignore[attr-defined]
    assert "Your wallet seed phrase update" in table and XSS_SUBJECT in table
    assert "Claim your airdrop" not in table and "Invoice" not in table
    buttons = d.find_elements(By.XPATH, "//button[text()='Release to me']")  # type: ignore[attr-defined]
    assert len(buttons) == 1  # the suspicious one; the malicious one says "ask your administrator"
    shot(d, "console-recipient.png")
    submit(d, By.XPATH, "//button[text()='Release to me']")
    assert "Released to you" in d.find_element(By.CSS_SELECTOR, ".notice").text  # type: ignore[attr-defined]
    wait_for(lambda: sink.got)
    assert [t for _, t, _ in sink.got] == [["bob@ex.test"]]
    assert "released to you" in d.page_source  # type: ignore[attr-defined]

    expired = auth.make_link(secret, "bob@ex.test", 60, now=time.time() - 3600)
    d.get(f"{server}/r/{expired}")  # type: ignore[attr-defined]
    assert "This link has expired" in d.find_element(By.CSS_SELECTOR, ".error").text  # type: ignore[attr-defined]
    assert "seed phrase" not in d.page_source  # type: ignore[attr-defined]
