"""The report as titled tables of text: one layout for Markdown, HTML, CSV and the 看板 tab.
Titles and headers are messages, rendered by the face in its reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from copilot.analytics.gaps import GapReport
from copilot.analytics.labels import (
    ACCEPTANCE_COLUMNS,
    CADENCE_COLUMNS,
    DIMENSIONS,
    MESSAGE_COLUMNS,
    cell,
)
from copilot.analytics.models import Acceptance, MonthlyReport
from copilot.messages import Msg, Text, msg

COUNT = msg("次数", "count")
RULE = msg("规则", "rule")
VERDICT = msg("结论", "verdict")


@dataclass(frozen=True)
class TextTable:
    key: str
    title: Msg
    headers: list[Text]
    rows: list[list[str]]


def _acceptance_rows(slices: dict[str, Acceptance]) -> list[list[str]]:
    rows = []
    for key, part in slices.items():
        data = part.model_dump()
        rows.append([key, *[cell(name, data[name]) for name, _ in ACCEPTANCE_COLUMNS]])
    return rows


def _counts(key: str, title: Msg, head: Msg, counts: dict[str, int]) -> TextTable:
    rows = [[name, str(n)] for name, n in counts.items()]
    return TextTable(key, title, [head, COUNT], rows)


def report_tables(report: MonthlyReport) -> list[TextTable]:
    """Every table of the report in reading order (empty tables included: they say 'none')."""
    headers: list[Text] = [label for _, label in ACCEPTANCE_COLUMNS]
    tables = [
        TextTable(
            "totals", msg("本月合计", "month total"), ["", *headers],
            _acceptance_rows({report.month: report.totals}),
        ),
        TextTable("by_day", msg("按日", "by day"), [msg("日期", "day"), *headers],
                  _acceptance_rows(report.by_day)),
    ]  # fmt: skip
    for key, title, column in DIMENSIONS:
        slices: dict[str, Acceptance] = getattr(report, key)
        tables.append(TextTable(key, title, [column, *headers], _acceptance_rows(slices)))
    tables += [
        _counts("reject_reasons", msg("不采纳原因", "reject reasons"), msg("原因", "reason"),
                report.reject_reasons),
        _counts("verdicts", msg("护栏结论", "guardrail verdicts"), VERDICT, report.verdicts),
        TextTable(
            "rules", msg("触发的护栏规则", "rules fired"), [RULE, VERDICT, COUNT],
            [[r.rule, r.verdict, str(r.count)] for r in report.rules],
        ),
        TextTable(
            "overrides", msg("人工放行", "overrides"), [RULE, msg("对象", "on"), COUNT],
            [[o.rule, o.kind, str(o.count)] for o in report.overrides],
        ),
        TextTable(
            "communities", msg("社群发帖与上限", "posts against the cap"),
            [label for _, label in CADENCE_COLUMNS],
            [[cell(k, c.model_dump()[k]) for k, _ in CADENCE_COLUMNS] for c in report.communities],
        ),
        TextTable(
            "messages", msg("1:1 消息(每客户每周)", "1:1 messages per customer per week"),
            [label for _, label in MESSAGE_COLUMNS],
            [[cell(k, w.model_dump()[k]) for k, _ in MESSAGE_COLUMNS] for w in report.messages],
        ),
    ]  # fmt: skip
    return tables


GAP_REASONS = {
    "holding": msg("转人工", "holding reply"),
    "rejected": msg("被拒", "rejected"),
    "heavily_edited": msg("大改", "heavily edited"),
}
TRENDS = {"rising": "↑", "falling": "↓", "steady": "→"}
GAP_HEADERS: list[Text] = [
    "#", msg("主题（最有代表性的问题）", "topic (most central question)"), msg("次数", "asks"),
    msg("趋势", "trend"), msg("原因", "reasons"), msg("其他问法", "other wordings"),
    msg("坐席改写", "agents' words"),
]  # fmt: skip


def gap_reasons(reasons: dict[str, int]) -> str:
    """The reasons of a gap topic with their counts, in the current language."""
    return ", ".join(f"{GAP_REASONS[k]} {n}" if k in GAP_REASONS else f"{k} {n}"
                     for k, n in reasons.items())  # fmt: skip


def gap_table(report: GapReport) -> TextTable:
    """The month's knowledge-gap topics, biggest first."""
    rows = [
        [str(t.id), t.label, str(t.count), TRENDS[t.trend], gap_reasons(t.reasons),
         " / ".join(t.samples[1:]), t.suggested_answer]
        for t in report.topics
    ]  # fmt: skip
    return TextTable("gaps", msg("知识缺口", "knowledge gaps"), GAP_HEADERS, rows)
