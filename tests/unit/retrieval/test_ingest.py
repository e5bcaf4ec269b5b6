from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from copilot.messages import language, render
from copilot.retrieval import Ingestor
from copilot.retrieval import ingest as ingest_module
from copilot.retrieval.chroma import make_client
from copilot.retrieval.store import VectorStore

HAN = re.compile(r"[\u3400-\u9fff]")


def _by_name(report, name):
    return next(f for f in report.files if f.source.endswith(name))


def test_broken_files_are_reported_and_the_rest_ingested(
    ingestor: Ingestor, broken_kb: Path
) -> None:
    report = ingestor.ingest([broken_kb])
    statuses = {f.source.split("/")[-1]: f.status for f in report.files}
    assert statuses == {
        "bad_lines.jsonl": "added",
        "bogus_type.md": "skipped",
        "broken_rows.csv": "added",
        "broken_xml.docx": "skipped",
        "corrupt.docx": "skipped",
        "empty.txt": "skipped",
        "faq_gbk.csv": "added",
        "junk.txt": "skipped",
        "long_cell.csv": "added",
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
        ("long_cell.csv", 3),
    ]
    assert report.chunks_added == ingestor.store.count() == 1 + 2 + 2 + 2 + 2
    assert (report.files_failed, report.rows_skipped, report.ok) == (6, 7, False)


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
    texts = ingestor.store.documents().texts
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
    assert not any("发票" in t for t in ingestor.store.documents().texts)


def test_too_large_file_is_skipped_with_a_hint(
    store: VectorStore, fake_settings, tmp_path: Path
) -> None:
    settings = fake_settings.retrieval.model_copy(update={"max_file_mb": 1.0})
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2_000_000)
    report = Ingestor(store, settings).ingest([big])
    assert report.files[0].status == "skipped"
    assert "SIYU_RETRIEVAL_MAX_FILE_MB" in render(report.problems[0].hint, "en")
    assert render(report.problems[0].message, "en") == "file too large: 2.0 MB, the limit is 1 MB"
    assert render(report.problems[0].message, "zh") == "文件 2.0 MB,超过上限 1 MB"


def test_missing_path_is_reported(ingestor: Ingestor, tmp_path: Path) -> None:
    report = ingestor.ingest([tmp_path / "nope"])
    assert report.files[0].status == "skipped"
    assert render(report.problems[0].message, "zh") == "路径不存在"
    assert render(report.problems[0].message, "en") == "path does not exist"


def test_a_skipped_file_renders_in_one_language_per_face(
    ingestor: Ingestor, tmp_path: Path
) -> None:
    report = ingestor.ingest([tmp_path / "nope"])
    with language("zh"):
        chinese = report.model_dump()["files"][0]["problems"][0]
    with language("en"):
        english = report.model_dump()["files"][0]["problems"][0]
    assert chinese == {
        "source": str(tmp_path / "nope"),
        "row": None,
        "field": None,
        "message": "路径不存在",
        "hint": "检查路径拼写",
    }
    assert english["message"] == "path does not exist"
    assert english["hint"] == "check the spelling of the path"
    assert not HAN.search(json.dumps(english, ensure_ascii=False))


def test_progress_reports_every_file(ingestor: Ingestor, broken_kb: Path) -> None:
    seen = []
    ingestor.ingest([broken_kb], progress=lambda p: seen.append((p.file_index, p.file_total)))
    assert {i for i, _ in seen} == set(range(1, 12)) and {t for _, t in seen} == {11}


@pytest.mark.parametrize(
    ("name", "field", "words"),
    [
        (
            "bogus_type.md",
            "doc_type",
            ["'bogus'", "product, faq, policy, promotion, approved, doc"],
        ),
        ("broken_xml.docx", None, ["XML", "docx"]),
        ("long_cell.csv", "answer", ["131,072"]),
    ],
)
def test_each_broken_file_is_named_with_its_reason(
    ingestor: Ingestor, broken_kb: Path, name: str, field: str | None, words: list[str]
) -> None:
    report = ingestor.ingest([broken_kb])
    problems = [p for p in report.problems if p.source.endswith(name)]
    assert len(problems) == 1
    assert problems[0].field == field and problems[0].hint
    for lang in ("zh", "en"):
        message = render(problems[0].message, lang)  # type: ignore[arg-type]
        assert all(w in message for w in words), message
    assert not HAN.search(render(problems[0].message, "en") + render(problems[0].hint, "en"))


