"""siyu-copilot: a private-domain commerce copilot that drafts, checks and records.

The names in ``__all__`` are the supported Python API; everything else is internal and may
change between releases. ``CHANGELOG.md`` records every addition to and removal from the list.
Names load on first use, so ``import copilot`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "Copilot": "copilot.app",
    "Settings": "copilot.config",
    "get_settings": "copilot.config",
    "CopilotError": "copilot.errors",
    "ConfigError": "copilot.errors",
    "InputError": "copilot.errors",
    "StoreError": "copilot.errors",
    "BackendError": "copilot.errors",
    "GuardrailError": "copilot.errors",
    "Msg": "copilot.messages",
    "msg": "copilot.messages",
    "language": "copilot.messages",
    "ReplyRequest": "copilot.drafting",
    "PostRequest": "copilot.drafting",
    "MessageRequest": "copilot.drafting",
    "DraftResult": "copilot.drafting",
    "Draft": "copilot.drafting",
    "Citation": "copilot.drafting",
    "CheckInput": "copilot.guardrails",
    "Verdict": "copilot.guardrails",
    "Finding": "copilot.guardrails",
    "check": "copilot.guardrails",
    "scan_pii": "copilot.guardrails",
    "redact": "copilot.guardrails",
    "Hit": "copilot.retrieval",
    "SearchFilters": "copilot.retrieval",
    "IngestReport": "copilot.retrieval",
}

__all__ = [
    "BackendError",
    "CheckInput",
    "Citation",
    "ConfigError",
    "Copilot",
    "CopilotError",
    "Draft",
    "DraftResult",
    "Finding",
    "GuardrailError",
    "Hit",
    "IngestReport",
    "InputError",
    "MessageRequest",
    "Msg",
    "PostRequest",
    "ReplyRequest",
    "SearchFilters",
    "Settings",
    "StoreError",
    "Verdict",
    "__version__",
    "check",
    "get_settings",
    "language",
    "msg",
    "redact",
    "scan_pii",
]

if TYPE_CHECKING:
    from copilot.app import Copilot
    from copilot.config import Settings, get_settings
    from copilot.drafting import (
        Citation,
        Draft,
        DraftResult,
        MessageRequest,
        PostRequest,
        ReplyRequest,
    )
    from copilot.errors import (
        BackendError,
        ConfigError,
        CopilotError,
        GuardrailError,
        InputError,
        StoreError,
    )
    from copilot.guardrails import CheckInput, Finding, Verdict, check, redact, scan_pii
    from copilot.messages import Msg, language, msg
    from copilot.retrieval import Hit, IngestReport, SearchFilters


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'copilot' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
