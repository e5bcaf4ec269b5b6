"""The guardrail pipeline: runs every configured rule over a draft and returns one verdict.

It fails closed: a rule that raises turns the verdict into block with a `pipeline` finding.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from copilot.config import GuardrailSettings
from copilot.guardrails.cadence import CadenceRule
from copilot.guardrails.consent import ConsentRule
from copilot.guardrails.context import Rule, RuleContext
from copilot.guardrails.grounding import GroundingRule
from copilot.guardrails.injection import InjectionRule
from copilot.guardrails.marketing import MarketingRule, assess
from copilot.guardrails.models import CheckInput, Finding, Verdict, VerdictKind
from copilot.guardrails.natural_language import NaturalLanguageRule
from copilot.guardrails.optout import OptOutRule
from copilot.guardrails.pii import PiiRule
from copilot.guardrails.sensitive import SensitiveRule
from copilot.messages import msg

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        MarketingRule(),
        CadenceRule(),
        ConsentRule(),
        SensitiveRule(),
        OptOutRule(),
        PiiRule(),
        GroundingRule(),
        InjectionRule(),
        NaturalLanguageRule(),
    )
}
_DEFAULT_SETTINGS = GuardrailSettings.model_validate({})


def _failed(step: str, exc: Exception) -> Finding:
    return Finding(
        rule="pipeline",
        severity="block",
        message=msg(
            f"护栏规则 {step} 运行出错,草稿已拦截:{type(exc).__name__}: {exc}",
            f"guardrail rule {step} failed, so the draft is held: {type(exc).__name__}: {exc}",
        ),
        fix=msg(
            "人工审核该草稿,并把输入报告给维护者", "review the draft by hand and report the input"
        ),
    )


def decide(findings: list[Finding]) -> VerdictKind:
    """Any block → block; else any warn → warn; else pass."""
    severities = {f.severity for f in findings}
    if "block" in severities:
        return "block"
    return "warn" if "warn" in severities else "pass"


def check(
    draft: CheckInput, settings: GuardrailSettings | None = None, *, now: datetime | None = None
) -> Verdict:
    """Run every rule in `settings.rules` over the draft; a rule that raises blocks the draft."""
    settings = settings or _DEFAULT_SETTINGS
    now = now or datetime.now(ZoneInfo(settings.timezone))
    findings: list[Finding] = []
    ctx = RuleContext(settings, now)
    try:  # once for every rule that asks whether the draft is marketing
        ctx = RuleContext(settings, now, assess(draft, settings, ctx.send_time(draft)))
    except Exception as exc:  # fail closed on any defect, not only expected errors
        findings.append(_failed("marketing", exc))
    for rule_id in settings.rules:
        try:
            findings.extend(RULES[rule_id].check(draft, ctx))
        except Exception as exc:  # fail closed on any defect, not only expected errors
            findings.append(_failed(rule_id, exc))
    return Verdict(
        id=draft.id, verdict=decide(findings), findings=findings, marketing=ctx.marketing
    )
