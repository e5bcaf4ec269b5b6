"""The `consent` rule: a purpose needs the customer's consent, and it permits only its fields."""

from __future__ import annotations

from copilot.guardrails.context import RuleContext
from copilot.guardrails.models import CheckInput, Finding


class ConsentRule:
    """Blocks messages without consent for their purpose, and drafts using unpermitted fields."""

    id = "consent"

    def check(self, draft: CheckInput, ctx: RuleContext) -> list[Finding]:
        purposes = ctx.settings.purpose_fields
        findings: list[Finding] = []
        if draft.purpose is not None and draft.purpose not in purposes:
            findings.append(
                Finding(
                    rule="consent",
                    severity="block",
                    message=f"未知用途 {draft.purpose!r} / unknown purpose {draft.purpose!r}",
                    fix=f"使用以下用途之一 / use one of: {', '.join(sorted(purposes))}",
                )
            )
        elif draft.purpose is not None and draft.purpose not in draft.consents:
            findings.append(
                Finding(
                    rule="consent",
                    severity="block",
                    message=f"客户未同意用途 {draft.purpose} / the customer has not consented to "
                    f"{draft.purpose}",
                    fix="不要发送;先取得客户明示同意 / do not send; obtain explicit consent first",
                )
            )
        permitted = {f for p in draft.consents for f in purposes.get(p, [])}
        for name, value in draft.fields.items():
            index = draft.text.find(value) if len(value.strip()) >= 2 else -1
            if name in permitted or index < 0:
                continue
            findings.append(
                Finding(
                    rule="consent",
                    severity="block",
                    start=index,
                    end=index + len(value),
                    text=value,
                    message=f"草稿使用了字段 {name},但客户同意的用途不包含它 / the draft uses field "
                    f"{name!r}, which no consented purpose permits",
                    fix=f"删除「{value}」,或先取得允许 {name} 的用途授权 / remove it, or get "
                    f"consent for a purpose that permits {name}",
                )
            )
        return findings