def test_an_unexpected_error_in_one_file_is_that_files_report(
    ingestor: Ingestor, broken_kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_load = ingest_module.load

    def flaky(path: Path, source: str):
        if path.name == "faq_gbk.csv":
            raise RuntimeError("parser exploded\nsecond line")
        return real_load(path, source)

    monkeypatch.setattr(ingest_module, "load", flaky)
    report = ingestor.ingest([broken_kb])
    entry = _by_name(report, "faq_gbk.csv")
    assert entry.status == "skipped"
    assert render(entry.problems[0].message, "zh") == "意外错误 (RuntimeError): parser exploded"
    assert (
        render(entry.problems[0].message, "en")
        == "unexpected error (RuntimeError): parser exploded"
    )
    assert render(entry.problems[0].hint, "zh") and render(entry.problems[0].hint, "en")
    assert _by_name(report, "notes_bom.md").status == "added"  # sorted after it: still ingested


def test_symlinks_out_of_the_folder_are_refused_and_inside_ones_kept(
    ingestor: Ingestor, tmp_path: Path
) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash 机密", encoding="utf-8")
    (kb / "faq.md").write_text("# 运费\n\n满99包邮。\n", encoding="utf-8")
    (kb / "passwd.txt").symlink_to(secret)
    (kb / "same_faq.md").symlink_to(kb / "faq.md")
    (kb / "outside").symlink_to(tmp_path, target_is_directory=True)
    report = ingestor.ingest([kb])
    statuses = {f.source: f.status for f in report.files}
    assert statuses == {"kb/faq.md": "added", "kb/outside": "skipped", "kb/passwd.txt": "skipped"}
    refused = _by_name(report, "passwd.txt").problems[0]
    assert "符号链接" in render(refused.message, "zh") and str(secret) in render(
        refused.message, "zh"
    )
    assert render(refused.message, "en") == (
        f"symlink points outside the ingested folder ({secret}), skipped"
    )
    texts = ingestor.store.documents().texts
    assert texts == ["运费\n满99包邮。"]


class _Killed(BaseException):
    """Stands in for SIGKILL: nothing after the raise point runs."""


def _kill_on_call(monkeypatch: pytest.MonkeyPatch, target: object, name: str, n: int) -> None:
    real = getattr(target, name)
    calls = iter(range(1, 1_000_000))

    def dying(*args, **kwargs):
        if next(calls) == n:
            raise _Killed
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, dying)


