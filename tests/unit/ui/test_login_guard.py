"""With login: failed logins are throttled per address; login pages carry no API description."""

from __future__ import annotations

import re
from collections.abc import Iterator

import gradio as gr
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from copilot.ui.login_guard import LoginThrottle
from copilot.ui.server import protect

COMMUNITY = "小禾家妈妈交流1群"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_locks_out_after_five_failures_in_five_minutes() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=5, window_s=300, clock=clock)
    for _ in range(4):
        throttle.failed("10.0.0.1")
        clock.now += 10
    assert throttle.retry_after("10.0.0.1") == 0
    throttle.failed("10.0.0.1")
    assert throttle.retry_after("10.0.0.1") == pytest.approx(300 - 40)
    assert throttle.retry_after("10.0.0.2") == 0  # another address is not affected
    clock.now += 300 - 40  # the first failure leaves the window
    assert throttle.retry_after("10.0.0.1") == 0


def test_old_failures_do_not_count_and_success_clears() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=2, window_s=60, clock=clock)
    throttle.failed("a")
    clock.now += 61
    throttle.failed("a")
    assert throttle.retry_after("a") == 0
    throttle.failed("a")
    assert throttle.retry_after("a") > 0
    throttle.succeeded("a")
    assert throttle.retry_after("a") == 0


def search(community: str, query: str) -> str:
    return f"{community}:{query}"


@pytest.fixture(scope="module")
def app_with_login() -> Iterator[tuple[FastAPI, Clock]]:
    """A small Gradio app mounted like the workbench (/ and /en) with login and the guard."""
    clock = Clock()
    app = FastAPI()
    for path in ("/en", ""):
        with gr.Blocks(analytics_enabled=False) as blocks:
            community = gr.Dropdown([COMMUNITY], value=COMMUNITY, label="社群")
            query = gr.Textbox(label="问题")
            answer = gr.Textbox()
            gr.Button("搜索").click(search, [community, query], answer)
        app = gr.mount_gradio_app(
            app,
            blocks,
            path=path,
            auth=lambda name, password: (name, password) == ("alice", "pw"),
            ssr_mode=False,
        )
    protect(app, True, "", LoginThrottle(clock=clock))
    yield app, clock


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/en/",
        "/config",
        "/en/config",
        "/gradio_api/info",
        "/en/gradio_api/info",
        "/gradio_api/openapi.json",
    ],
)
def test_nothing_about_the_api_before_login(
    app_with_login: tuple[FastAPI, Clock], path: str
) -> None:
    response = TestClient(app_with_login[0], client=("10.1.0.1", 1)).get(path)
    assert "search" not in response.text
    assert COMMUNITY not in response.text
    if not path.endswith("/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 200
        assert "window.gradio_api_info = null;" in response.text


def test_after_login_the_page_has_its_api(app_with_login: tuple[FastAPI, Clock]) -> None:
    client = TestClient(app_with_login[0], client=("10.1.0.2", 1))
    assert client.post("/login", data={"username": "alice", "password": "pw"}).status_code == 200
    page = client.get("/")
    info = re.search(r"window\.gradio_api_info = (.*?);</script>", page.text)
    assert info is not None and "search" in info.group(1)
    assert client.get("/config").status_code == 200


def test_repeated_failures_from_one_address_get_429(
    app_with_login: tuple[FastAPI, Clock],
) -> None:
    app, clock = app_with_login
    attacker = TestClient(app, client=("10.1.0.3", 1))
    other = TestClient(app, client=("10.1.0.4", 1))
    for _ in range(5):
        wrong = attacker.post("/login", data={"username": "alice", "password": "guess"})
        assert wrong.status_code == 400
    refused = attacker.post("/en/login", data={"username": "alice", "password": "pw"})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) == 300
    assert refused.json()["detail"] == "too many failed logins, try again in 300 s"
    chinese = attacker.post("/login", data={"username": "alice", "password": "pw"})
    assert chinese.json()["detail"] == "登录失败次数过多,请 300 秒后再试"
    assert other.post("/login", data={"username": "alice", "password": "pw"}).status_code == 200
    clock.now += 301
    assert attacker.post("/login", data={"username": "alice", "password": "pw"}).status_code == 200
