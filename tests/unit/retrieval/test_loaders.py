from __future__ import annotations

import csv
from pathlib import Path

import pytest

from copilot.errors import InputError
from copilot.messages import render
from copilot.retrieval.loaders import load
from tests.conftest import FIXTURES

BROKEN = FIXTURES / "kb_broken"


def test_gbk_faq_csv_loads_as_atomic_pairs() -> None:
    loaded = load(BROKEN / "faq_gbk.csv", "faq_gbk.csv")
    assert loaded.meta["doc_type"] == "faq"
    assert [s.heading for s in loaded.sections] == ["发票怎么开?", "会员日是哪天?"]
    assert all(s.atomic for s in loaded.sections)
    assert loaded.sections[1].text == "问:会员日是哪天?\n答:每月18日是会员日"


def test_bom_markdown_front_matter_and_heading_paths() -> None:
    loaded = load(BROKEN / "notes_bom.md", "notes_bom.md")
    assert loaded.meta == {"title": "门店说明", "doc_type": "policy"}
    assert [s.heading for s in loaded.sections] == [
        "门店说明 > 营业时间",
        "门店说明 > 营业时间 > 停车",
    ]


def test_broken_csv_rows_are_reported_and_good_rows_kept() -> None:
    loaded = load(BROKEN / "broken_rows.csv", "broken_rows.csv")
    assert [s.row for s in loaded.sections] == [2, 6]
    assert [(p.row, p.field) for p in loaded.problems] == [(3, None), (4, "question"), (5, None)]
    assert "列数" in render(loaded.problems[0].message, "zh")
    assert "columns where the header has" in render(loaded.problems[0].message, "en")
    assert "unquoted comma" in render(loaded.problems[0].hint, "en")


def test_jsonl_bad_lines_are_reported_with_line_numbers() -> None:
    loaded = load(BROKEN / "bad_lines.jsonl", "bad_lines.jsonl")
    assert len(loaded.sections) == 1
    promo = loaded.sections[0]
    assert (promo.doc_type, promo.valid_from, promo.valid_to) == ("promotion", 20261120, 20261130)
    assert [p.row for p in loaded.problems] == [2, 3, 4]
    assert loaded.problems[1].field == "text"
    assert render(loaded.problems[1].message, "en") == "missing 'text' field"
    assert render(loaded.problems[1].message, "zh") == "缺少 text 字段"
    assert render(loaded.problems[1].hint, "en") == "one JSON object per line, with a text field"
    assert "YYYY-MM-DD" in render(loaded.problems[2].message, "zh")
    assert "is not a YYYY-MM-DD date" in render(loaded.problems[2].message, "en")


@pytest.mark.parametrize(
    ("name", "zh", "en"),
    [
        ("empty.txt", "文件为空", "the file is empty"),
        ("setup.pdf", "无法读取 PDF", "unreadable PDF"),
        ("corrupt.docx", "无法读取 docx", "unreadable docx"),
        ("junk.txt", "文本中控制字符过多", "too many control characters"),
    ],
)
def test_unusable_files_raise_with_the_file_named(name: str, zh: str, en: str) -> None:
    with pytest.raises(InputError) as info:
        load(BROKEN / name, name)
    assert info.value.where == name
    assert info.value.render("zh").startswith(f"{name}: {zh}")
    assert info.value.render("en").startswith(f"{name}: {en}")
    assert render(info.value.hint, "zh") and render(info.value.hint, "en")


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "a.exe"
    path.write_bytes(b"x")
    with pytest.raises(InputError) as info:
        load(path, "a.exe")
    assert info.value.render("zh") == "a.exe: 不支持的文件类型 .exe\n提示: 支持: " + ", ".join(
        [".md", ".markdown", ".txt", ".csv", ".jsonl", ".pdf", ".docx"]
    )
    assert info.value.render("en").startswith("a.exe: unsupported file type .exe\nhint: supported:")


def test_real_pdf_and_docx_load(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("售后说明", level=1)
    document.add_paragraph("收到破损商品请在48小时内联系客服。")
    document.save(str(tmp_path / "after_sales.docx"))
    loaded = load(tmp_path / "after_sales.docx", "after_sales.docx")
    assert [(s.heading, s.text) for s in loaded.sections] == [
        ("售后说明", "收到破损商品请在48小时内联系客服。")
    ]

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    with (tmp_path / "blank.pdf").open("wb") as handle:
        writer.write(handle)
    with pytest.raises(InputError, match=r"扫描件|no extractable"):
        load(tmp_path / "blank.pdf", "blank.pdf")


def test_front_matter_doc_type_must_be_a_known_one() -> None:
    with pytest.raises(InputError) as info:
        load(BROKEN / "bogus_type.md", "bogus_type.md")
    assert info.value.where == "doc_type"
    assert "'bogus'" in render(info.value.message, "zh")
    assert render(info.value.message, "en").startswith(
        "doc_type 'bogus' is not valid; must be one of: product, faq, policy"
    )


def test_jsonl_doc_type_is_checked_per_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        '{"text": "满99包邮", "doc_type": "policy"}\n{"text": "x", "doc_type": "memo"}\n',
        encoding="utf-8",
    )
    loaded = load(path, "mixed.jsonl")
    assert [s.doc_type for s in loaded.sections] == ["policy"]
    (problem,) = loaded.problems
    assert (problem.row, problem.field) == (2, "doc_type")
    for lang in ("zh", "en"):
        message = render(problem.message, lang)  # type: ignore[arg-type]
        assert "approved, doc" in message and "JSON" not in message


def test_an_over_long_csv_cell_is_one_reported_row() -> None:
    limit = csv.field_size_limit()
    loaded = load(BROKEN / "long_cell.csv", "long_cell.csv")
    assert [s.row for s in loaded.sections] == [2, 4]
    (problem,) = loaded.problems
    assert (problem.row, problem.field) == (3, "answer")
    assert "131,072" in render(problem.message, "zh") and "131,072" in render(problem.message, "en")
    assert problem.hint
    assert csv.field_size_limit() == limit  # the parser's limit is restored


def test_a_docx_with_broken_xml_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        load(BROKEN / "broken_xml.docx", "broken_xml.docx")
    assert "broken XML inside the docx" in render(info.value.message, "en")
    assert "docx 内部的 XML 已损坏" in render(info.value.message, "zh")
    assert info.value.where == "broken_xml.docx" and info.value.hint
