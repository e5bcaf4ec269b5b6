"""Choose the backend from settings: an endpoint when configured, else the template drafter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from copilot.config import LLMSettings, Settings
from copilot.llm.backend import Backend
from copilot.llm.cache import CachedBackend, ResponseCache
from copilot.llm.template import TemplateBackend

if TYPE_CHECKING:
    from copilot.llm.openai_backend import OpenAIBackend


def backend_from_settings(settings: Settings) -> Backend:
    """OpenAI-compatible (cached) when SIYU_LLM_BASE_URL is set, else 模板模式."""
    llm = settings.llm
    if not llm.base_url:
        return TemplateBackend()
    backend = endpoint_backend(llm)
    if not llm.cache:
        return backend
    return CachedBackend(backend, ResponseCache(settings.cache_dir / "llm-responses.sqlite"))


def endpoint_backend(llm: LLMSettings) -> OpenAIBackend:
    """The client of the OpenAI-compatible endpoint `llm` configures, without the answer cache."""
    from copilot.llm.openai_backend import OpenAIBackend  # the client stack, only for endpoints

    return OpenAIBackend(
        base_url=llm.base_url or "",
        model=llm.model,
        api_key=llm.api_key.get_secret_value() if llm.api_key else None,
        timeout_s=llm.timeout_s,
        max_retries=llm.max_retries,
        backoff_s=llm.retry_backoff_s,
        temperature=llm.temperature,
        max_output_tokens=llm.max_output_tokens,
        structured=llm.structured,
    )
