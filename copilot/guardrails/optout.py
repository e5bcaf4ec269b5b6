"""The `optout` rule: every personalised marketing message tells the customer how to opt out."""

from __future__ import annotations

import re

from copilot.guardrails.context import RuleContext
from copilot.guardrails.models import CheckInput, Finding

# 回复TD退订 / 回T退订 / 退订回T / 回复“退订” / reply STOP / unsubscribe.
OPT_OUT = re.compile(
    r"回复?\s*[\"“「]?\s*(?:TD|T|N|0|退订|不再接收)\s*[\"”」]?\s*(?:即可)?\s*(?:退订|取消)|"
    r"退订(?:请)?回(?:复)?\s*[\"“「]?\s*(?:TD|T|N)|拒收请回复|"
    r"reply\s+[\"']?(?:STOP|TD|UNSUBSCRIBE)|unsubscribe|opt[ -]out",
    re.IGNORECASE,
)
SUGGESTED = "回复TD退订"


class OptOutRule:
    """Warns when a personalised marketing message lacks an opt-out line."""

    id = "optout"

    def check(self, draft: CheckInput, ctx: RuleContext) -> list[Finding]:
        personalised = draft.purpose is not None or bool(draft.fields)
        if draft.task != "message" or not (ctx.marketing.is_marketing or personalised):
            return []
        if OPT_OUT.search(draft.text):
            return []
        return [
            Finding(
                rule="optout",
                severity="warn",
                start=len(draft.text),
                end=len(draft.text),
                message="个性化营销消息缺少退订方式 / the personalised marketing message has no "
                "opt-out instruction",
                fix=f"在末尾加上「{SUGGESTED}」 / append «{SUGGESTED}» (reply TD to unsubscribe)",
            )
        ]
