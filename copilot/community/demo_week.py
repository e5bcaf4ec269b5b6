"""The demo communities' past week: a file of group posts seeded into the schedule on first
start, so the week calendar and the marketing gauge look like a real team's week."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from copilot.community.members import CommunityMembers
from copilot.community.schedule import PostSchedule
from copilot.datafile import load_yaml
from copilot.guardrails.models import PostType
from copilot.messages import msg

SEED_ACTOR = "demo"


class DemoPost(BaseModel):
    """One earlier post: `day` days before the first start, at local time `at`."""

    model_config = ConfigDict(extra="forbid")

    day: int = Field(ge=1, le=6)
    at: time
    type: PostType
    text: str = Field(min_length=1)


class DemoCommunity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    members: list[str] = Field(default_factory=list, description="members' group nicknames")
    posts: list[DemoPost]


class DemoWeek(BaseModel):
    model_config = ConfigDict(extra="forbid")

    communities: list[DemoCommunity]

    def dated(
        self, community: DemoCommunity, today: date, tz: ZoneInfo
    ) -> list[tuple[datetime, PostType, str]]:
        """The community's posts at real times, counted back from `today`, in time order."""
        posts = [
            (datetime.combine(today - timedelta(days=p.day), p.at, tzinfo=tz), p.type, p.text)
            for p in community.posts
        ]
        return sorted(posts, key=lambda post: post[0])


def load_demo_week(path: Path) -> DemoWeek:
    """Parse the demo week file; a problem names the file and the field."""
    return load_yaml(
        path,
        DemoWeek,
        msg("演示社群周计划", "demo week"),
        hint=msg(
            "每个社群需要 name、members(群昵称列表)和 posts;每条帖子需要 day(1–6)、"
            "at(HH:MM)、type(tips/seeding/ugc/promo)和 text",
            "each community needs a name, members (group nicknames) and posts; each post needs "
            "day (1–6), at (HH:MM), type (tips/seeding/ugc/promo) and text",
        ),
    )


def seed_demo_week(schedule: PostSchedule, week: DemoWeek, today: date) -> int:
    """Seed every demo community that has no posts yet, and its members if it has none;
    returns the posts added."""
    members = CommunityMembers(schedule)
    for community in week.communities:
        members.add(community.name, community.members)
    return sum(
        schedule.seed(c.name, week.dated(c, today, schedule.tz), actor=SEED_ACTOR)
        for c in week.communities
    )
