"""Who is calling: the request id, the API key (``Authorization: Bearer``) with its scopes, and
the per-key rate limit. Keys are required whenever the server binds beyond loopback (the same
rule as the workbench login); on loopback a request without a key acts as ``local``."""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Send
from starlette.types import Scope as AsgiScope

from copilot.access.keys import ApiKey, KeyRing, Scope
from copilot.access.ratelimit import RateLimiter
from copilot.api.problems import ApiError, request_language
from copilot.messages import language, msg

REQUEST_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass(frozen=True)
class Caller:
    """The caller of one request, as the audit log names it."""

    actor: str
    request_id: str
    key: ApiKey | None


class Gate:
    """Authenticates, authorises and rate-limits API requests."""

    def __init__(
        self, keys: Callable[[], KeyRing], limiter: RateLimiter, *, required: bool
    ) -> None:
        self.keys = keys
        self.limiter = limiter
        self.required = required

    def caller(self, request: Request, scope: Scope) -> Caller:
        header = request.headers.get("authorization", "")
        key: ApiKey | None = None
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise ApiError(
                    401,
                    "bad_authorization",
                    msg("Authorization 头应为 Bearer <密钥>", "use Authorization: Bearer <key>"),
                    headers={"WWW-Authenticate": "Bearer"},
                )
            key = self.keys().authenticate(token)
            if key is None:
                raise ApiError(
                    401,
                    "invalid_key",
                    msg("密钥无效或已吊销", "the key is invalid or revoked"),
                    headers={"WWW-Authenticate": "Bearer"},
                )
        elif self.required:
            raise ApiError(
                401,
                "key_required",
                msg(
                    "服务绑定在非本机地址,需要 API 密钥(siyu keys create)",
                    "the server binds beyond loopback: an API key is required (siyu keys create)",
                ),
                headers={"WWW-Authenticate": "Bearer"},
            )
        if key is not None and not key.allows(scope):
            raise ApiError(
                403,
                "scope_missing",
                msg(
                    f"密钥 {key.name} 没有 {scope} 权限", f"key {key.name} lacks the {scope} scope"
                ),
            )
        who = f"key:{key.id}" if key else f"local:{request.client.host if request.client else ''}"
        wait = self.limiter.take(who)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(
                429,
                "rate_limited",
                msg(
                    f"请求过于频繁,请 {seconds} 秒后再试",
                    f"too many requests, retry in {seconds} s",
                ),
                headers={"Retry-After": str(seconds)},
            )
        actor = f"api:{key.name}" if key else "api:local"
        return Caller(actor=actor, request_id=request.state.request_id, key=key)


class RequestContext:
    """ASGI middleware: take a sane ``X-Request-ID`` or make one and echo it on the response;
    messages in the response (notes, findings, problems) render in the caller's language.

    Plain ASGI rather than ``BaseHTTPMiddleware``: no extra task and response wrapper per
    request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        given = request.headers.get("x-request-id", "")
        request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        request.state.request_id = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        with language(request_language(request)):
            await self.app(scope, receive, send_with_id)


def needs(scope: Scope) -> Any:
    """A route dependency: the caller, authorised for `scope` by the app's ``Gate``."""

    async def caller(request: Request) -> Caller:
        gate: Gate = request.app.state.gate
        if "authorization" in request.headers:  # the key is looked up in the database
            return await anyio.to_thread.run_sync(gate.caller, request, scope)
        return gate.caller(request, scope)  # in memory: no thread to hand it to

    return Depends(caller)


Drafting = Annotated[Caller, needs("draft")]
Checking = Annotated[Caller, needs("check")]
Feedback = Annotated[Caller, needs("feedback")]
