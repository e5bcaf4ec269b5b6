"""Post task: community, post type, topic, brief and planned time → one group post."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from copilot.drafting.evidence import NOTHING, fence_safe
from copilot.drafting.models import Language, TaskPlan
from copilot.errors import InputError
from copilot.guardrails.models import CheckInput, HistoryPost, PostType
from copilot.messages import msg
from copilot.retrieval.models import SearchFilters

POST_TYPE_LABELS: dict[str, tuple[str, str]] = {
    "tips": ("干货知识", "tips"),
    "seeding": ("场景化种草", "scenario seeding"),
    "ugc": ("互动话题", "UGC topic"),
    "promo": ("促销", "promotion"),
}
MAX_BRIEF_CHARS = 1000


class PostRequest(BaseModel):
    """A group post to draft."""

    model_config = ConfigDict(extra="forbid")

    post_type: PostType
    topic: str
    brief: str = ""
    community: str = "默认社群"
    planned_at: datetime | None = None
    history: list[HistoryPost] = Field(default_factory=list, description="posts already planned")
    members: list[str] = Field(
        default_factory=list,
        description="the community's members (names, nicknames): a post naming one with "
        "sensitive data is blocked",
    )
    language: Language | None = None
    k: int = Field(5, ge=1, le=10)


def plan_post(request: PostRequest, default_language: Language, today: date) -> TaskPlan:
    topic = request.topic.strip()
    if not topic:
        raise InputError(
            msg("帖子主题为空", "the post topic is empty"),
            where="topic",
            hint=msg("给出主题或产品名", "give a topic or a product name"),
        )
    if len(request.brief) > MAX_BRIEF_CHARS:
        raise InputError(
            msg(
                f"简报超过 {MAX_BRIEF_CHARS} 字", f"the brief is over {MAX_BRIEF_CHARS} characters"
            ),
            where="brief",
            hint=msg("精简简报", "shorten the brief"),
        )
    language = request.language or default_language
    label = POST_TYPE_LABELS[request.post_type][0 if language == "zh" else 1]
    when = request.planned_at or datetime.combine(today, datetime.min.time()).replace(hour=10)
    return TaskPlan(
        task="post",
        language=language,
        query=f"{topic} {request.brief}".strip()[:300],
        filters=SearchFilters(on=(request.planned_at.date() if request.planned_at else today)),
        k=request.k,
        variables={
            "community": fence_safe(request.community),
            "post_type": f"{request.post_type}({label})",
            "topic": fence_safe(topic),
            "brief": fence_safe(request.brief.strip()) or NOTHING[language],
            "planned_at": when.isoformat(timespec="minutes"),
            "today": today.isoformat(),
        },
        context={
            "task": "post",
            "language": language,
            "post_type": request.post_type,
            "topic": topic,
            "brief": request.brief.strip(),
            "community": request.community,
            "date": when.date().isoformat(),
        },
        check=CheckInput(
            id="post",
            task="post",
            text="",
            brief=request.brief,
            community=request.community,
            post_type=request.post_type,
            scheduled_at=request.planned_at,
            history=request.history,
            members=request.members,
        ),
    )
