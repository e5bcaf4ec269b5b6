"""Browser-test fixtures: the workbench as a real process, driven by Debian's headless Chromium.

One app process serves every browser test (first start ingests the demo knowledge base, which
is the slow part); each test works on its own data (its own message, file or customer) so tests
do not depend on each other's order.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from tests.conftest import REPO
from tests.integration.servers import free_port, start, stop
from tests.integration.wecom_fake import AGENT_ID, CORP_ID, SECRET, WecomState, fake_wecom

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = REPO / "test-output" / "screenshots"


@pytest.fixture(scope="session")
def app_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app's SIYU_HOME: tests read its database to check what the UI claims."""
    return tmp_path_factory.mktemp("ui-home")


@pytest.fixture(scope="session")
def wecom_api() -> Iterator[tuple[str, WecomState]]:
    """A loopback WeCom API and JS-SDK for the sidebar app the workbench is configured with."""
    with fake_wecom() as api:
        yield api


@pytest.fixture(scope="session")
def app_url(app_home: Path, wecom_api: tuple[str, WecomState]) -> Iterator[str]:
    """The workbench on a free loopback port with a fresh SIYU_HOME, its sidebar app on the
    loopback WeCom API (not the 微信客服 connector: no callback token); stopped by PID."""
    home = app_home
    wecom = {
        "SIYU_WECOM_CORP_ID": CORP_ID,
        "SIYU_WECOM_SECRET": SECRET,
        "SIYU_WECOM_AGENT_ID": str(AGENT_ID),
        "SIYU_WECOM_API_BASE": wecom_api[0],
        "SIYU_WECOM_JSSDK": json.dumps([wecom_api[0] + "/jssdk.js"]),
    }
    port = free_port()
    with pytest.MonkeyPatch.context() as patch:
        for name in ("SIYU_LLM_BASE_URL", "SIYU_CHROMA_URL", "SIYU_DATABASE_URL"):
            patch.delenv(name, raising=False)  # template mode, embedded stores
        process = start(
            [sys.executable, str(REPO / "app.py"), "--port", str(port)],
            f"http://127.0.0.1:{port}/healthz",
            home / "app.log",
            timeout_s=180,
            # Enough customers that a campaign runs for seconds: long enough to close the browser
            # or click twice while it runs.
            env={"SIYU_HOME": str(home), "SIYU_UI_DEMO_CUSTOMERS": "1500", **wecom},
        )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-wqy-microhei")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def open_workbench(browser: Browser, url: str) -> Page:
    """A fresh browser context (its own session) on the workbench page at `url`, loaded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    tab.goto(url)
    tab.wait_for_selector("#siyu-suggest")
    return tab


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    tab = open_workbench(browser, app_url + "/")
    yield tab
    tab.context.close()


def open_tab(page: Page, label: str) -> None:
    page.get_by_role("tab", name=label).click()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def field(page: Page, elem_id: str) -> Locator:
    """The text entry of a Gradio textbox or dropdown (textarea or input, by version)."""
    return page.locator(f"#{elem_id} textarea, #{elem_id} input").first
