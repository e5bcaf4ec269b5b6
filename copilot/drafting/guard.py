"""The one place drafting calls the guardrails: redact customer text, judge each draft.

Both fail closed: if the guardrail pipeline cannot run, the draft is held with a block verdict
that says why, and a customer message that cannot be redacted never reaches a backend.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from copilot.config import GuardrailSettings
from copilot.errors import GuardrailError
from copilot.guardrails import check as run_checks
from copilot.guardrails import redact_parts as run_redaction
from copilot.guardrails.models import CheckInput, Finding, Verdict
from copilot.messages import msg


def judge(check: CheckInput, settings: GuardrailSettings | None, now: datetime | None) -> Verdict:
    """The guardrail verdict for one draft; a failing pipeline yields a block, never a pass."""
    try:
        return run_checks(check, settings=settings, now=now)
    except Exception as exc:  # fail closed: any failure holds the draft
        return Verdict(
            id=check.id,
            verdict="block",
            findings=[
                Finding(
                    rule="pipeline",
                    severity="block",
                    message=msg(
                        f"护栏检查未能运行,草稿已暂扣: {type(exc).__name__}: {exc}",
                        f"guardrails could not run, draft held: {type(exc).__name__}: {exc}",
                    ),
                    fix=msg("修复护栏配置后重新生成", "fix the guardrail setup and draft again"),
                )
            ],
        )


def redact(text: str) -> str:
    """The customer message with personal data replaced by placeholders."""
    return redact_turns([text])[0]


def redact_turns(texts: list[str]) -> list[str]:
    """A customer's turns, oldest first, redacted together: personal data sent over two turns
    is replaced in both (see `copilot.guardrails.redact_parts`)."""
    try:
        return run_redaction(texts)
    except Exception as exc:
        raise GuardrailError(
            msg(
                f"无法脱敏客户消息,已停止起草: {type(exc).__name__}: {exc}",
                f"cannot redact the customer message, drafting stopped: "
                f"{type(exc).__name__}: {exc}",
            ),
            where="customer_message",
            hint=msg("检查护栏模块安装", "check the guardrails installation"),
        ) from exc


@lru_cache(maxsize=8192)
def redact_field(value: str) -> str:
    """A customer field's value redacted, remembered: a campaign redacts the same tiers, tags,
    dates and order items for thousands of customers."""
    return redact(value)


def strictest(verdicts: list[Verdict]) -> Verdict:
    """block > warn > pass; findings of all drafts are kept."""
    order = {"pass": 0, "warn": 1, "block": 2}
    worst = max((v.verdict for v in verdicts), key=order.__getitem__, default="pass")
    findings = [finding for verdict in verdicts for finding in verdict.findings]
    marketing = verdicts[0].marketing if verdicts else None
    result = Verdict(verdict=worst, findings=findings)
    return result.model_copy(update={"marketing": marketing}) if marketing else result
