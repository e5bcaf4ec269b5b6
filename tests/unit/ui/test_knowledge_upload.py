"""Workbench upload: every file gets its own row; a broken one never stops the good ones."""

from __future__ import annotations

import shutil
from pathlib import Path

from copilot.app import Copilot
from copilot.config import Settings
from copilot.ui.i18n import Texts
from copilot.ui.knowledge_tab import KnowledgeTab
from copilot.ui.workbench import Workbench
from tests.conftest import FIXTURES


def _no_progress(*_args: object, **_kwargs: object) -> None:
    """Stands in for gr.Progress outside a running app."""


def test_a_broken_docx_beside_a_good_markdown(fake_settings: Settings, tmp_path: Path) -> None:
    good = tmp_path / "消毒器说明.md"
    good.write_text("# 消毒\n\n奶瓶消毒器每次蒸汽消毒 8 分钟。\n", encoding="utf-8")
    broken = tmp_path / "售后说明.docx"
    shutil.copyfile(FIXTURES / "kb_broken" / "broken_xml.docx", broken)
    bogus = tmp_path / "会员权益.md"
    shutil.copyfile(FIXTURES / "kb_broken" / "bogus_type.md", bogus)
    app = Copilot.from_settings(fake_settings)
    wb = Workbench(app)
    tab = KnowledgeTab(wb, Texts("zh"))

    status, rows, *_ = tab.ingest([str(good), str(broken), str(bogus)], progress=_no_progress)

    by_file = {row[0].split("/")[-1]: row for row in rows}
    assert by_file["消毒器说明.md"][1:4] == ["added", 1, 1]
    assert by_file["售后说明.docx"][1] == "skipped" and "XML" in by_file["售后说明.docx"][4]
    assert by_file["会员权益.md"][1] == "skipped"
    assert "product, faq, policy" in by_file["会员权益.md"][4]
    assert "1 ✓" in status and "2 ✗" in status
    hits = app.retriever.search("奶瓶消毒多久", k=1)
    assert [h.source for h in hits] == ["uploads/消毒器说明.md"]
    assert sorted(p.name for p in wb.uploads_dir.iterdir()) == ["消毒器说明.md"]
