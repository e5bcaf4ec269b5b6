"""The demo week: the shipped file keeps the cadence and marketing rules, seeding is idempotent,
and a broken file names its field."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from copilot.audit.log import AuditLog
from copilot.community.demo_week import DemoWeek, load_demo_week, seed_demo_week
from copilot.community.schedule import PostSchedule
from copilot.config import GuardrailSettings
from copilot.errors import ConfigError
from copilot.guardrails.marketing_classifier import score_post
from copilot.messages import language
from copilot.store.engine import Database
from tests.conftest import REPO

SHIPPED = REPO / "knowledge" / "_samples" / "community_week.yaml"
TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 27)
RULES = GuardrailSettings()


@pytest.fixture(scope="module")
def week() -> DemoWeek:
    return load_demo_week(SHIPPED)


def test_every_post_is_classified_as_its_type(week: DemoWeek) -> None:
    for community in week.communities:
        for post in community.posts:
            assert score_post(post.text).is_marketing == (post.type == "promo"), post.text


def test_posts_keep_the_daily_cap_and_quiet_hours(week: DemoWeek) -> None:
    for community in week.communities:
        per_day = Counter(p.day for p in community.posts)
        assert max(per_day.values()) <= RULES.posts_per_day, community.name
        for post in community.posts:
            assert RULES.quiet_end <= post.at < RULES.quiet_start, (community.name, post.at)


def test_every_promotion_kept_the_marketing_cap_when_posted(week: DemoWeek) -> None:
    for community in week.communities:
        posts = week.dated(community, TODAY, TZ)
        for index, (_, post_type, _) in enumerate(posts):
            if post_type == "promo":
                so_far = [kind for _, kind, _ in posts[: index + 1]]
                assert so_far.count("promo") / len(so_far) <= RULES.marketing_cap, community.name


@pytest.mark.parametrize(
    ("community", "promos", "total"),
    [("小禾家妈妈交流1群", 3, 10), ("小禾家新手爸妈2群", 2, 10)],
)
def test_one_community_is_at_the_cap_and_one_has_room(
    week: DemoWeek, community: str, promos: int, total: int
) -> None:
    posts = next(c for c in week.communities if c.name == community).posts
    assert (sum(p.type == "promo" for p in posts), len(posts)) == (promos, total)


def test_seeding_counts_back_from_today_and_is_idempotent(db: Database, week: DemoWeek) -> None:
    now = datetime.combine(TODAY, datetime.min.time(), tzinfo=TZ).replace(hour=8)
    schedule = PostSchedule(db, AuditLog(db), "Asia/Shanghai", lambda: now)
    assert seed_demo_week(schedule, week, TODAY) == 20
    assert seed_demo_week(schedule, week, TODAY) == 0
    start = datetime.combine(TODAY - timedelta(days=6), datetime.min.time())
    posts = schedule.posts("小禾家妈妈交流1群", start, start + timedelta(days=6))
    assert len(posts) == 10 and posts[0].scheduled_at == start.replace(hour=10, minute=30)
    assert schedule.window_share("小禾家妈妈交流1群", RULES.marketing_window_days) == (3, 10)
    assert schedule.window_share("小禾家新手爸妈2群", RULES.marketing_window_days) == (2, 10)


def test_a_community_with_posts_is_not_seeded(db: Database, week: DemoWeek) -> None:
    now = datetime(2026, 11, 27, 8, 0, tzinfo=TZ)
    schedule = PostSchedule(db, AuditLog(db), "Asia/Shanghai", lambda: now)
    schedule.seed("小禾家妈妈交流1群", [(now, "tips", "已有的帖子")], actor="alice")
    assert seed_demo_week(schedule, week, TODAY) == 10  # only the other community


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("communities: [{name: 群, posts: [{day: 9, at: '10:00', type: tips, text: x}]}]", "day"),
        ("communities: [{name: 群, posts: [{day: 1, at: '10:00', type: ad, text: x}]}]", "type"),
        ("communities: [{name: 群, posts: [], colour: red}]", "colour"),
        ("communities: [{name: 群, posts: [{day: 1, at: '25:00', type: tips, text: x}]}]", "at"),
        ("communities: [", "cannot read"),
    ],
)
def test_a_broken_file_names_the_field(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "week.yaml"
    path.write_text(text, encoding="utf-8")
    with language("en"), pytest.raises(ConfigError, match=expected) as error:
        load_demo_week(path)
    assert str(path) in str(error.value)
