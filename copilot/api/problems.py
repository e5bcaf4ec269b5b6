"""Errors as ``application/problem+json`` (RFC 9457): a stable ``code`` for machines, the title
and detail in the caller's language, and the invalid fields when the request was malformed."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from copilot.errors import (
    BackendError,
    ConfigError,
    CopilotError,
    GuardrailError,
    InputError,
    StoreError,
)
from copilot.messages import Lang, Msg, Text, msg, render

MEDIA_TYPE = "application/problem+json"
NOT_FOUND_CODES = {"draft_not_found", "customer_not_found", "playbook_not_found"}
STATUS: list[tuple[type[CopilotError], int]] = [
    (InputError, 422),
    (ConfigError, 500),
    (StoreError, 503),
    (BackendError, 502),
    (GuardrailError, 503),
]
TITLES: dict[int, Msg] = {
    400: msg("请求无效", "bad request"),
    401: msg("需要 API 密钥", "an API key is required"),
    403: msg("密钥无此权限", "the key lacks this scope"),
    404: msg("找不到", "not found"),
    405: msg("不支持该方法", "method not allowed"),
    409: msg("当前不能执行", "conflicts with the current state"),
    413: msg("请求体过大", "request body too large"),
    422: msg("请求内容无效", "invalid request"),
    429: msg("请求过于频繁", "too many requests"),
    500: msg("服务内部错误", "internal error"),
    502: msg("模型接口出错", "the model endpoint failed"),
    503: msg("暂时无法处理", "temporarily unavailable"),
}


class FieldProblem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str
    message: str


class Problem(BaseModel):
    """One error response."""

    model_config = ConfigDict(extra="forbid")

    type: str = "about:blank"
    title: str
    status: int
    code: str = Field(description="stable machine-readable error code")
    detail: str = ""
    hint: str = ""
    where: str = ""
    request_id: str = ""
    errors: list[FieldProblem] = Field(default_factory=list)


class ApiError(Exception):
    """An error a route raises on purpose: status, code and the text in both languages."""

    def __init__(
        self, status: int, code: str, detail: Text = "", *, headers: dict[str, str] | None = None
    ) -> None:
        self.status, self.code, self.detail, self.headers = status, code, detail, headers or {}
        super().__init__(code)


def request_language(request: Request) -> Lang:
    """The caller's language: ``?lang=``, else ``Accept-Language``, else Chinese."""
    asked = request.query_params.get("lang") or request.headers.get("accept-language", "")
    return "en" if asked.strip().lower().startswith("en") else "zh"


def problem(
    request: Request,
    status: int,
    code: str,
    detail: Text = "",
    *,
    hint: Text = "",
    where: str = "",
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    lang = request_language(request)
    body = Problem(
        title=render(TITLES.get(status, TITLES[500]), lang),
        status=status,
        code=code,
        detail=render(detail, lang),
        hint=render(hint, lang),
        where=where,
        request_id=getattr(request.state, "request_id", ""),
        errors=errors or [],
    )
    return JSONResponse(
        body.model_dump(mode="json"), status_code=status, media_type=MEDIA_TYPE, headers=headers
    )


def status_of(exc: CopilotError) -> int:
    if exc.code in NOT_FOUND_CODES:
        return 404
    return next((status for kind, status in STATUS if isinstance(exc, kind)), 500)


def install(app: FastAPI) -> None:
    """Every error of `app` becomes a problem response; nothing leaks a traceback."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return problem(request, exc.status, exc.code, exc.detail, headers=exc.headers)

    @app.exception_handler(CopilotError)
    async def copilot_error(request: Request, exc: CopilotError) -> JSONResponse:
        return problem(
            request, status_of(exc), exc.code, exc.message, hint=exc.hint, where=exc.where
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            FieldProblem(
                field=".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body",
                message=str(err.get("msg", "")),
            )
            for err in exc.errors()
        ]
        detail = msg("请求字段无效,见 errors", "invalid fields, see errors")
        return problem(request, 422, "invalid_request", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}
        code = codes.get(exc.status_code, "http_error")
        return problem(request, exc.status_code, code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        detail = msg("请求未能完成,已记录请求 id", "the request failed; quote the request id")
        return problem(request, 500, "internal", detail)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries: these statuses answer with a Problem."""
    return {
        status: {"model": Problem, "content": {MEDIA_TYPE: {}}, "description": TITLES[status].en}
        for status in statuses
    }
