"""A month of demo copilot use (suggestions, decisions, posts, 1:1 messages) and survey answers,
seeded on the workbench's first start so the 看板 tab shows filled figures. Idempotent: it
seeds only while the audit log has no suggestion yet."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from copilot.analytics.tables_db import nps_answers
from copilot.audit.log import AuditLog, DraftCreated, HumanAction, PostScheduled
from copilot.datafile import load_yaml
from copilot.messages import msg
from copilot.store.engine import Database
from copilot.store.schema import audit_events, customers

DemoEvent = DraftCreated | HumanAction | PostScheduled
DATA = Path(__file__).parent / "data" / "demo_month.yaml"
SEED_ACTOR_POSTS = "demo"
DAYS = 30
ASKS_PER_DAY = 12
SURVEYED = 120
HOLDING = "您好，感谢您的耐心！这个问题我需要和同事确认一下，确认后第一时间回复您，请稍等~"
REPLY = "您好，{q}这个问题可以参考我们的说明，有需要随时找我哦~"


class DemoQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    gap: bool


class DemoMonth(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agents: list[str]
    prompt_versions: list[str]
    communities: list[str]
    sources: list[str]
    questions: list[DemoQuestion]
    edits: dict[str, str]
    reject_reasons: list[str]
    survey_comments: dict[str, list[str]]


def load_demo_month(path: Path = DATA) -> DemoMonth:
    return load_yaml(path, DemoMonth, msg("演示月数据", "demo month data"))


def _ask(n: int, rnd: random.Random, demo: DemoMonth) -> Iterator[tuple[DemoEvent, str, int]]:
    """A suggestion and the agent's decision on it, with the seconds between them."""
    question = rnd.choice(demo.questions)
    agent = rnd.choice(demo.agents)
    draft_id = f"reply-demo{n:05d}-1"
    text = HOLDING if question.gap else REPLY.format(q=question.text)
    yield DraftCreated(
        draft_id=draft_id, task="reply", prompt_id="reply",
        prompt_version=rnd.choice(demo.prompt_versions), backend="template", model="template",
        sources=[] if question.gap else rnd.sample(demo.sources, 2), verdict="pass",
        text=text, question=question.text, needs_human=question.gap,
    ), agent, 0  # fmt: skip
    roll = rnd.random()
    seconds = rnd.randint(8, 180)
    if question.text in demo.edits and roll < 0.7:
        yield HumanAction.edited(draft_id, text, demo.edits[question.text]), agent, seconds
    elif roll < (0.35 if question.gap else 0.72):
        yield HumanAction(draft_id=draft_id, action="accepted"), agent, seconds
    elif roll < 0.9:
        yield HumanAction.edited(draft_id, text, text + "祝您生活愉快~"), agent, seconds
    else:
        reason = rnd.choice(demo.reject_reasons)
        yield HumanAction(draft_id=draft_id, action="rejected", reason=reason), agent, seconds


def _timed_events(
    now: datetime, rnd: random.Random, demo: DemoMonth, ids: list[str]
) -> list[tuple[datetime, DemoEvent, str]]:
    events: list[tuple[datetime, DemoEvent, str]] = []
    start = (now - timedelta(days=DAYS)).replace(hour=9, minute=0, second=0, microsecond=0)
    n = 0
    for day in range(DAYS):
        base = start + timedelta(days=day)
        for _ in range(ASKS_PER_DAY):
            n += 1
            at = base + timedelta(minutes=rnd.randint(0, 600))
            for event, agent, seconds in _ask(n, rnd, demo):
                events.append((at + timedelta(seconds=seconds), event, agent))
        for community in demo.communities:
            for slot in range(rnd.choice((1, 2, 2, 3))):
                events.append((base + timedelta(minutes=slot), PostScheduled(
                    community=community, scheduled_at=base + timedelta(hours=2 + slot * 8),
                    post_type="promo" if slot else "tips", marketing=slot > 0,
                    text="本周育儿干货与会员福利", overrode=["cadence"] if slot > 1 else [],
                ), SEED_ACTOR_POSTS))  # fmt: skip
        for customer in rnd.sample(ids, min(len(ids), 6)):
            events.append((base + timedelta(hours=3), DraftCreated(
                draft_id=f"demo-campaign-{day}:{customer}", task="message", prompt_id="message",
                prompt_version="message-v2", backend="template", customer_id=customer,
                purpose="marketing_personalisation", verdict="pass", text="会员日福利提醒",
            ), "system"))  # fmt: skip
    return sorted(events, key=lambda e: e[0])


def _answers(
    now: datetime, rnd: random.Random, demo: DemoMonth, ids: list[str]
) -> list[dict[str, object]]:
    rows = []
    for customer in rnd.sample(ids, min(len(ids), SURVEYED)):
        score = rnd.choice((10, 10, 9, 9, 9, 8, 8, 7, 6, 5, 3))
        kind = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
        comment = rnd.choice(demo.survey_comments[kind]) if rnd.random() < 0.6 else ""
        rows.append({
            "customer_id": customer, "answered_on": (now - timedelta(days=rnd.randint(0, DAYS - 1))).date(),
            "score": score, "comment": comment, "channel": rnd.choice(demo.communities),
            "imported_at": now,
        })  # fmt: skip
    return rows


def seed_demo_month(db: Database, audit: AuditLog, now: datetime, seed: int = 11) -> int:
    """Seed the demo month when the log has no suggestion yet; returns events written."""
    with db.begin() as conn:
        if conn.execute(
            select(audit_events.c.id).where(audit_events.c.kind == "draft_created").limit(1)
        ).first():
            return 0
        ids = sorted(conn.execute(select(customers.c.id)).scalars())
    demo = load_demo_month()
    rnd = random.Random(seed)
    events = _timed_events(now, rnd, demo, ids)
    times = iter([at for at, _, _ in events])
    seeded = audit.with_clock(lambda: next(times))
    with db.begin() as conn:
        for _, event, actor in events:
            seeded.record(event, actor=actor, conn=conn)
        if ids:
            conn.execute(nps_answers.insert(), _answers(now, rnd, demo, ids))
    return len(events)