def _faq(path: Path, rows: int, variant: str = "") -> Path:
    lines = ["question,answer"] + [f"问题{i}{variant}?,答案{i}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _contents(store: VectorStore) -> dict[str, tuple[str, dict]]:
    """Every stored chunk: id → (text, metadata)."""
    docs = store.documents()
    return {i: (t, m) for i, t, m in zip(docs.ids, docs.texts, docs.metas, strict=True)}


def _clean_contents(store: VectorStore, fake_settings, folder: Path) -> dict[str, tuple[str, dict]]:
    """What a clean ingest of `folder` into an empty collection stores."""
    client = make_client(None, fake_settings.chroma_dir)
    clean = VectorStore(lambda: (client, 0), "clean-reference", store.embedder)
    Ingestor(clean, fake_settings.retrieval, batch_size=8).ingest([folder])
    contents = _contents(clean)
    client.delete_collection("clean-reference")
    return contents


@pytest.mark.parametrize("batches_stored", [0, 1, 5])
def test_a_run_killed_mid_file_is_finished_by_the_next_run(
    store: VectorStore,
    fake_settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    batches_stored: int,
) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    _faq(kb / "faq.csv", 60)
    ingestor = Ingestor(store, fake_settings.retrieval, batch_size=8)
    with monkeypatch.context() as patch:
        _kill_on_call(patch, store, "add", batches_stored + 1)
        with pytest.raises(_Killed):
            ingestor.ingest([kb])
    assert store.count() == 8 * batches_stored
    rerun = ingestor.ingest([kb])
    entry = _by_name(rerun, "faq.csv")
    assert entry.status != "unchanged" and entry.added == 60 - 8 * batches_stored
    assert _contents(store) == _clean_contents(store, fake_settings, kb)
    assert _by_name(ingestor.ingest([kb]), "faq.csv").status == "unchanged"


@pytest.mark.parametrize(("method", "call"), [("add", 2), ("restamp", 1), ("delete", 1)])
def test_an_update_killed_at_any_step_is_finished_by_the_next_run(
    store: VectorStore,
    fake_settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    call: int,
) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    _faq(kb / "faq.csv", 40)
    ingestor = Ingestor(store, fake_settings.retrieval, batch_size=8)
    ingestor.ingest([kb])
    text = (kb / "faq.csv").read_text(encoding="utf-8").splitlines()
    # Rows 0-19 kept (moved down: their row numbers change), 20-39 replaced by new rows
    # above them: the update adds, restamps and deletes.
    new_rows = [f"新问题{i}?,新答案{i}" for i in range(30)]
    (kb / "faq.csv").write_text("\n".join(text[:1] + new_rows + text[1:21]) + "\n", "utf-8")
    with monkeypatch.context() as patch:
        _kill_on_call(patch, store, method, call)
        with pytest.raises(_Killed):
            ingestor.ingest([kb])
    assert _by_name(ingestor.ingest([kb]), "faq.csv").status == "updated"
    assert _contents(store) == _clean_contents(store, fake_settings, kb)
    assert store.count() == 50


def test_chunks_stored_without_a_chunk_count_are_restamped_not_trusted(
    ingestor: Ingestor, tmp_path: Path
) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    _faq(kb / "faq.csv", 10)
    ingestor.ingest([kb])
    key = str((kb / "faq.csv").resolve())
    ids = ingestor.store.manifest()[key].ids
    ingestor.store.delete(ids[:4])  # what an older, non-atomic ingest left after a kill
    for chunk_id in ids[4:]:
        meta = ingestor.store.get([chunk_id])[chunk_id][1]
        meta.pop("file_chunks")
        ingestor.store.collection.update(ids=[chunk_id], metadatas=[meta])
    entry = _by_name(ingestor.ingest([kb]), "faq.csv")
    assert (entry.status, entry.added, entry.chunks) == ("updated", 4, 10)
    assert ingestor.store.manifest()[key].complete_hash()


def test_a_run_killed_before_its_commit_is_committed_by_the_next_run(
    store: VectorStore, fake_settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    _faq(kb / "faq.csv", 10)
    ingestor = Ingestor(store, fake_settings.retrieval, batch_size=8)
    revision = store.revision()
    with monkeypatch.context() as patch:
        _kill_on_call(patch, store, "commit", 1)
        with pytest.raises(_Killed):
            ingestor.ingest([kb])
    assert store.revision() == revision and store.interrupted()  # all stored, not committed
    rerun = ingestor.ingest([kb])
    assert _by_name(rerun, "faq.csv").status == "unchanged"
    assert store.revision() != revision and not store.interrupted()  # keyword indexes rebuild
    settled = store.revision()
    ingestor.ingest([kb])
    assert store.revision() == settled


def test_what_an_escaping_symlink_brought_in_earlier_is_removed(
    ingestor: Ingestor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash 机密", encoding="utf-8")
    (kb / "passwd.txt").symlink_to(secret)
    (kb / "faq.md").write_text("# 运费\n\n满99包邮。\n", encoding="utf-8")
    real_discover = ingest_module.discover

    def unchecked(paths: list[Path]):  # how folders were walked before links were checked
        for found in real_discover(paths):
            yield ingest_module.Found(found.path, found.source)

    with monkeypatch.context() as patch:
        patch.setattr(ingest_module, "discover", unchecked)
        ingestor.ingest([kb])
    assert any("机密" in t for t in ingestor.store.documents().texts)
    report = ingestor.ingest([kb])
    refused = _by_name(report, "passwd.txt")
    assert (refused.status, refused.removed) == ("skipped", 1)
    message = refused.problems[0].message
    assert render(message, "en").endswith("; 1 chunks it brought in earlier were removed")
    assert render(message, "zh").endswith(";此前经它导入的 1 块已删除")
    assert ingestor.store.documents().texts == ["运费\n满99包邮。"]
