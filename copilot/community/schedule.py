"""Community post schedule: the week plan a community manager fills, and what the guardrails
need from it (the rolling window of earlier posts, today's count, the members a post may name).

Times are stored naive in the community's timezone; the guardrails get them timezone-aware.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, select

from copilot.audit.log import AuditLog, PostScheduled
from copilot.errors import GuardrailError, InputError
from copilot.guardrails import HistoryPost
from copilot.guardrails.marketing_classifier import score_post
from copilot.guardrails.models import PostType, Verdict
from copilot.messages import msg
from copilot.store.engine import Database
from copilot.store.schema import communities, community_members, customers, scheduled_posts

MAX_NAME = 60


class ScheduledPost(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    community: str
    scheduled_at: datetime
    post_type: str
    text: str
    marketing: bool


class PostSchedule:
    """Reads and appends scheduled group posts; each scheduling is also an audit event."""

    def __init__(
        self, db: Database, audit: AuditLog, timezone: str, clock: Callable[[], datetime]
    ) -> None:
        self.db, self.audit, self.tz, self.clock = db, audit, ZoneInfo(timezone), clock

    def communities(self) -> list[str]:
        with self.db.begin() as conn:
            return list(
                conn.execute(select(communities.c.name).order_by(communities.c.name)).scalars()
            )

    def ensure(self, name: str) -> str:
        """The community's name, created with default cadence settings if new."""
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise InputError(
                msg(
                    f"社群名需为 1–{MAX_NAME} 个字",
                    f"a community name needs 1–{MAX_NAME} characters",
                ),
                where="community",
                hint=msg("选择已有社群或输入新名称", "pick a community or type a new name"),
            )
        with self.db.begin() as conn:
            self.db.insert_ignore(conn, communities, [{"name": name, "timezone": str(self.tz)}])
        return name

    def posts(self, community: str, start: datetime, end: datetime) -> list[ScheduledPost]:
        """Posts with start <= scheduled_at < end (naive local times), in time order."""
        query = (
            select(scheduled_posts)
            .where(
                scheduled_posts.c.community == community,
                scheduled_posts.c.scheduled_at >= start,
                scheduled_posts.c.scheduled_at < end,
            )
            .order_by(scheduled_posts.c.scheduled_at)
        )
        with self.db.begin() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            ScheduledPost(
                id=r["id"],
                community=r["community"],
                scheduled_at=r["scheduled_at"],
                post_type=r["post_type"],
                text=r["text"],
                marketing=score_post(r["text"]).is_marketing,
            )
            for r in rows
        ]

    def history(self, community: str, around: datetime, days: int) -> list[HistoryPost]:
        """Posts within `days` either side of `around`, as the guardrails read them."""
        local = around.astimezone(self.tz).replace(tzinfo=None)
        span = timedelta(days=days)
        return [
            HistoryPost(
                scheduled_at=p.scheduled_at.replace(tzinfo=self.tz),
                text=p.text,
                community=community,
            )
            for p in self.posts(community, local - span, local + span)
        ]

    def members(self, community: str, conn: Connection | None = None) -> list[str]:
        """The community's members as a post may name them (`CheckInput.members`): each
        nickname, and for a member linked to a customer record its name and nickname too."""
        query = (
            select(community_members.c.nickname, customers.c.name, customers.c.nickname)
            .select_from(
                community_members.outerjoin(
                    customers, customers.c.id == community_members.c.customer_id
                )
            )
            .where(community_members.c.community == community)
        )
        if conn is None:
            with self.db.begin() as own:
                return self.members(community, own)
        return sorted({name for row in conn.execute(query) for name in row if name})

    def window_share(self, community: str, days: int) -> tuple[int, int]:
        """(marketing posts, all posts) in the rolling window ending now."""
        now = self.clock().astimezone(self.tz).replace(tzinfo=None)
        posts = self.posts(community, now - timedelta(days=days), now + timedelta(seconds=1))
        return sum(p.marketing for p in posts), len(posts)

    def schedule(
        self,
        community: str,
        at: datetime,
        post_type: PostType,
        text: str,
        verdict: Verdict,
        *,
        actor: str,
    ) -> None:
        """Put a checked draft into the plan; a blocked draft is refused."""
        if verdict.blocked:
            raise GuardrailError(
                msg("草稿被护栏拦截,不能排期", "a blocked draft cannot be scheduled"),
                where="verdict",
                hint=msg(
                    "按护栏建议修改或改发干货帖后重新生成",
                    "revise it as the guardrails suggest, or draft a tips post instead",
                ),
            )
        local = at.astimezone(self.tz).replace(tzinfo=None)
        name = self.ensure(community)
        with self.db.begin() as conn:
            self._insert(conn, name, local, post_type, text, actor=actor)

    def seed(
        self, community: str, posts: list[tuple[datetime, PostType, str]], *, actor: str
    ) -> int:
        """Fill an empty community's plan with earlier posts; a community with posts is left
        alone (idempotent). Returns the posts added."""
        name = self.ensure(community)
        with self.db.begin() as conn:
            held = conn.execute(
                select(scheduled_posts.c.id).where(scheduled_posts.c.community == name).limit(1)
            ).first()
            if held is not None:
                return 0
            for at, post_type, text in posts:
                local = at.astimezone(self.tz).replace(tzinfo=None)
                self._insert(conn, name, local, post_type, text, actor=actor)
        return len(posts)

    def _insert(
        self,
        conn: Connection,
        community: str,
        local: datetime,
        post_type: PostType,
        text: str,
        *,
        actor: str,
    ) -> None:
        """One post row and its audit event, in the caller's transaction."""
        conn.execute(
            scheduled_posts.insert().values(
                community=community,
                scheduled_at=local,
                post_type=post_type,
                text=text,
                created_at=self.clock().replace(tzinfo=None),
            )
        )
        self.audit.record(
            PostScheduled(
                community=community,
                scheduled_at=local,
                post_type=post_type,
                marketing=score_post(text).is_marketing,
                text=text,
            ),
            actor=actor,
            conn=conn,
        )
