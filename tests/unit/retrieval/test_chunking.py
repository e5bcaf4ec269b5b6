from __future__ import annotations

from copilot.retrieval.chunking import chunk_sections
from copilot.retrieval.loaders import Section
from copilot.retrieval.text import estimate_tokens


def _chunks(sections: list[Section], budget: int = 40, overlap: int = 8, key: str = "k"):
    return chunk_sections(
        sections,
        key=key,
        source="s.md",
        doc_type="policy",
        language=None,
        budget=budget,
        overlap=overlap,
    )


def test_atomic_sections_stay_whole_even_when_long() -> None:
    text = "问:" + "很长的问题" * 50 + "\n答:好的"
    chunks = _chunks([Section(text=text, heading="q", atomic=True, row=7)])
    assert len(chunks) == 1 and chunks[0].text == text and chunks[0].row == 7


def test_long_section_splits_within_budget_with_overlap() -> None:
    sentences = [f"第{i}条规则说明了退货流程的一个步骤。" for i in range(30)]
    chunks = _chunks([Section(text="".join(sentences), heading="退货")], budget=40, overlap=20)
    assert len(chunks) > 5
    for chunk in chunks:
        assert chunk.text.startswith("退货\n")
        assert estimate_tokens(chunk.text.removeprefix("退货\n")) <= 40
    # consecutive chunks share the overlapping sentence
    first, second = chunks[0].text, chunks[1].text
    assert first.splitlines()[-1][-17:] in second


def test_run_on_text_without_punctuation_is_hard_split() -> None:
    text = "".join(chr(0x4E00 + i) for i in range(500))
    chunks = _chunks([Section(text=text)], budget=50, overlap=0)
    assert len(chunks) == 10


def test_ids_are_content_hashes() -> None:
    a = _chunks([Section(text="满99元包邮。")])
    b = _chunks([Section(text="满99元包邮。")])
    c = _chunks([Section(text="满199元包邮。")])
    d = _chunks([Section(text="满99元包邮。")], key="other-file")
    assert a[0].id == b[0].id
    assert a[0].id != c[0].id
    assert a[0].id != d[0].id


def test_duplicate_passages_in_one_file_are_stored_once() -> None:
    chunks = _chunks(
        [Section(text="同一句话。", atomic=True), Section(text="同一句话。", atomic=True)]
    )
    assert len(chunks) == 1


def test_language_detected_per_section() -> None:
    chunks = _chunks([Section(text="Free shipping over 99 yuan."), Section(text="满99元包邮。")])
    assert [c.language for c in chunks] == ["en", "zh"]
