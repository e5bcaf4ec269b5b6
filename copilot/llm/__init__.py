"""LLM backends behind one protocol, plus offline token counting, cost and a response cache."""

from copilot.llm.backend import TEMPLATE_BACKEND, Backend, ChatPrompt, Generation, Usage
from copilot.llm.cache import CachedBackend, ResponseCache
from copilot.llm.cost import estimate_cost
from copilot.llm.factory import backend_from_settings
from copilot.llm.fake import FakeBackend
from copilot.llm.template import TemplateBackend
from copilot.llm.tokens import TokenCounter

__all__ = [
    "TEMPLATE_BACKEND",
    "Backend",
    "CachedBackend",
    "ChatPrompt",
    "FakeBackend",
    "Generation",
    "OpenAIBackend",
    "ResponseCache",
    "TemplateBackend",
    "TokenCounter",
    "Usage",
    "backend_from_settings",
    "estimate_cost",
]


def __getattr__(name: str) -> object:
    """OpenAIBackend imports the OpenAI client stack, so only when it is asked for."""
    if name == "OpenAIBackend":
        from copilot.llm.openai_backend import OpenAIBackend

        return OpenAIBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
