"""``GET/POST /wecom/kf/callback``: the HTTP face of the connector, mounted by the server.

GET answers WeCom's URL check with the decrypted echostr; POST hands the callback to the
connector off the event loop and answers 200 with an empty body once the new messages are
stored (drafting continues in the background). A bad signature or a replayed callback is 403,
an undecryptable or oversized body 400/413, a WeCom API failure while pulling messages 503 (the
messages stay at WeCom behind the saved cursor; the next callback pulls them).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from copilot.errors import BackendError, CopilotError, InputError
from copilot.wecom.connector import WecomConnector
from copilot.wecom.crypto import CallbackRefused

log = logging.getLogger(__name__)

CALLBACK_PATH = "/wecom/kf/callback"
MAX_BODY = 1_000_000  # bytes; WeCom's callbacks are a few hundred


def callback_router(connector: WecomConnector, max_body: int = MAX_BODY) -> APIRouter:
    """The callback routes over `connector`."""
    router = APIRouter()

    @router.get(CALLBACK_PATH, include_in_schema=False)
    def verify(
        msg_signature: str = "", timestamp: str = "", nonce: str = "", echostr: str = ""
    ) -> Response:
        try:
            plain = connector.verify_url(msg_signature, timestamp, nonce, echostr)
        except CopilotError as exc:
            return _refusal(exc)
        return PlainTextResponse(plain)

    @router.post(CALLBACK_PATH, include_in_schema=False)
    async def callback(
        request: Request, msg_signature: str = "", timestamp: str = "", nonce: str = ""
    ) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_body:
            return PlainTextResponse("body too large", status_code=413)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_body:
                return PlainTextResponse("body too large", status_code=413)
        try:
            await run_in_threadpool(
                connector.handle_callback, bytes(body), msg_signature, timestamp, nonce
            )
        except CopilotError as exc:
            return _refusal(exc)
        return Response(status_code=200)

    return router


def _refusal(exc: CopilotError) -> Response:
    """A plain-text answer in English (WeCom reads no body), the reason logged without secrets."""
    if isinstance(exc, CallbackRefused):
        status = exc.status
    elif isinstance(exc, BackendError):
        status = 503
    else:
        status = 400 if isinstance(exc, InputError) else 500
    log.warning("WeCom callback refused (%s): %s", status, exc.render("en"))
    return PlainTextResponse(exc.code, status_code=status)
