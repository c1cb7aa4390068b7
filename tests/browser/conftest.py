"""Browser tests: Debian's headless Chromium driven by Selenium against a real server on loopback.

Selenium rather than Playwright: Debian ships ``chromium`` and a ``chromium-driver`` of exactly
the same build, so Selenium talks WebDriver to a matching pair and needs nothing else (given the
driver's path, it skips Selenium Manager: no download). Playwright speaks CDP to the Chromium of
its own release and only tolerates other builds; its wheel also carries a Node runtime (~40 MB).

Use them in a test module under ``tests/browser/``::

    def test_landing(page):
        page.open("/?lang=en")                      # path on the live server; waits for load
        assert page.find("h1").text == "…"          # page.driver is the Selenium WebDriver
        page.screenshot("landing-en")               # test-artifacts/screenshots/<test>-landing-en.png
        page.check_accessibility()                  # axe-core: no serious or critical violation
        assert page.offsite_requests() == []        # nothing fetched beyond the server

Chromium resolves no name but 127.0.0.1 and localhost (``--host-resolver-rules``), so a page that
would fetch from the internet fails here as it would offline. Without Chromium, its driver or a
Japanese font the tests are skipped with what to install; under ``CI=true`` that fails the run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

HERE = Path(__file__).resolve().parent
PROJECT_DIR = HERE.parent.parent
AXE_JS = HERE / "vendor" / "axe.min.js"
#: Where screenshots go (git-ignored); SMARTCITY_KG_ARTIFACTS overrides the folder.
ARTIFACTS = Path(os.environ.get("SMARTCITY_KG_ARTIFACTS", PROJECT_DIR / "test-artifacts"))
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = os.environ.get("SMARTCITY_KG_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SMARTCITY_KG_CHROMEDRIVER", "/usr/bin/chromedriver")
INSTALL = "sudo apt-get install chromium chromium-driver fonts-noto-cjk"
#: Desktop window; ``page.resize(PHONE)`` for a phone's.
DESKTOP = (1280, 900)
PHONE = (390, 844)
WAIT = 15.0
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--disable-extensions", "--hide-scrollbars", "--lang=ja",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost")


def pytest_collection_modifyitems(items):
    """Mark every test of this folder ``browser`` (``pytest -m "not browser"`` leaves them out)."""
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def _missing() -> list[str]:
    """What the browser tests need and this machine lacks."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if shutil.which("fc-list"):
        fonts = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True).stdout
        if "Noto Sans CJK" not in fonts:
            missing.append("the Japanese fonts of fonts-noto-cjk")
    else:
        missing.append("fontconfig (fc-list)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the Python package selenium (pip install -e '.[test]')")
    return missing


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"CI=true and the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (install: {INSTALL})")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (a Selenium WebDriver), with a fresh profile."""
    if missing := _missing():
        _unavailable("missing " + ", ".join(missing))
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="smartcity-kg-chromium-")
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    log = Path(profile + ".chromedriver.log")
    try:
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER, log_output=str(log)))
    except WebDriverException as exc:
        shutil.rmtree(profile, ignore_errors=True)
        _unavailable(f"Chromium did not start ({exc.msg}; driver log: {log})")
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        log.unlink(missing_ok=True)


class Page:
    """The session's browser on one test: open paths of the live server, wait, look, screenshot, axe."""

    def __init__(self, driver, base: str, name: str):
        self.driver = driver
        self.base = base
        self.name = name

    def url(self, path: str) -> str:
        """Absolute URL of a server path (``/sparql?…``)."""
        return path if "://" in path else self.base + path

    def open(self, path: str) -> Page:
        """Load a page of the live server and wait until the document is complete."""
        self.driver.get(self.url(path))
        self.wait_for(lambda d: d.execute_script("return document.readyState") == "complete")
        return self

    def wait_for(self, condition, timeout: float = WAIT, message: str = ""):
        """Wait until ``condition(driver)`` is truthy (returned); TimeoutException after ``timeout`` s."""
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout).until(condition, message)

    def find(self, css: str, timeout: float = WAIT):
        """The first element matching ``css`` once it is present."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec

        return self.wait_for(ec.presence_of_element_located((By.CSS_SELECTOR, css)), timeout,
                             f"no element {css!r} on {self.driver.current_url}")

    def find_all(self, css: str) -> list:
        """Every element matching ``css`` now (no waiting)."""
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def js(self, script: str, *args):
        """Run JavaScript in the page and return its value."""
        return self.driver.execute_script(script, *args)

    def resize(self, size: tuple[int, int]) -> None:
        """Set the window's size (``DESKTOP``, ``PHONE``)."""
        self.driver.set_window_size(*size)

    def screenshot(self, label: str, full_page: bool = True) -> Path:
        """Save a PNG of the page (by default the whole page, not only the window) as a test artifact."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', label)}.png"
        size = self.driver.get_window_size()
        try:
            if full_page:
                height = self.js("return Math.max(document.documentElement.scrollHeight,"
                                 " document.body ? document.body.scrollHeight : 0)")
                self.driver.set_window_size(size["width"], min(max(int(height) + 150, size["height"]), 8000))
            self.driver.save_screenshot(str(path))
        finally:
            self.driver.set_window_size(size["width"], size["height"])
        return path

    def axe(self, context: str | None = None) -> list[dict]:
        """axe-core's violations for the page (or the part matching CSS ``context``), WCAG 2.1 A/AA
        and best practices."""
        if not self.js("return !!window.axe"):
            self.js(AXE_JS.read_text(encoding="utf-8"))
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(arguments[0] || document, {resultTypes: ['violations'], runOnly: {type: 'tag',"
            " values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
            ".then(r => done(JSON.stringify(r.violations)), e => done(JSON.stringify({error: String(e)})));",
            context)
        violations = json.loads(result)
        if isinstance(violations, dict):
            raise AssertionError(f"axe-core failed: {violations['error']}")
        return violations

    def check_accessibility(self, context: str | None = None, impacts=("serious", "critical")) -> list[dict]:
        """Assert axe-core finds no violation of these impacts; return the lesser ones (to print)."""
        violations = self.axe(context)
        bad = [v for v in violations if v.get("impact") in impacts]
        assert not bad, "axe-core on " + self.driver.current_url + ":\n" + "\n".join(
            f"- {v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}×: "
            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                        for n in v["nodes"][:5]) + ")" for v in bad)
        return [v for v in violations if v not in bad]

    def console_errors(self) -> list[str]:
        """Messages of level SEVERE the page logged to the console since the last call."""
        return [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]

    def requests(self) -> list[str]:
        """URLs the browser requested since the last call (from the DevTools performance log)."""
        urls = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                urls.append(message["params"]["request"]["url"])
        return urls

    def offsite_requests(self) -> list[str]:
        """Requests since the last call to anything but the server (``data:``/``blob:`` URLs aside)."""
        origin = urlsplit(self.base)[:2]
        return [u for u in self.requests() if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                and urlsplit(u)[:2] != origin]


@pytest.fixture()
def page(browser, live_server, request) -> Page:
    """The browser on a blank slate (no cookies, no storage, desktop size) for this test."""
    browser.get(live_server + "/healthz")
    browser.delete_all_cookies()
    browser.execute_script("localStorage.clear(); sessionStorage.clear();")
    browser.set_window_size(*DESKTOP)
    browser.get_log("browser")
    browser.get_log("performance")
    return Page(browser, live_server, re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name))
