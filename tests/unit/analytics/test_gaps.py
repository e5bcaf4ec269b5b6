"""Knowledge gaps: which questions count, how they group, and proposing a topic as 话术."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from copilot.analytics.cluster import average_linkage
from copilot.analytics.gaps import find_gaps
from copilot.analytics.proposals import propose_answer, topic_of
from copilot.audit.log import AuditLog, DraftCreated, HumanAction
from copilot.cli import app
from copilot.errors import InputError
from copilot.retrieval.approved import ApprovedAnswers
from copilot.store.engine import Database
from tests.unit.analytics.conftest import Clock

INVOICE_EDIT = "您好，电子发票会在确认收货后24小时内发到您的邮箱，如需纸质发票请联系客服备注抬头。"


def _embed(texts: list[str]) -> np.ndarray:
    """Two topics: returns (退货) and invoices (发票)."""
    return np.array([[1.0, 0.0] if "退货" in t else [0.0, 1.0] for t in texts], dtype=np.float32)


@pytest.fixture
def gaps_db(db: Database) -> Database:
    clock = Clock()
    log = AuditLog(db, redactor=lambda text: text, clock=clock)

    def ask(at: str, base: str, question: str, suggestions: int = 1, **fields: object) -> None:
        clock.now = datetime.fromisoformat(at)
        for i in range(1, suggestions + 1):
            log.record(DraftCreated(draft_id=f"reply-{base}-{i}", task="reply", verdict="pass",
                                    text="请稍等，我确认一下", question=question, **fields))  # type: ignore[arg-type]  # fmt: skip

    def decide(at: str, event: HumanAction) -> None:
        clock.now = datetime.fromisoformat(at)
        log.record(event)

    ask("2026-11-03 10:00:00", "a1", "退货运费谁出", 2, needs_human=True)  # two suggestions
    ask("2026-11-10 10:00:00", "a2", "退货运费谁出", 1, needs_human=True)
    ask("2026-11-11 10:00:00", "a3", "退货的运费怎么算")
    decide(
        "2026-11-11 10:01:00",
        HumanAction(draft_id="reply-a3-1", action="rejected", reason="答非所问"),
    )
    ask("2026-11-12 10:00:00", "a4", "能开发票吗")
    decide(
        "2026-11-12 10:01:00", HumanAction.edited("reply-a4-1", "请稍等，我确认一下", INVOICE_EDIT)
    )
    ask("2026-11-12 11:00:00", "a5", "发票抬头能改吗")  # lightly edited: not a gap
    decide(
        "2026-11-12 11:01:00",
        HumanAction.edited("reply-a5-1", "请稍等，我确认一下", "请稍等，我确认一下哦"),
    )
    ask("2026-11-12 12:00:00", "a6", "退货地址是哪里")  # accepted: not a gap
    decide("2026-11-12 12:01:00", HumanAction(draft_id="reply-a6-1", action="accepted"))
    return db


def test_gap_questions_grouped_with_counts_trend_and_answer(gaps_db: Database) -> None:
    report = find_gaps(gaps_db, "2026-11", _embed, threshold=0.5)
    assert report.questions == 4
    returns, invoices = report.topics
    assert (returns.id, returns.count, invoices.count) == (1, 3, 1)
    assert returns.reasons == {"holding": 2, "rejected": 1}
    assert returns.weeks == {"2026-10-26": 0, "2026-11-02": 1, "2026-11-09": 2,
                             "2026-11-16": 0, "2026-11-23": 0, "2026-11-30": 0}  # fmt: skip
    assert returns.trend == "steady"
    assert returns.samples == ["退货运费谁出", "退货的运费怎么算"]
    assert returns.suggested_answer == ""
    assert invoices.label == "能开发票吗" and invoices.reasons == {"heavily_edited": 1}
    assert invoices.suggested_answer == INVOICE_EDIT


def test_a_gap_becomes_a_pending_proposal(gaps_db: Database, tmp_path: Path) -> None:
    report = find_gaps(gaps_db, "2026-11", _embed, threshold=0.5)
    approved = ApprovedAnswers(gaps_db, tmp_path / "approved", ingestor=None)  # type: ignore[arg-type]
    proposal = propose_answer(approved, topic_of(report, 2), actor="小林")
    assert (proposal.question, proposal.answer, proposal.status) == (
        "能开发票吗",
        INVOICE_EDIT,
        "pending",
    )
    assert [p.id for p in approved.pending()] == [proposal.id]
    with pytest.raises(InputError):  # no edited reply to start from and no answer given
        propose_answer(approved, topic_of(report, 1), actor="小林")
    written = propose_answer(
        approved, topic_of(report, 1), answer="质量问题运费由我们承担。", actor="小林"
    )
    assert written.question == "退货运费谁出"
    with pytest.raises(InputError):
        topic_of(report, 9)


def test_empty_month_has_no_topics(gaps_db: Database) -> None:
    report = find_gaps(gaps_db, "2026-09", _embed)
    assert (report.questions, report.topics) == (0, [])


def test_average_linkage_stops_at_the_threshold() -> None:
    vectors = np.array([[1, 0], [0.96, 0.28], [0, 1], [0.28, 0.96], [-1, 0]], dtype=np.float32)
    cosine = vectors @ vectors.T
    assert average_linkage(cosine, 0.9) == [[0, 1], [2, 3], [4]]
    assert average_linkage(cosine, 0.99) == [[0], [1], [2], [3], [4]]
    assert average_linkage(cosine, -1.0) == [[0, 1, 2, 3, 4]]


def test_cli_gaps_json_and_propose(gaps_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIYU_EMBEDDING_PROVIDER", "fake")
    env = {"SIYU_DATABASE_URL": gaps_db.url}
    runner = CliRunner()
    shown = runner.invoke(app, ["gaps", "--month", "2026-11", "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.stdout)
    assert report["questions"] == 4
    assert report["topics"][0]["label"] == "退货运费谁出"  # the one question asked twice
    invoice = next(t for t in report["topics"] if t["label"] == "能开发票吗")
    proposed = runner.invoke(
        app, ["gaps", "--month", "2026-11", "--propose", str(invoice["id"]), "--json"], env=env
    )
    assert proposed.exit_code == 0, proposed.output
    assert json.loads(proposed.stdout)["answer"] == INVOICE_EDIT
    missing = runner.invoke(app, ["gaps", "--month", "2026-11", "--propose", "99"], env=env)
    assert missing.exit_code == 1 and "Traceback" not in missing.output
