"""What an endpoint failure means for the user: one BackendError per kind, naming the
endpoint, the HTTP status, how many requests were made and the setting to check. A timeout is
an `OutputParseError` (reason "timeout"): the endpoint is there but gave no usable answer, so
drafting falls back instead of stopping."""

from __future__ import annotations

import openai

from copilot.errors import BackendError
from copilot.llm.parsing import OutputParseError
from copilot.messages import msg


def explain(exc: Exception, where: str, timeout_s: float, attempts: int) -> BackendError:
    """A BackendError for an openai client exception; `where` names endpoint and model,
    `attempts` is how many requests were made before giving up."""
    if isinstance(exc, openai.APITimeoutError):
        return OutputParseError(
            msg(f"模型接口 {timeout_s:g} 秒内没有响应", f"no answer within {timeout_s:g}s"),
            raw="",
            reason="timeout",
            where=where,
            attempts=attempts,
            hint=msg(
                "检查服务负载,或调大 SIYU_LLM_TIMEOUT_S",
                "check the server load or raise SIYU_LLM_TIMEOUT_S",
            ),
        )
    status = exc.status_code if isinstance(exc, openai.APIStatusError) else None
    if isinstance(exc, openai.APIConnectionError):
        message = msg("无法连接模型接口", "cannot connect to the model endpoint")
        hint = msg(
            "确认服务已启动且 SIYU_LLM_BASE_URL 正确(通常以 /v1 结尾);不设置则使用模板模式",
            "check the server is running and SIYU_LLM_BASE_URL (usually ends in /v1); "
            "unset it for the template drafter",
        )
    elif isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        message = msg("接口拒绝了密钥", "the endpoint rejected the API key")
        hint = msg("检查 SIYU_LLM_API_KEY", "check SIYU_LLM_API_KEY")
    elif isinstance(exc, openai.NotFoundError):
        message = msg("接口或模型不存在 (404)", "endpoint or model not found (404)")
        hint = msg(
            "检查 SIYU_LLM_MODEL 与 SIYU_LLM_BASE_URL 路径",
            "check SIYU_LLM_MODEL and the SIYU_LLM_BASE_URL path",
        )
    elif isinstance(exc, openai.APIStatusError):
        body = str(exc.message)[:200]
        message = msg(
            f"模型接口返回 HTTP {exc.status_code}(共请求 {attempts} 次): {body}",
            f"endpoint answered HTTP {exc.status_code} after {attempts} attempts: {body}",
        )
        hint = msg(
            "稍后再试或降低并发;429 表示限流",
            "retry later or lower concurrency; 429 means rate-limited",
        )
    else:
        message = msg(f"模型接口出错: {exc}", f"endpoint error: {exc}")
        hint = msg("检查服务日志", "check the server log")
    return BackendError(message, hint=hint, endpoint=where, status=status, attempts=attempts)
