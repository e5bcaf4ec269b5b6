"""Request bodies over the limit are refused with 413 before they are read into memory."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from copilot.api.problems import MEDIA_TYPE, TITLES, Problem
from copilot.messages import Lang, msg, render


class BodyLimit:
    """ASGI middleware: 413 when Content-Length, or the bytes actually sent, exceed `limit`."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            await self._refuse(scope, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started:
                await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        kb = self.limit // 1024
        asked = dict(scope["headers"]).get(b"accept-language", b"")
        lang: Lang = "en" if asked.lower().startswith(b"en") else "zh"
        body = (
            Problem(
                title=render(TITLES[413], lang),
                status=413,
                code="body_too_large",
                detail=render(msg(f"请求体超过 {kb} KB", f"the body exceeds {kb} KB"), lang),
            )
            .model_dump_json()
            .encode("utf-8")
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
