"""The chat-toolbar page's files: served from the package with a strict policy, no inline script."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from copilot.ui.sidebar import sidebar_router


def client() -> TestClient:
    app = FastAPI()
    app.include_router(sidebar_router())
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


def test_the_page_has_no_inline_script_or_handler_and_the_script_no_markup_sink() -> None:
    web = client()
    page = web.get("/wecom/sidebar").text
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/wecom/sidebar/sidebar.js" defer>']
    assert not re.search(r"\son[a-z]+=", page)
    script = web.get("/wecom/sidebar/sidebar.js").text
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", script)
