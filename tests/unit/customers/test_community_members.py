"""Community members: imported like customers (row-level errors, safe to repeat), seeded with
the demo week, and handed to the guardrails with every post drafted for the community, so a
post that names a member with sensitive data is blocked."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from copilot.audit.log import AuditLog
from copilot.cli import app
from copilot.community.demo_week import load_demo_week, seed_demo_week
from copilot.community.members import CommunityMembers
from copilot.community.schedule import PostSchedule
from copilot.config import Settings
from copilot.customers.importer import Importer
from copilot.drafting.post import PostRequest, plan_post
from copilot.guardrails import check
from copilot.messages import language, render
from copilot.store.engine import Database
from tests.conftest import REPO

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=TZ)
GROUP = "小禾家妈妈交流1群"
# A plain name: no @, no 姐/妈 after it, so only the member list tells it is a member's name.
POST = "恭喜李静怡孕8个月啦，群里的宝妈们一起准备待产包吧！"


@pytest.fixture
def schedule(db: Database) -> PostSchedule:
    return PostSchedule(db, AuditLog(db), "Asia/Shanghai", lambda: NOW)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_import_stores_good_rows_and_reports_each_bad_one(
    schedule: PostSchedule, db: Database, tmp_path: Path
) -> None:
    customers = _write(tmp_path / "customers.csv", "客户编号,姓名,昵称\nC1,王芳,芳芳\n")
    Importer(db, purposes=[]).run([customers], dry_run=False, errors_path=tmp_path / "c.csv")
    members = _write(
        tmp_path / "members.csv",
        "社群,群昵称,客户编号\n"
        f"{GROUP},李静怡,\n"
        f"{GROUP},豆豆妈,C1\n"
        f"{GROUP},,\n"  # row 4: no nickname
        f"{GROUP},陈晓雯,C9\n"  # row 5: unknown customer
        f"{GROUP},李静怡,\n"  # row 6: repeats row 2
        f"{'群' * 61},张婷,\n",  # row 7: community name too long
        encoding="gb18030",
    )
    errors = tmp_path / "errors.csv"
    with language("en"):
        report = CommunityMembers(schedule).import_csv(members, dry_run=False, errors_path=errors)
        reasons = [(p.row, p.column, render(p.reason)) for p in report.problems]
    assert reasons == [
        (4, "nickname", "required"),
        (5, "customer_id", "unknown customer 'C9'"),
        (6, "nickname", "duplicate of row 2"),
        (7, "community", "longer than 60 characters"),
    ]
    assert (report.files[0].rows, report.files[0].new, report.files[0].errors) == (6, 2, 4)
    assert report.errors_path == errors and errors.read_text("utf-8-sig").count("\n") == 5
    # the linked customer's name and nickname count as names of the member
    assert schedule.members(GROUP) == sorted(["李静怡", "豆豆妈", "王芳", "芳芳"])
    again = CommunityMembers(schedule).import_csv(members, dry_run=False, errors_path=errors)
    assert (again.files[0].new, again.files[0].existing) == (0, 2)


def test_a_dry_run_stores_nothing(schedule: PostSchedule, tmp_path: Path) -> None:
    members = _write(tmp_path / "m.csv", f"community,nickname\n{GROUP},李静怡\n")
    report = CommunityMembers(schedule).import_csv(
        members, dry_run=True, errors_path=tmp_path / "e.csv"
    )
    assert report.files[0].new == 1 and schedule.members(GROUP) == []


def test_the_demo_week_seeds_its_members_once(schedule: PostSchedule) -> None:
    week = load_demo_week(REPO / "knowledge" / "_samples" / "community_week.yaml")
    seed_demo_week(schedule, week, date(2026, 11, 27))
    shipped = next(c for c in week.communities if c.name == GROUP).members
    assert len(shipped) >= 8 and schedule.members(GROUP) == sorted(shipped)
    assert CommunityMembers(schedule).add(GROUP, ["新成员"]) == 0  # already has members
    assert "新成员" not in schedule.members(GROUP)


@pytest.mark.parametrize(("members", "blocked"), [([], False), (["李静怡"], True)])
def test_a_post_naming_a_member_with_sensitive_data_is_blocked_only_when_she_is_known(
    members: list[str], blocked: bool
) -> None:
    request = PostRequest(post_type="tips", topic="待产包", community=GROUP, members=members)
    draft = plan_post(request, "zh", NOW.date()).check
    assert draft.members == members
    verdict = check(draft.model_copy(update={"text": POST}))
    named = [f for f in verdict.findings if f.rule == "sensitive" and f.text == "孕8个月"]
    assert bool(named) is blocked


def test_the_cli_imports_members_and_drafts_posts_with_them(
    fake_settings: Settings, tmp_path: Path, post_members: list[list[str]]
) -> None:
    members = _write(tmp_path / "members.csv", f"社群,群昵称\n{GROUP},李静怡\n")
    runner = CliRunner()
    result = runner.invoke(app, ["customers", "members", str(members), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["files"][0]["new"] == 1
    args = ["post", "--type", "tips", "--topic", "奶粉冲调", "--community", GROUP, "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stdout
    assert post_members == [["李静怡"]]
