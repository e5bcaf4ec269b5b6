"""Withdrawal always wins: the state rule, future effective times, and campaigns honouring
withdrawals that come from an import, the CLI or the middle of a run."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from copilot.campaigns.campaign import Campaigns
from copilot.campaigns.playbooks import load_playbooks
from copilot.cli import app
from copilot.config import Settings
from copilot.customers.consent import ConsentRegistry
from copilot.customers.importer import Importer
from copilot.drafting import Drafter, DraftResult, MessageRequest
from copilot.errors import InputError
from copilot.guardrails.consent_state import CLOCK_SKEW, ConsentEvent, current_state
from copilot.messages import render
from copilot.store.engine import Database
from copilot.store.schema import campaign_results, consents
from tests.conftest import REPO
from tests.unit.customers.conftest import NOW

SETTINGS = Settings()
PURPOSE = "marketing_personalisation"
H = timedelta(hours=1)


def ev(action: str, at: datetime) -> ConsentEvent:
    return ConsentEvent(purpose=PURPOSE, action=action, at=at, source="x")  # type: ignore[arg-type]


G, W = "granted", "withdrawn"


@pytest.mark.parametrize(
    ("recorded", "expected"),
    [
        ([(G, -2 * H)], G),
        ([(G, -2 * H), (W, -H)], W),
        ([(G, -2 * H), (W, -H), (G, -H / 2)], G),  # re-granted later: consent again
        ([(W, -H), (G, -2 * H)], W),  # grant recorded later, effective earlier: never wins
        ([(G, -H / 2), (W, -H)], W),  # back-dated withdrawal beats an earlier-recorded grant
        ([(W, -H), (G, -H)], W),  # tie: withdrawal wins
        ([(G, -H), (W, -H)], W),
        ([(G, timedelta(days=365 * 70)), (W, -H)], W),  # the 2099 grant
        ([(W, -H), (G, timedelta(minutes=1))], W),  # grant not in effect yet
        ([(G, -H), (W, CLOCK_SKEW)], W),  # a withdrawal from a fast clock counts at once
        ([(G, timedelta(minutes=1))], None),
        ([(G, -H), (W, -H / 2), (G, -H / 4), (W, -2 * H)], W),
    ],
)
def test_state_rule(recorded: list[tuple[str, timedelta]], expected: str | None) -> None:
    decided = current_state([ev(action, NOW + offset) for action, offset in recorded], NOW)
    assert (decided[PURPOSE].action if PURPOSE in decided else None) == expected


def test_a_future_effective_time_is_refused_by_the_api(registry: ConsentRegistry) -> None:
    cid = next(iter(registry.states()))
    before = registry.history(cid)
    with pytest.raises(InputError) as caught:
        registry.change(
            cid, PURPOSE, "granted", source="x", actor="op", at=NOW + CLOCK_SKEW + timedelta(1)
        )
    assert caught.value.where == "at"
    assert "in the future" in caught.value.render("en")
    assert "生效时间在未来" in caught.value.render("zh")
    assert registry.history(cid) == before
    event = registry.change(cid, PURPOSE, "granted", source="x", actor="op", at=NOW + CLOCK_SKEW)
    assert event.at == NOW + CLOCK_SKEW


def _consents_csv(tmp_path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path = tmp_path / "late.csv"
    lines = ["customer_id,purpose,action,time,source"]
    lines += [f"{cid},{PURPOSE},{action},{at},导入" for cid, action, at in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(db: Database, path: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    importer = Importer(db, purposes=SETTINGS.guardrails.purpose_fields, clock=lambda: NOW)
    return importer.run([path], dry_run=False, errors_path=tmp_path / "errors.csv")


def test_a_future_consent_row_is_a_row_error(
    registry: ConsentRegistry, demo_db: Database, tmp_path: Path
) -> None:
    cid = next(iter(registry.states()))
    path = _consents_csv(tmp_path, [(cid, "granted", "2099-01-01"), (cid, "withdrawn", str(NOW))])
    report = _import(demo_db, path, tmp_path)
    (problem,) = report.problems
    assert (problem.row, problem.column, problem.value) == (2, "at", "2099-01-01")
    assert "未来" in render(problem.reason, "zh") and "future" in render(problem.reason, "en")
    with demo_db.begin() as conn:
        stored = conn.execute(select(consents.c.at).where(consents.c.customer_id == cid))
        assert datetime(2099, 1, 1) not in set(stored.scalars())


@pytest.fixture
def campaigns(demo_db: Database, registry: ConsentRegistry, catalog) -> Campaigns:  # type: ignore[no-untyped-def]
    drafter = Drafter.from_settings(SETTINGS, retriever=NoHits(), clock=lambda: NOW)
    return Campaigns(
        demo_db, registry.audit, registry, drafter, catalog, SETTINGS.customers,
        SETTINGS.guardrails, clock=lambda: NOW,
    )  # fmt: skip


class NoHits:
    def search(self, query, k=5, filters=None):  # type: ignore[no-untyped-def]
        return []


def _dormant():  # type: ignore[no-untyped-def]
    g = SETTINGS.guardrails
    return load_playbooks(REPO / "knowledge" / "playbooks", g.purpose_fields, g)["dormant"]


def _statuses(db: Database, campaign_id: str) -> dict[str, str]:
    query = select(campaign_results.c.customer_id, campaign_results.c.status).where(
        campaign_results.c.campaign_id == campaign_id
    )
    with db.begin() as conn:
        return {cid: status for cid, status in conn.execute(query)}


def test_an_imported_backdated_grant_does_not_revive_an_imported_withdrawal(
    campaigns: Campaigns, demo_db: Database, tmp_path: Path
) -> None:
    spec = _dormant()
    first, second = campaigns.audience(spec, "plan").eligible[:2]
    yesterday, last_week = NOW - timedelta(days=1), NOW - timedelta(days=7)
    _import(demo_db, _consents_csv(tmp_path, [(first, "withdrawn", str(yesterday))]), tmp_path)
    later = _consents_csv(
        tmp_path, [(first, "granted", str(last_week)), (second, "withdrawn", str(yesterday))]
    )
    assert not _import(demo_db, later, tmp_path).problems
    audience = campaigns.audience(spec, "c-import")
    assert {first, second} <= {e.customer_id for e in audience.excluded}
    campaigns.run(spec, "c-import")
    stored = _statuses(demo_db, "c-import")
    assert stored and first not in stored and second not in stored


class WithdrawingDrafter:
    """Drafts normally; while drafting the first customer, the rest of the audience withdraws."""

    def __init__(self, inner: Drafter, registry: ConsentRegistry, later: list[str]) -> None:
        self.inner, self.registry, self.later = inner, registry, later
        self.drafted: list[str] = []

    def message(self, request: MessageRequest) -> DraftResult:
        if not self.drafted:
            for cid in self.later:
                self.registry.change(cid, PURPOSE, "withdrawn", source="客户私信", actor="op")
        self.drafted.append(str(request.customer_id))
        return self.inner.message(request)

    def __getattr__(self, name: str) -> object:  # the rest (plan, engine) is the real drafter's
        return getattr(self.inner, name)


def test_withdrawals_during_a_run_stop_the_later_drafts(
    campaigns: Campaigns, registry: ConsentRegistry
) -> None:
    spec = _dormant()
    audience, _ = campaigns.start(spec, "c-mid", resume=False)
    assert len(audience) > 3
    later = audience[1:]
    fake = WithdrawingDrafter(campaigns.drafter, registry, later)  # type: ignore[arg-type]
    campaigns.drafter = fake
    summary = campaigns.run(spec, "c-mid", resume=True, concurrency=1)
    stored = _statuses(campaigns.db, "c-mid")
    assert stored[audience[0]] == "drafted"
    assert {stored[cid] for cid in later} == {"excluded"}
    assert summary.counts["excluded"] == len(later)
    drafts = [r.event for r in campaigns.audit.events(kinds={"draft_created"})]
    assert [d.customer_id for d in drafts] == [audience[0]]  # type: ignore[union-attr]


def test_cli_withdrawal_beats_a_future_grant_already_stored(
    campaigns: Campaigns, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _dormant()
    cid = campaigns.audience(spec, "plan").eligible[0]
    with campaigns.db.begin() as conn:  # as an import before future times were refused
        conn.execute(
            consents.insert().values(
                customer_id=cid, purpose=PURPOSE, action="granted", at=datetime(2099, 1, 1),
                source="旧导入",
            )
        )  # fmt: skip
    monkeypatch.setenv("SIYU_DATABASE_URL", db_url)
    runner = CliRunner()
    withdrawn = runner.invoke(
        app, ["consent", "withdraw", cid, PURPOSE], env={"SIYU_LANGUAGE": "zh"}
    )
    assert withdrawn.exit_code == 0, withdrawn.output
    assert f"当前状态: {W}" in withdrawn.stdout
    campaigns.consent.clock = datetime.now  # the CLI recorded the withdrawal at the real now
    assert campaigns.consent.states([cid])[cid][PURPOSE].action == W
    future = runner.invoke(
        app, ["consent", "grant", cid, PURPOSE, "--at", "2099-01-01"], env={"SIYU_LANGUAGE": "zh"}
    )
    assert future.exit_code == 1 and "未来" in future.output
    garbled = runner.invoke(
        app, ["consent", "grant", cid, PURPOSE, "--at", "下周一"], env={"SIYU_LANGUAGE": "zh"}
    )
    assert garbled.exit_code == 1 and "--at" in garbled.output and "ISO" in garbled.output
    outcome = campaigns.draft_one(spec, "c-cli", cid)
    assert (outcome.row["status"], outcome.row["detail"]["code"]) == ("excluded", "withdrawn")
