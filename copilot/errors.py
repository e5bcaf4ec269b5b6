"""Error hierarchy of the copilot.

    CopilotError                 base; carries a message, a hint and a stable code
    ├── ConfigError              a setting, prompt file, suite or playbook is wrong
    ├── InputError               a file, row, field or request the user gave is wrong
    ├── StoreError               the knowledge store or database cannot be used as asked
    ├── BackendError             an LLM or embeddings endpoint failed (endpoint, status, attempts)
    └── GuardrailError           a guardrail could not run (the draft is then held)

Library code raises these with ``Msg`` texts (both languages); only the CLI, the UI and the API
render them, in their user's language, and turn them into exit codes or responses.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import ValidationError

from copilot.messages import Lang, Msg, Text, msg, render

HINT_LABEL = msg("提示", "hint")


class CopilotError(Exception):
    """Base error: `message` says what went wrong, `hint` what to do about it, `where` which
    file/row/field or endpoint; `code` is stable for machines (JSON output, API problems)."""

    exit_code = 1
    code = "error"

    def __init__(
        self, message: Text, *, hint: Text = "", where: str = "", code: str | None = None
    ) -> None:
        self.message = message
        self.hint = hint
        self.where = where
        if code:
            self.code = code
        super().__init__(self.render())

    def render(self, lang: Lang | None = None) -> str:
        """One readable line (plus hint) for terminals and the UI, in one language."""
        text = render(self.message, lang)
        text = f"{self.where}: {text}" if self.where else text
        if not self.hint:
            return text
        return f"{text}\n{render(HINT_LABEL, lang)}: {render(self.hint, lang)}"

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        """The machine-readable shape: stable code plus the texts in one language."""
        return {
            "code": self.code,
            "message": render(self.message, lang),
            "hint": render(self.hint, lang),
            "where": self.where,
        }

    @classmethod
    def from_validation(
        cls,
        exc: ValidationError,
        message: Msg,
        *,
        where: str = "",
        hint: Text = "",
        whole: str = "(root)",
        prefix: str = "",
    ) -> Self:
        """`message` followed by every field problem of a pydantic error on one line."""
        return cls(message + f": {field_problems(exc, whole, prefix)}", where=where, hint=hint)


class ConfigError(CopilotError):
    """A setting or a data file (prompt, suite, playbook) is invalid."""

    exit_code = 2
    code = "config"


class InputError(CopilotError):
    """User input (a file, a CSV row, a request field) is invalid."""

    code = "input"


class StoreError(CopilotError):
    """The vector store, knowledge snapshot or database cannot serve the request."""

    code = "store"


class BackendError(CopilotError):
    """An LLM or embeddings endpoint failed or answered something unusable.

    `endpoint` is the base URL (and model), `status` the HTTP status when there was one,
    `attempts` how many requests were made before giving up."""

    code = "backend"

    def __init__(
        self,
        message: Text,
        *,
        hint: Text = "",
        where: str = "",
        code: str | None = None,
        endpoint: str = "",
        status: int | None = None,
        attempts: int = 0,
    ) -> None:
        self.endpoint = endpoint
        self.status = status
        self.attempts = attempts
        super().__init__(message, hint=hint, where=where or endpoint, code=code)

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {
            **super().to_dict(lang),
            "endpoint": self.endpoint,
            "status": self.status,
            "attempts": self.attempts,
        }


class GuardrailError(CopilotError):
    """A guardrail rule could not run; callers must hold the draft (fail closed)."""

    code = "guardrail"


def field_problems(exc: ValidationError, whole: str = "(root)", prefix: str = "") -> str:
    """A pydantic error as one line: `field.path: message` per problem, joined by "; ";
    `whole` names a problem with the object itself, `prefix` goes before every path."""
    return "; ".join(
        f"{prefix}{'.'.join(str(p) for p in err['loc']) or whole}: {err['msg']}"
        for err in exc.errors(include_url=False)
    )
