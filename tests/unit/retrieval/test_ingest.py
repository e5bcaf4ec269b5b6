from __future__ import annotations

from pathlib import Path

from copilot.retrieval import Ingestor
from copilot.retrieval.store import VectorStore


def _by_name(report, name):
    return next(f for f in report.files if f.source.endswith(name))


def test_broken_files_are_reported_and_the_rest_ingested(
    ingestor: Ingestor, broken_kb: Path
) -> None:
    report = ingestor.ingest([broken_kb])
    statuses = {f.source.split("/")[-1]: f.status for f in report.files}
    assert statuses == {
        "bad_lines.jsonl": "added",
        "broken_rows.csv": "added",
        "corrupt.docx": "skipped",
        "empty.txt": "skipped",
        "faq_gbk.csv": "added",
        "junk.txt": "skipped",
        "notes_bom.md": "added",
        "setup.pdf": "skipped",
    }
    assert _by_name(report, "broken_rows.csv").chunks == 2
    rows = sorted((p.source.split("/")[-1], p.row) for p in report.problems if p.row)
    assert rows == [
        ("bad_lines.jsonl", 2),
        ("bad_lines.jsonl", 3),
        ("bad_lines.jsonl", 4),
        ("broken_rows.csv", 3),
        ("broken_rows.csv", 4),
        ("broken_rows.csv", 5),
    ]
    assert report.chunks_added == ingestor.store.count() == 1 + 2 + 2 + 2


def test_reingesting_unchanged_files_adds_nothing(ingestor: Ingestor, broken_kb: Path) -> None:
    ingestor.ingest([broken_kb])
    revision = ingestor.store.revision()
    again = ingestor.ingest([broken_kb])
    assert again.chunks_added == 0
    assert {f.status for f in again.files} == {"unchanged", "skipped"}
    assert ingestor.store.revision() == revision  # nothing changed: derived indexes stay valid


def test_changed_file_replaces_only_its_changed_chunks(ingestor: Ingestor, broken_kb: Path) -> None:
    ingestor.ingest([broken_kb])
    before = ingestor.store.count()
    faq = broken_kb / "faq_gbk.csv"
    faq.write_bytes(
        "question,answer,category\n发票怎么开?,下单后在订单详情页申请电子发票,发票\n会员日是哪天?,每月28日是会员日,会员\n".encode(
            "gbk"
        )
    )
    report = ingestor.ingest([broken_kb])
    entry = _by_name(report, "faq_gbk.csv")
    assert (entry.status, entry.added, entry.removed) == ("updated", 1, 1)
    assert ingestor.store.count() == before
    texts = ingestor.store.all_documents()[1]
    assert any("28日" in t for t in texts) and not any("18日是会员日" in t for t in texts)
    assert ingestor.ingest([broken_kb]).chunks_added == 0  # kept chunks were restamped


def test_a_file_that_breaks_keeps_its_stored_chunks(ingestor: Ingestor, broken_kb: Path) -> None:
    ingestor.ingest([broken_kb])
    before = ingestor.store.count()
    (broken_kb / "notes_bom.md").write_bytes(b"")
    report = ingestor.ingest([broken_kb])
    assert _by_name(report, "notes_bom.md").status == "skipped"
    assert ingestor.store.count() == before


def test_prune_removes_chunks_of_deleted_files_only(ingestor: Ingestor, broken_kb: Path) -> None:
    ingestor.ingest([broken_kb])
    (broken_kb / "faq_gbk.csv").unlink()
    kept = ingestor.ingest([broken_kb])
    assert not any(f.status == "removed" for f in kept.files)
    pruned = ingestor.ingest([broken_kb], prune=True)
    removed = [f for f in pruned.files if f.status == "removed"]
    assert len(removed) == 1 and removed[0].removed == 2
    assert not any("发票" in t for t in ingestor.store.all_documents()[1])


def test_too_large_file_is_skipped_with_a_hint(
    store: VectorStore, fake_settings, tmp_path: Path
) -> None:
    settings = fake_settings.retrieval.model_copy(update={"max_file_mb": 1.0})
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2_000_000)
    report = Ingestor(store, settings).ingest([big])
    assert report.files[0].status == "skipped"
    assert "SIYU_RETRIEVAL_MAX_FILE_MB" in report.problems[0].hint


def test_missing_path_is_reported(ingestor: Ingestor, tmp_path: Path) -> None:
    report = ingestor.ingest([tmp_path / "nope"])
    assert report.files[0].status == "skipped"
    assert "不存在" in report.problems[0].message


def test_progress_reports_every_file(ingestor: Ingestor, broken_kb: Path) -> None:
    seen = []
    ingestor.ingest([broken_kb], progress=lambda p: seen.append((p.file_index, p.file_total)))
    assert {i for i, _ in seen} == set(range(1, 9)) and {t for _, t in seen} == {8}
