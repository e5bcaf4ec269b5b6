"""What an endpoint failure means for the user: one BackendError per kind, naming the
endpoint and the setting to check. A timeout is an `OutputParseError` (reason "timeout"): the
endpoint is there but gave no usable answer, so drafting falls back instead of stopping."""

from __future__ import annotations

import openai

from copilot.errors import BackendError
from copilot.llm.parsing import OutputParseError


def explain(exc: Exception, where: str, timeout_s: float, retries: int) -> BackendError:
    """A BackendError for an openai client exception; `where` names endpoint and model."""
    if isinstance(exc, openai.APITimeoutError):
        return OutputParseError(
            f"模型接口 {timeout_s:g} 秒内没有响应 / no answer within {timeout_s:g}s",
            raw="",
            reason="timeout",
            where=where,
            hint="检查服务负载,或调大 SIYU_LLM_TIMEOUT_S / check the server "
            "load or raise SIYU_LLM_TIMEOUT_S",
        )
    if isinstance(exc, openai.APIConnectionError):
        return BackendError(
            "无法连接模型接口 / cannot connect to the model endpoint",
            where=where,
            hint="确认服务已启动且 SIYU_LLM_BASE_URL 正确(通常以 /v1 结尾);不设置则使用模板模式 "
            "/ check the server is running and SIYU_LLM_BASE_URL (usually ends in /v1); "
            "unset it for 模板模式",
        )
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return BackendError(
            "接口拒绝了密钥 / the endpoint rejected the API key",
            where=where,
            hint="检查 SIYU_LLM_API_KEY / check SIYU_LLM_API_KEY",
        )
    if isinstance(exc, openai.NotFoundError):
        return BackendError(
            "接口或模型不存在 (404) / endpoint or model not found (404)",
            where=where,
            hint="检查 SIYU_LLM_MODEL 与 SIYU_LLM_BASE_URL 路径 / check SIYU_LLM_MODEL and the "
            "SIYU_LLM_BASE_URL path",
        )
    if isinstance(exc, openai.APIStatusError):
        return BackendError(
            f"模型接口返回 HTTP {exc.status_code}(已重试 {retries} 次)/ endpoint "
            f"answered HTTP {exc.status_code} after {retries} retries: "
            f"{str(exc.message)[:200]}",
            where=where,
            hint="稍后再试或降低并发;429 表示限流 / retry later or lower concurrency; "
            "429 means rate-limited",
        )
    return BackendError(
        f"模型接口出错 / endpoint error: {exc}",
        where=where,
        hint="检查服务日志 / check the server log",
    )
