"""Every renderer of the workbench escapes what comes from data (hostile values stay text)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest

from copilot.community.schedule import ScheduledPost
from copilot.compliance.selfcheck import Section, SelfCheck
from copilot.customers.profiles import CustomerProfile
from copilot.drafting import Citation, Draft, DraftResult
from copilot.drafting.engine import FALLBACK_LABEL
from copilot.drafting.models import PromptRef
from copilot.errors import InputError
from copilot.evals import CaseResult, RunRecord, compare
from copilot.guardrails import Verdict
from copilot.guardrails.models import Finding
from copilot.ui import compliance_tab
from copilot.ui.cards import error_html, ok_html, result_html
from copilot.ui.community_tab import CommunityTab
from copilot.ui.compliance_tab import ComplianceTab, selfcheck_html
from copilot.ui.evals_tab import summary_html
from copilot.ui.i18n import Texts
from copilot.ui.safe import h
from tests.unit.ui.hostile import EVERYTHING, IMG, assert_inert

T = Texts("zh")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<b>", "&lt;b&gt;"),
        ("\"x\" & 'y'", "&quot;x&quot; &amp; &#x27;y&#x27;"),
        (42, "42"),
        ("小禾 · 会员", "小禾 · 会员"),
    ],
)
def test_h_escapes_markup_and_quotes(value: object, expected: str) -> None:
    assert h(value) == expected


def test_draft_cards_escape_text_citations_findings_and_notes() -> None:
    verdict = Verdict(
        verdict="warn",
        findings=[Finding(rule="pii", severity="warn", text=IMG, message=EVERYTHING, fix=IMG)],
    )
    draft = Draft(
        text=EVERYTHING,
        citations=[Citation(id=IMG, source=EVERYTHING, quote=EVERYTHING)],
        verdict=verdict,
    )
    result = DraftResult(
        task="reply",
        drafts=[draft],
        backend=IMG,
        prompt=PromptRef(id="reply", version="1", hash="0", language="zh"),
        verdict=verdict,
        fields_used=[IMG],
        fields_withheld=[IMG],
        notes=[EVERYTHING],
    )
    assert_inert(result_html(result, T))


def test_status_boxes_escape() -> None:
    assert_inert(ok_html(EVERYTHING))
    assert_inert(error_html(InputError(EVERYTHING, where=IMG, hint=IMG)))


def test_consent_lookup_escapes_name_tier_and_city(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = CustomerProfile(id="C000001", name=EVERYTHING, tier=IMG, city=IMG, tags=[IMG])

    @contextmanager
    def begin() -> Iterator[None]:
        yield None

    def profiles(conn: Any, ids: list[str], catalog: Any) -> dict[str, CustomerProfile]:
        return {"C000001": profile}

    monkeypatch.setattr(compliance_tab, "load_profiles", profiles)
    app = SimpleNamespace(
        db=SimpleNamespace(begin=begin),
        catalog={},
        consent=SimpleNamespace(history=lambda cid: []),
    )
    wb = SimpleNamespace(copilot=app)
    head, _, _ = ComplianceTab(wb, T).lookup("c000001")  # type: ignore[arg-type]
    assert_inert(head)
    assert "C000001" in head


def test_selfcheck_escapes_titles_summaries_and_cells() -> None:
    report = SelfCheck(
        month="2026-11",
        sections=[
            Section(title=IMG, ok=False, summary=EVERYTHING, headers=[IMG], rows=[[EVERYTHING]])
        ],
    )
    html = selfcheck_html(report)
    assert_inert(html)
    assert "<table>" in html


def test_eval_summary_escapes_suite_names_and_case_keys() -> None:
    def record(run_id: str, cases: list[CaseResult]) -> RunRecord:
        return RunRecord(
            run_id=run_id, started_at=datetime(2026, 11, 1), backend=IMG, model="m", cases=cases
        )

    case = CaseResult(suite=IMG, case_id=EVERYTHING, task="reply", status="pass")
    before = record("a", [case])
    after = record("b", [case.model_copy(update={"case_id": "other"})])
    html = summary_html(after, compare(before, after), T)
    assert_inert(html)
    assert "移除用例" in html


def test_calendar_escapes_post_text() -> None:
    day = datetime(2026, 11, 3, 10, 0)
    post = ScheduledPost(
        id=1, community=IMG, scheduled_at=day, post_type=IMG, text=EVERYTHING, marketing=True
    )
    tab = CommunityTab(SimpleNamespace(copilot=None), T)  # type: ignore[arg-type]
    cell = tab._day_cell(day, day, [post])
    assert "<img" not in cell and "<script" not in cell
    assert "&lt;img" in cell


@pytest.mark.parametrize(
    ("lang", "shown"),
    [("zh", "模板模式 · 模型输出无效"), ("en", "the model&#x27;s output was unusable")],
)
def test_the_template_fallback_label_reads_in_the_page_language(lang: str, shown: str) -> None:
    verdict = Verdict(verdict="pass", findings=[])
    result = DraftResult(
        task="reply",
        drafts=[Draft(text="您好", verdict=verdict)],
        backend=FALLBACK_LABEL,
        prompt=PromptRef(id="reply", version="1", hash="0", language="zh"),
        verdict=verdict,
    )
    html = result_html(result, Texts(lang))  # type: ignore[arg-type]
    assert shown in html
    if lang == "en":
        assert "模型输出无效" not in html
