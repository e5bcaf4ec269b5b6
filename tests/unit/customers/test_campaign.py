from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from copilot.campaigns.batch import BatchBridge
from copilot.campaigns.campaign import Campaigns
from copilot.campaigns.playbooks import PlaybookSpec, load_playbooks
from copilot.campaigns.results import campaign_status, export_results
from copilot.config import Settings
from copilot.customers.consent import ConsentRegistry
from copilot.drafting import Drafter
from copilot.errors import InputError
from copilot.store.engine import Database
from copilot.store.schema import campaign_results
from tests.conftest import REPO
from tests.unit.customers.conftest import NOW

SETTINGS = Settings()


class NoHits:
    def search(self, query, k=5, filters=None):  # type: ignore[no-untyped-def]
        return []


@pytest.fixture
def books() -> dict[str, PlaybookSpec]:
    g = SETTINGS.guardrails
    return load_playbooks(REPO / "knowledge" / "playbooks", g.purpose_fields, g)


@pytest.fixture
def drafter() -> Drafter:
    return Drafter.from_settings(Settings(), retriever=NoHits(), clock=lambda: NOW)


@pytest.fixture
def campaigns(demo_db: Database, registry: ConsentRegistry, drafter: Drafter, catalog) -> Campaigns:
    return Campaigns(
        demo_db,
        registry.audit,
        registry,
        drafter,
        catalog,
        SETTINGS.customers,
        SETTINGS.guardrails,
        clock=lambda: NOW,
    )


def results(db: Database, campaign_id: str) -> dict[str, str]:
    with db.begin() as conn:
        rows = conn.execute(
            select(campaign_results.c.customer_id, campaign_results.c.status).where(
                campaign_results.c.campaign_id == campaign_id
            )
        )
        return {cid: status for cid, status in rows}


def test_every_eligible_customer_gets_one_draft_and_one_audit_event(
    campaigns: Campaigns, books: dict[str, PlaybookSpec]
) -> None:
    spec = books["dormant"]
    audience = campaigns.audience(spec, "c1")
    assert audience.eligible and audience.excluded
    summary = campaigns.run(spec, "c1", concurrency=4)
    stored = results(campaigns.db, "c1")
    assert sorted(stored) == sorted(audience.eligible)
    assert set(stored.values()) == {"drafted"}
    events = list(campaigns.audit.events())
    drafted = Counter(r.subject for r in events if r.event.kind == "draft_created")
    assert set(drafted.values()) == {1} and len(drafted) == len(audience.eligible)
    assert [r.event.kind for r in events].count("campaign_run") == 1
    assert summary.audience == len(audience.eligible)


def test_withdrawal_between_plan_and_run_excludes_the_customer(
    campaigns: Campaigns, registry: ConsentRegistry, books: dict[str, PlaybookSpec]
) -> None:
    spec = books["dormant"]
    planned = campaigns.audience(spec, "c2").eligible
    gone = planned[0]
    registry.change(gone, spec.purpose, "withdrawn", source="客户私信", actor="op")
    campaigns.run(spec, "c2")
    stored = results(campaigns.db, "c2")
    assert gone not in stored
    assert len(stored) == len(planned) - 1


def test_withdrawal_during_a_resumed_run_is_honoured(
    campaigns: Campaigns, registry: ConsentRegistry, books: dict[str, PlaybookSpec]
) -> None:
    spec = books["dormant"]
    audience, _ = campaigns.start(spec, "c3", resume=False)
    registry.change(audience[1], spec.purpose, "withdrawn", source="客户私信", actor="op")
    campaigns.run(spec, "c3", resume=True)
    stored = results(campaigns.db, "c3")
    assert stored[audience[1]] == "excluded"
    assert sorted(stored) == sorted(audience)


def test_rerun_needs_resume_and_resume_skips_done(
    campaigns: Campaigns, books: dict[str, PlaybookSpec]
) -> None:
    spec = books["dormant"]
    first = campaigns.run(spec, "c4")
    with pytest.raises(InputError, match="--resume"):
        campaigns.run(spec, "c4")
    again = campaigns.run(spec, "c4", resume=True)
    assert again.skipped == first.audience and again.counts == {}
    with pytest.raises(InputError) as caught:
        campaigns.run(books["koc"], "c4", resume=True)
    assert caught.value.render("zh").startswith("--campaign: 活动 c4 属于剧本 dormant\n提示: ")
    assert caught.value.render("en").startswith("--campaign: campaign c4 belongs to playbook")


