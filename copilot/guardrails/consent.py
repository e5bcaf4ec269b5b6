"""The `consent` rule: a purpose needs the customer's consent, and it permits only its fields."""

from __future__ import annotations

from copilot.guardrails.context import RuleContext
from copilot.guardrails.models import CheckInput, Finding
from copilot.messages import msg


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
                    message=msg(
                        f"未知用途 {draft.purpose!r}", f"unknown purpose {draft.purpose!r}"
                    ),
                    fix=msg(
                        f"使用以下用途之一: {', '.join(sorted(purposes))}",
                        f"use one of: {', '.join(sorted(purposes))}",
                    ),
                )
            )
        elif draft.purpose is not None and draft.purpose not in draft.consents:
            findings.append(
                Finding(
                    rule="consent",
                    severity="block",
                    message=msg(
                        f"客户未同意用途 {draft.purpose}",
                        f"the customer has not consented to {draft.purpose}",
                    ),
                    fix=msg(
                        "不要发送;先取得客户明示同意", "do not send; obtain explicit consent first"
                    ),
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
                    message=msg(
                        f"草稿使用了字段 {name},但客户同意的用途不包含它",
                        f"the draft uses field {name!r}, which no consented purpose permits",
                    ),
                    fix=msg(
                        f"删除「{value}」,或先取得允许 {name} 的用途授权",
                        f"remove «{value}», or get consent for a purpose that permits {name}",
                    ),
                )
            )
        return findings
