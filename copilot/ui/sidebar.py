"""``/wecom/sidebar``: the WeCom chat-toolbar (聊天工具栏) page, a static page over the /v1 API.

The page, its script and its style sheet are files of this package, served as they are; the
script fills every text from its own table (Chinese, or English with ``?lang=en``) and puts
server text into the page only as text. The Content-Security-Policy allows nothing but this
origin's script, style and API (no inline script, no other host).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import Response

PAGE_PATH = "/wecom/sidebar"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
ASSETS = {
    "": ("sidebar.html", "text/html; charset=utf-8"),
    "/sidebar.js": ("sidebar.js", "text/javascript; charset=utf-8"),
    "/sidebar.css": ("sidebar.css", "text/css; charset=utf-8"),
}


def sidebar_router() -> APIRouter:
    """GET routes for the page and its two files, read once from the package."""
    router = APIRouter()
    static = files("copilot.ui") / "static"
    for suffix, (name, media_type) in ASSETS.items():
        body = (static / name).read_bytes()
        router.add_api_route(
            PAGE_PATH + suffix, _responder(body, media_type), include_in_schema=False
        )
    return router


def _responder(body: bytes, media_type: str) -> Callable[[], Response]:
    def serve() -> Response:
        return Response(body, media_type=media_type, headers=HEADERS)

    return serve