def test_frequency_cap_excludes_customers_messaged_by_another_campaign(
    campaigns: Campaigns, books: dict[str, PlaybookSpec]
) -> None:
    campaigns.run(books["member_day"], "member")
    messaged = set(results(campaigns.db, "member"))
    audience = campaigns.audience(books["koc"], "koc-1")
    capped = {e.customer_id for e in audience.excluded if e.code == "frequency_cap"}
    assert capped and capped <= messaged
    assert not set(audience.eligible) & messaged


def test_status_and_exports(
    campaigns: Campaigns, books: dict[str, PlaybookSpec], tmp_path: Path
) -> None:
    campaigns.run(books["dormant"], "c5")
    status = campaign_status(campaigns.db, "c5")
    assert status.remaining == 0 and status.done == status.audience
    n = export_results(campaigns.db, "c5", tmp_path / "r.jsonl")
    lines = (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()
    assert n == len(lines) == status.audience
    exported = [json.loads(line) for line in lines]
    assert {r["customer_id"]: r["status"] for r in exported} == results(campaigns.db, "c5")
    # Template dormant messages carry an opt-out line and only permitted fields: all pass.
    assert {r["verdict"] for r in exported} == {"pass"}
    assert export_results(campaigns.db, "c5", tmp_path / "r.csv") == n
    with pytest.raises(InputError, match="没有活动"):
        campaign_status(campaigns.db, "nope")


def test_openai_batch_round_trip_goes_through_guardrails(
    campaigns: Campaigns, drafter: Drafter, books: dict[str, PlaybookSpec], tmp_path: Path
) -> None:
    spec = books["dormant"]
    bridge = BatchBridge(campaigns, drafter, "gpt-4o-mini", 0.3)
    count = bridge.export(spec, "b1", tmp_path / "in.jsonl")
    requests = [json.loads(x) for x in (tmp_path / "in.jsonl").read_text().splitlines()]
    assert count == len(requests) > 2
    assert requests[0]["body"]["messages"][0]["role"] == "system"
    answers = [
        {
            "suggestions": [
                {"text": "好久不见！老朋友专属福利已为您备好。回复TD退订", "citations": []}
            ]
        },
        {"suggestions": [{"text": "限时3折！仅此一天，立即抢购", "citations": []}]},
    ]
    out = tmp_path / "out.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for i, req in enumerate(requests):
            content = json.dumps(answers[i % 2], ensure_ascii=False)
            body = {"choices": [{"message": {"content": content}}], "usage": {"prompt_tokens": 9}}
            line = {"custom_id": req["custom_id"], "response": {"status_code": 200, "body": body}}
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    counts = bridge.import_results(spec, "b1", out)
    assert counts.get("block", 0) >= count // 2  # the invented 3折 is not in the brief
    assert sum(counts.values()) == count
    assert bridge.import_results(spec, "b1", out) == {"skipped": count}


def test_withdrawal_while_a_draft_is_in_flight_turns_it_into_an_exclusion(
    campaigns: Campaigns, registry: ConsentRegistry, books: dict[str, PlaybookSpec]
) -> None:
    spec = books["dormant"]
    cid = campaigns.start(spec, "c6", resume=False)[0][0]
    with campaigns.db.begin() as conn:
        watermark = registry.watermark(conn)
    outcome = campaigns.draft_one(spec, "c6", cid)
    assert outcome.row["status"] == "drafted"
    registry.change(cid, spec.purpose, "withdrawn", source="客户私信", actor="op")
    (stored,) = campaigns.writer.write(spec, [outcome], watermark)
    assert (stored.row["status"], stored.row["detail"]["code"]) == ("excluded", "withdrawn")
    assert results(campaigns.db, "c6") == {cid: "excluded"}
    assert not [r for r in campaigns.audit.events() if r.event.kind == "draft_created"]
