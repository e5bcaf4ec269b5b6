"""``/wecom/sidebar``: the WeCom chat-toolbar (聊天工具栏) page, a static page over the /v1 API.

The page, its script and its style sheet are files of this package, served as they are; the
script fills every text from its own table (Chinese, or English with ``?lang=en``) and puts
server text into the page only as text. The Content-Security-Policy allows nothing but this
origin's script, style and API (no inline script, no other host) — and, when the sidebar's WeCom
app is configured, the origins of WeCom's JS-SDK scripts, which the page loads inside WeCom only.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from urllib.parse import urlsplit

from fastapi import APIRouter
from fastapi.responses import Response

from copilot.config import WecomSettings

PAGE_PATH = "/wecom/sidebar"
CSP = (
    "default-src 'none'; script-src {scripts}; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'"
)
ASSETS = {
    "": ("sidebar.html", "text/html; charset=utf-8"),
    "/sidebar.js": ("sidebar.js", "text/javascript; charset=utf-8"),
    "/sidebar.css": ("sidebar.css", "text/css; charset=utf-8"),
}


def sidebar_router(wecom: WecomSettings) -> APIRouter:
    """GET routes for the page and its two files, read once from the package."""
    router = APIRouter()
    static = files("copilot.ui") / "static"
    headers = security_headers(wecom)
    for suffix, (name, media_type) in ASSETS.items():
        body = (static / name).read_bytes()
        router.add_api_route(
            PAGE_PATH + suffix, _responder(body, media_type, headers), include_in_schema=False
        )
    return router


def security_headers(wecom: WecomSettings) -> dict[str, str]:
    """This origin only, plus the JS-SDK's origins when the page can configure it."""
    sdk = wecom.jssdk if wecom.agent_configured else []
    origins = dict.fromkeys(f"{p.scheme}://{p.netloc}" for p in map(urlsplit, sdk))
    return {
        "Content-Security-Policy": CSP.format(scripts=" ".join(["'self'", *origins])),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


def _responder(body: bytes, media_type: str, headers: dict[str, str]) -> Callable[[], Response]:
    def serve() -> Response:
        return Response(body, media_type=media_type, headers=headers)

    return serve
