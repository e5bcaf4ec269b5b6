"""Message task: a playbook, the customer's permitted fields and the brief → one 1:1 message.

The caller (customers/consent) passes only fields permitted for the purpose and the names of
withheld ones; this module never sees a withheld value, so it cannot leak one.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from copilot.drafting import guard
from copilot.drafting.evidence import NOTHING, fence_safe
from copilot.drafting.models import Language, TaskPlan
from copilot.errors import InputError
from copilot.guardrails.models import CheckInput
from copilot.messages import Text, msg
from copilot.retrieval.models import SearchFilters

Playbook = Literal["birthday", "dormant", "member_day", "koc", "post_purchase"]


class PlaybookInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: str
    en: str
    purpose: str
    needs: tuple[str, ...] = Field(description="fields the message reads best with")


PLAYBOOKS: dict[str, PlaybookInfo] = {
    "birthday": PlaybookInfo(
        zh="生日祝福", en="birthday greeting", purpose="birthday_greeting", needs=("name",)
    ),
    "dormant": PlaybookInfo(
        zh="沉睡唤醒", en="dormant wake-up", purpose="marketing_personalisation", needs=("name",)
    ),
    "member_day": PlaybookInfo(
        zh="会员日", en="member day", purpose="marketing_personalisation", needs=("name", "tier")
    ),
    "koc": PlaybookInfo(
        zh="KOC 邀请", en="KOC invitation", purpose="marketing_personalisation", needs=("name",)
    ),
    "post_purchase": PlaybookInfo(
        zh="售后关怀",
        en="post-purchase care",
        purpose="order_history_use",
        needs=("last_order_items",),
    ),
}


# A need met by another field: the salutation reads the name, else the nickname.
_MET_BY = {"name": ("name", "nickname")}


class MessageRequest(BaseModel):
    """A personalised message to draft for one customer."""

    model_config = ConfigDict(extra="forbid")

    playbook: Playbook
    fields: dict[str, str] = Field(default_factory=dict, description="permitted fields only")
    withheld: list[str] = Field(default_factory=list, description="names of withheld fields")
    purpose: str | None = Field(None, description="consent purpose; default: the playbook's")
    consents: list[str] = Field(default_factory=list)
    brief: str = ""
    customer_id: str | None = None
    language: Language | None = None
    k: int = Field(3, ge=1, le=10)


def plan_message(request: MessageRequest, default_language: Language, today: date) -> TaskPlan:
    info = PLAYBOOKS[request.playbook]
    leaked = sorted(set(request.fields) & set(request.withheld))
    if leaked:
        raise InputError(
            msg(
                f"字段 {leaked} 同时出现在已授权与未授权列表中",
                f"fields {leaked} are both permitted and withheld",
            ),
            where="fields",
            hint=msg("只传入客户授权的字段", "pass only the fields the customer consented to"),
        )
    fields = {key: value.strip() for key, value in request.fields.items() if value.strip()}
    missing = [
        need for need in info.needs if not any(f in fields for f in _MET_BY.get(need, (need,)))
    ]
    language = request.language or default_language
    notes: list[Text] = (
        [
            msg(
                f"缺少字段 {', '.join(missing)},已用通用措辞",
                f"missing {', '.join(missing)}: a neutral wording is used",
            )
        ]
        if missing
        else []
    )
    # Field values come from the customer record: personal data in them is redacted for the prompt.
    shown = "\n".join(
        f"{key}: {fence_safe(guard.redact_field(value))}" for key, value in sorted(fields.items())
    )
    purpose = request.purpose or info.purpose
    return TaskPlan(
        task="message",
        language=language,
        query=" ".join([info.zh, fields.get("last_order_items", ""), request.brief]).strip()[:300],
        filters=SearchFilters(on=today),
        k=request.k,
        variables={
            "playbook": f"{request.playbook}({info.zh if language == 'zh' else info.en})",
            "fields": shown or NOTHING[language],
            "withheld": ", ".join(sorted(request.withheld)) or NOTHING[language],
            "brief": fence_safe(request.brief.strip()) or NOTHING[language],
            "today": today.isoformat(),
        },
        context={
            "task": "message",
            "language": language,
            "playbook": request.playbook,
            "fields": fields,
            "brief": request.brief.strip(),
            "date": today.isoformat(),
        },
        check=CheckInput(
            id="message",
            task="message",
            text="",
            brief=request.brief,
            purpose=purpose,
            consents=request.consents,
            fields=fields,
            customer_id=request.customer_id,
        ),
        fields_withheld=sorted(request.withheld),
        fields_missing=missing,
        notes=notes,
    )
