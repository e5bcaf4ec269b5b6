from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jieba
import pytest

from copilot.retrieval import jieba_dict
from tests.conftest import REPO

WORDS = ("运费险", "七天无理由", "小禾家")
TEXTS = [
    line.strip()
    for path in sorted((REPO / "knowledge").rglob("*"))
    if path.suffix in {".md", ".csv", ".txt", ".jsonl"}
    for line in path.read_text(encoding="utf-8").splitlines()
    if line.strip()
] + ["宝宝7公斤穿什么码", "满多少包邮？不满的话运费多少？", "How do I return an item?"]


def _tokenizer(words: tuple[str, ...] = WORDS) -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    for word in words:
        tokenizer.add_word(word, freq=200000)
    return tokenizer


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[jieba.Tokenizer]:
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(tmp_path_factory.mktemp("jieba-reference"))
    tokenizer.initialize()
    for word in WORDS:
        tokenizer.add_word(word, freq=200000)
    yield tokenizer


def _lazy(folder: Path) -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    jieba_dict.install(tokenizer, folder)
    for word in WORDS:
        tokenizer.add_word(word, freq=200000)
    return tokenizer


def test_lazy_lookups_segment_as_the_whole_dictionary_does(
    reference: jieba.Tokenizer, tmp_path: Path
) -> None:
    assert len(TEXTS) > 50
    lazy = _lazy(tmp_path)
    assert isinstance(lazy.FREQ, jieba_dict.LazyFreq)
    for text in TEXTS:
        assert lazy.lcut_for_search(text) == reference.lcut_for_search(text), text
        assert lazy.lcut(text) == reference.lcut(text), text
    assert lazy.total == reference.total
    # a second tokenizer reads the table built by the first
    assert _lazy(tmp_path).lcut_for_search(TEXTS[0]) == reference.lcut_for_search(TEXTS[0])


def test_bulk_segmentation_switches_to_the_whole_dictionary(
    reference: jieba.Tokenizer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jieba_dict, "FULL_LOAD_AFTER", 50)
    lazy = _lazy(tmp_path)
    results = [lazy.lcut_for_search(text) for text in TEXTS]
    assert type(lazy.FREQ) is dict
    assert lazy.FREQ == reference.FREQ
    assert results == [reference.lcut_for_search(text) for text in TEXTS]


def test_a_damaged_table_is_rebuilt(reference: jieba.Tokenizer, tmp_path: Path) -> None:
    _lazy(tmp_path)
    (table,) = tmp_path.glob("*.sqlite3")
    table.write_bytes(b"not a database")
    lazy = _lazy(tmp_path)
    assert isinstance(lazy.FREQ, jieba_dict.LazyFreq)
    assert lazy.lcut_for_search(TEXTS[1]) == reference.lcut_for_search(TEXTS[1])
