"""The chat-toolbar page's files: served from the package with a strict policy, no inline script."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from copilot.config import WecomSettings
from copilot.ui.sidebar import sidebar_router

AGENT = WecomSettings(corp_id="ww1", secret=SecretStr("s"), agent_id=1000002)


def client(wecom: WecomSettings | None = None) -> TestClient:
    app = FastAPI()
    app.include_router(sidebar_router(wecom or WecomSettings()))
    return TestClient(app)


def test_the_page_and_its_files_carry_the_security_headers() -> None:
    web = client()
    for path, media_type in (
        ("/wecom/sidebar", "text/html"),
        ("/wecom/sidebar/sidebar.js", "text/javascript"),
        ("/wecom/sidebar/sidebar.css", "text/css"),
    ):
        response = web.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith(media_type)
        assert response.headers["x-content-type-options"] == "nosniff"
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self';" in policy
        assert "unsafe" not in policy


def test_with_the_sidebar_app_configured_only_the_js_sdk_origins_are_added() -> None:
    policy = client(AGENT).get("/wecom/sidebar").headers["content-security-policy"]
    scripts = re.search(r"script-src ([^;]+);", policy)
    assert scripts is not None
    assert scripts.group(1).split() == [
        "'self'",
        "https://res.wx.qq.com",
        "https://open.work.weixin.qq.com",
    ]
    assert "connect-src 'self';" in policy  # the page still talks to this origin only
    unsigned = AGENT.model_copy(update={"agent_id": None})
    policy = client(unsigned).get("/wecom/sidebar").headers["content-security-policy"]
    assert "script-src 'self';" in policy


def test_the_page_has_no_inline_script_or_handler_and_the_script_no_markup_sink() -> None:
    web = client()
    page = web.get("/wecom/sidebar").text
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/wecom/sidebar/sidebar.js" defer>']
    assert not re.search(r"\son[a-z]+=", page)
    script = web.get("/wecom/sidebar/sidebar.js").text
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", script)
