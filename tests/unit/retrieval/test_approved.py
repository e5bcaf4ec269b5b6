"""Approved answers: propose → approve → ingested as doc type `approved`, ranked ahead of FAQ;
the review queue lives in the database, shared by every process using it."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.config import Settings
from copilot.errors import InputError, StoreError
from copilot.retrieval import Ingestor, Retriever
from copilot.retrieval.approved import ApprovedAnswers
from copilot.retrieval.store import open_store
from copilot.store.engine import Database

QUESTION = "奶粉罐子漏粉了能换吗"
FAQ = "question,answer\n奶粉罐子漏粉了能换吗,请联系客服处理。\n宝宝几个月能吃辅食,一般满6个月。\n"


@pytest.fixture
def setup(fake_settings: Settings, tmp_path: Path) -> tuple[ApprovedAnswers, Retriever]:
    store = open_store(fake_settings)
    ingestor = Ingestor(store, fake_settings.retrieval)
    faq = tmp_path / "faq.csv"
    faq.write_text(FAQ, encoding="utf-8")
    ingestor.ingest([faq])
    retriever = Retriever(store, fake_settings.retrieval)
    db = Database(fake_settings.db_url)
    return ApprovedAnswers(db, fake_settings.home / "approved", ingestor), retriever


def test_approved_answer_ranks_ahead_of_faq(setup: tuple[ApprovedAnswers, Retriever]) -> None:
    answers, retriever = setup
    assert retriever.search(QUESTION, k=1)[0].doc_type == "faq"
    proposal = answers.propose(QUESTION, "漏粉请拍照留批次号,我们换新并承担运费。", actor="agent")
    assert [p.id for p in answers.pending()] == [proposal.id]
    answers.approve(proposal.id, reviewer="lead")
    retriever.refresh()
    top = retriever.search(QUESTION, k=2)
    assert top[0].doc_type == "approved"
    assert "换新" in top[0].text
    assert answers.pending() == []
    assert answers.proposals()[0].reviewed_by == "lead"


def test_rejected_proposal_is_not_ingested(setup: tuple[ApprovedAnswers, Retriever]) -> None:
    answers, retriever = setup
    proposal = answers.propose(QUESTION, "随便答", actor="agent")
    answers.reject(proposal.id, reviewer="lead", reason="不准确")
    assert answers.proposals()[0].status == "rejected"
    assert all(h.doc_type != "approved" for h in retriever.search(QUESTION, k=5))


@pytest.mark.parametrize(
    ("question", "answer", "field"),
    [("", "答", "question"), ("问", "  ", "answer"), ("问", "长" * 1501, "answer")],
)
def test_propose_rejects_bad_input(
    setup: tuple[ApprovedAnswers, Retriever], question: str, answer: str, field: str
) -> None:
    with pytest.raises(InputError) as info:
        setup[0].propose(question, answer, actor="agent")
    assert info.value.where == field


def test_reviewing_twice_or_unknown_id_is_refused(setup: tuple[ApprovedAnswers, Retriever]) -> None:
    answers, _ = setup
    proposal = answers.propose(QUESTION, "答复", actor="agent")
    answers.reject(proposal.id, reviewer="lead", reason="")
    with pytest.raises(InputError, match="已驳回") as done:
        answers.approve(proposal.id, reviewer="lead")
    assert f"proposal {proposal.id} is already rejected" in done.value.render("en")
    with pytest.raises(InputError, match="没有编号") as missing:
        answers.approve("missing", reviewer="lead")
    assert "no proposal with id 'missing'" in missing.value.render("en")


def test_a_second_process_sees_the_queue_and_cannot_review_twice(
    setup: tuple[ApprovedAnswers, Retriever],
) -> None:
    answers, _ = setup
    other = ApprovedAnswers(Database(answers.db.url), answers.folder, answers.ingestor)
    proposal = answers.propose(QUESTION, "漏粉请拍照留批次号。", actor="agent")
    assert [p.id for p in other.pending()] == [proposal.id]
    stale = other._get(proposal.id)  # the other reviewer's page still shows it pending
    answers.approve(proposal.id, reviewer="lead")
    with pytest.raises(InputError, match="已通过") as late:
        other._review(stale, status="rejected", reviewed_by="lead-2")
    assert f"proposal {proposal.id} is already approved" in late.value.render("en")
    assert other.proposals()[0].reviewed_by == "lead"


def test_a_failed_ingest_leaves_the_proposal_pending(
    setup: tuple[ApprovedAnswers, Retriever], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers, _ = setup
    proposal = answers.propose(QUESTION, "答复", actor="agent")

    def broken(paths: list[Path]) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(answers.ingestor, "ingest", broken)
    with pytest.raises(OSError):
        answers.approve(proposal.id, reviewer="lead")
    assert [p.id for p in answers.pending()] == [proposal.id]


def test_an_earlier_release_log_is_imported_once(fake_settings: Settings) -> None:
    folder = fake_settings.home / "approved"
    folder.mkdir(parents=True)
    first = '{"id": "a1", "question": "问", "answer": "答", "proposed_by": "agent",'
    first += ' "proposed_at": "2026-11-01T10:00:00"}'
    decided = first[:-1] + ', "status": "rejected", "reviewed_by": "lead", "reason": "不准确"}'
    (folder / "proposals.jsonl").write_text(f"{first}\n{decided}\n", encoding="utf-8")
    db = Database(fake_settings.db_url)
    answers = ApprovedAnswers(db, folder, ingestor=None)  # type: ignore[arg-type]
    (imported,) = answers.proposals()
    assert (imported.id, imported.status, imported.reason) == ("a1", "rejected", "不准确")
    assert not (folder / "proposals.jsonl").exists()
    assert (folder / "proposals.jsonl.imported").is_file()
    assert len(ApprovedAnswers(db, folder, ingestor=None).proposals()) == 1  # type: ignore[arg-type]


def test_corrupt_legacy_log_line_names_the_line(fake_settings: Settings) -> None:
    folder = fake_settings.home / "approved"
    folder.mkdir(parents=True)
    log = folder / "proposals.jsonl"
    log.write_text('\n{"id": 3}\n', encoding="utf-8")
    with pytest.raises(StoreError, match="第 2 行") as caught:
        ApprovedAnswers(Database(fake_settings.db_url), folder, ingestor=None)  # type: ignore[arg-type]
    english = caught.value.render("en")
    assert english.startswith(f"{log}: line 2 is corrupt: ")
    assert "proposed_by: Field required" in english
    assert log.is_file()  # nothing lost: the log stays until it imports
