"""DNS-rebinding guard: without a login the workbench answers only to names of this machine.

A page on an attacker's site can point its own host name at 127.0.0.1 and then read the open
workbench as a "same-origin" page. The browser still sends the attacker's name in ``Host``, so
every request (pages, ``/config``, ``/gradio_api/*``, ``/healthz``) whose Host is not a loopback
name or a configured name (SIYU_UI_ALLOWED_HOSTS) gets 400.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from copilot.messages import msg
from copilot.ui.auth import is_loopback
from copilot.ui.i18n import page_language

REFUSAL = msg(
    "Host 不被允许:{host}\n"
    "未登录的工作台只接受本机地址(127.0.0.1、localhost、[::1])或 SIYU_UI_ALLOWED_HOSTS 中的名字。\n",
    "host not allowed: {host}\n"
    "The workbench without login answers only to 127.0.0.1, localhost, [::1] or a name listed "
    "in SIYU_UI_ALLOWED_HOSTS.\n",
)


def host_name(header: str) -> str:
    """The name part of a Host header, lower case, without port or brackets or a final dot."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    if value.count(":") == 1:
        value = value.partition(":")[0]
    return value.removesuffix(".")


def parse_hosts(text: str) -> frozenset[str]:
    """Host names from a comma-separated setting (ports and brackets are ignored)."""
    return frozenset(host_name(part) for part in text.split(",") if part.strip())


class HostGuard:
    """ASGI middleware: 400 for any Host that is neither loopback nor in ``allowed``."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = frozenset(host_name(name) for name in allowed)

    def permits(self, header: str) -> bool:
        name = host_name(header)
        return bool(name) and (is_loopback(name) or name in self.allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = Headers(scope=scope).get("host", "")
        if self.permits(header):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            text = REFUSAL.render(page_language(scope["path"])).format(host=header[:100])
            refusal = PlainTextResponse(text, status_code=400)
            await refusal(scope, receive, send)
