"""Error hierarchy of the copilot.

    CopilotError                 base; carries a user-facing message and a hint
    ├── ConfigError              a setting, prompt file, suite or playbook is wrong
    ├── InputError               a file, row, field or request the user gave is wrong
    ├── StoreError               the knowledge store or database cannot be used as asked
    ├── BackendError             an LLM or embeddings endpoint failed
    └── GuardrailError           a guardrail could not run (the draft is then held)

Library code raises these; only the CLI and the UI turn them into messages and exit codes.
"""

from __future__ import annotations

from pydantic import ValidationError


class CopilotError(Exception):
    """Base error: `message` says what went wrong, `hint` what to do about it."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str = "", where: str = "") -> None:
        self.message = message
        self.hint = hint
        self.where = where
        super().__init__(self.render())

    def render(self) -> str:
        """One readable line (plus hint) for terminals and the UI."""
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}\n提示 / hint: {self.hint}" if self.hint else text


class ConfigError(CopilotError):
    """A setting or a data file (prompt, suite, playbook) is invalid."""

    exit_code = 2


class InputError(CopilotError):
    """User input (a file, a CSV row, a request field) is invalid."""


class StoreError(CopilotError):
    """The vector store, keyword index or database cannot serve the request."""


class BackendError(CopilotError):
    """An LLM or embeddings endpoint failed or answered something unusable."""


class GuardrailError(CopilotError):
    """A guardrail rule could not run; callers must hold the draft (fail closed)."""


def field_problems(exc: ValidationError, whole: str = "(root)", prefix: str = "") -> str:
    """A pydantic error as one line: `field.path: message` per problem, joined by "; ";
    `whole` names a problem with the object itself, `prefix` goes before every path."""
    return "; ".join(
        f"{prefix}{'.'.join(str(p) for p in err['loc']) or whole}: {err['msg']}"
        for err in exc.errors(include_url=False)
    )
