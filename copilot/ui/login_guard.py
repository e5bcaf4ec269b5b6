"""What the login adds in front of Gradio: a lockout after repeated failures from one address,
and a login page that says nothing about the API.

- Throttle: after ``max_failures`` failed logins within ``window_s`` seconds, one client address
  gets 429 with ``Retry-After`` until the oldest of those failures leaves the window. The count is
  kept in memory (a restart clears it); behind a reverse proxy every user shares its address.
- Login page: Gradio embeds the API description (endpoint names, parameter choices such as
  community names) in every page it serves, also the login page. For a page served without a
  session (its config says ``auth_required``) that description is replaced with ``null``; the
  page loads it again after the login. A login page that cannot be cleaned is not served.
"""

from __future__ import annotations

import math
import re
import time
from collections import deque
from collections.abc import Callable, Collection

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from copilot.messages import Lang, msg
from copilot.ui.i18n import page_language

MAX_FAILURES = 5
WINDOW_S = 300.0
LOGIN_PAGE_MARK = b'"auth_required":true'
API_INFO = re.compile(rb"(window\.gradio_api_info = ).*?(;</script>)", re.DOTALL)


class LoginThrottle:
    """Failed logins per client address within a sliding window; clock injectable for tests."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures, self.window_s, self.clock = max_failures, window_s, clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, address: str) -> deque[float]:
        now = self.clock()
        failures = self._failures.get(address, deque())
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        if not failures:
            self._failures.pop(address, None)
        return failures

    def retry_after(self, address: str) -> float:
        """Seconds until ``address`` may try again; 0 when it may try now."""
        failures = self._recent(address)
        if len(failures) < self.max_failures:
            return 0.0
        return failures[-self.max_failures] + self.window_s - self.clock()

    def failed(self, address: str) -> None:
        self._failures.setdefault(address, self._recent(address)).append(self.clock())

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)


def _refusal(seconds: float, lang: Lang) -> JSONResponse:
    wait = max(1, math.ceil(seconds))
    detail = msg(
        f"登录失败次数过多,请 {wait} 秒后再试", f"too many failed logins, try again in {wait} s"
    )
    return JSONResponse(
        {"detail": detail.render(lang)},
        status_code=429,
        headers={"Retry-After": str(wait)},
    )


class LoginGuard:
    """ASGI middleware for a workbench with login: throttles POST …/login, cleans login pages.

    ``pages`` are the paths of the workbench pages (``/``, ``/en/``); only they are cleaned.
    """

    def __init__(self, app: ASGIApp, throttle: LoginThrottle, pages: Collection[str]) -> None:
        self.app = app
        self.throttle = throttle
        self.pages = {p.rstrip("/") or "/" for p in pages}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"].rstrip("/") or "/"
        if scope["method"] == "POST" and path.endswith("/login"):
            await self._login(scope, receive, send)
        elif scope["method"] in ("GET", "HEAD") and path in self.pages:
            await self._page(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        address = scope["client"][0] if scope.get("client") else ""
        wait = self.throttle.retry_after(address)
        if wait > 0:
            await _refusal(wait, page_language(scope["path"]))(scope, receive, send)
            return

        async def observe(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] == 200:
                    self.throttle.succeeded(address)
                elif message["status"] == 400:  # Gradio's "Incorrect credentials"
                    self.throttle.failed(address)
            await send(message)

        await self.app(scope, receive, observe)

    async def _page(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the page uncompressed, and without the API description if it is a login page."""
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
        scope = {**scope, "headers": headers}
        start: Message = {}
        body = bytearray()

        async def collect(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body.extend(message.get("body", b""))
            if not message.get("more_body", False):
                await self._send_page(start, bytes(body), scope, receive, send)

        await self.app(scope, receive, collect)

    async def _send_page(
        self, start: Message, body: bytes, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if LOGIN_PAGE_MARK in body:
            cleaned, count = API_INFO.subn(rb"\1null\2", body, count=1)
            encoded = "content-encoding" in Headers(raw=start["headers"])
            if count != 1 or encoded:
                unavailable = msg("登录页无法生成", "login page unavailable")
                failure = PlainTextResponse(unavailable.render(page_language(scope["path"])), 500)
                await failure(scope, receive, send)
                return
            body = cleaned
        headers = MutableHeaders(raw=list(start["headers"]))
        if "content-length" in headers:
            headers["content-length"] = str(len(body))
        await send({**start, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})
