"""`siyu campaign plan`: audience, exclusions with reasons, sample drafts and a cost estimate."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pydantic import BaseModel, ConfigDict, Field

from copilot.campaigns.audience import Exclusion
from copilot.campaigns.campaign import Campaigns
from copilot.campaigns.playbooks import PlaybookSpec
from copilot.drafting import MessageRequest
from copilot.llm.backend import Usage
from copilot.llm.cost import estimate_cost

PromptSizer = Callable[[MessageRequest], int]  # input tokens of the prompt for one request
TextSizer = Callable[[str], int]
JSON_OVERHEAD = 1.3  # structured output wraps the text in a JSON object


class SampleDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: str
    status: str
    verdict: str
    text: str
    fields_used: list[str] = Field(default_factory=list)
    fields_withheld: list[str] = Field(default_factory=list)


class CampaignPlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign_id: str
    playbook: str
    purpose: str
    matched: int
    eligible: int
    excluded_counts: dict[str, int]
    excluded: list[Exclusion]
    samples: list[SampleDraft]
    model: str
    input_tokens: int = Field(description="estimated for the whole audience")
    output_tokens: int
    cost: float | None = Field(description="yuan; 0 in 模板模式, None if the model is unpriced")


def plan_campaign(
    campaigns: Campaigns,
    spec: PlaybookSpec,
    campaign_id: str,
    *,
    sample: int,
    prompt_tokens: PromptSizer,
    text_tokens: TextSizer,
    model: str,
    prices: Mapping[str, tuple[float, float]],
    template_mode: bool,
) -> CampaignPlan:
    """Everything a person should see before `run`: nothing is stored, nothing is sent."""
    audience = campaigns.audience(spec, campaign_id)
    samples: list[SampleDraft] = []
    in_tokens: list[int] = []
    out_tokens: list[int] = []
    for cid in audience.eligible[: max(sample, 1)]:
        request = campaigns.request(spec, cid)
        if isinstance(request, MessageRequest):
            in_tokens.append(prompt_tokens(request))
        outcome = campaigns.draft_one(spec, campaign_id, cid)
        row, result = outcome.row, outcome.draft
        if result is not None:
            out_tokens.append(int(text_tokens(row["text"]) * JSON_OVERHEAD))
        if len(samples) < sample:
            samples.append(
                SampleDraft(
                    customer_id=cid,
                    status=row["status"],
                    verdict=row["verdict"],
                    text=row["text"],
                    fields_used=result.fields_used if result else [],
                    fields_withheld=result.fields_withheld if result else [],
                )
            )
    n = len(audience.eligible)
    total_in = round(sum(in_tokens) / len(in_tokens) * n) if in_tokens else 0
    total_out = round(sum(out_tokens) / len(out_tokens) * n) if out_tokens else 0
    usage = Usage(input_tokens=total_in, output_tokens=total_out)
    return CampaignPlan(
        campaign_id=campaign_id,
        playbook=spec.id,
        purpose=spec.purpose,
        matched=audience.matched,
        eligible=n,
        excluded_counts=audience.excluded_counts(),
        excluded=audience.excluded,
        samples=samples,
        model=model,
        input_tokens=total_in,
        output_tokens=total_out,
        cost=0.0 if template_mode else estimate_cost(model, usage, prices),
    )
