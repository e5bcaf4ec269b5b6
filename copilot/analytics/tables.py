"""The report as titled tables of text: one layout for Markdown, HTML, CSV and the 看板 tab."""

from __future__ import annotations

from dataclasses import dataclass

from copilot.analytics.labels import (
    ACCEPTANCE_COLUMNS,
    CADENCE_COLUMNS,
    DIMENSIONS,
    MESSAGE_COLUMNS,
    cell,
)
from copilot.analytics.models import Acceptance, MonthlyReport


@dataclass(frozen=True)
class TextTable:
    key: str
    title: str
    headers: list[str]
    rows: list[list[str]]


def _acceptance_rows(slices: dict[str, Acceptance]) -> list[list[str]]:
    rows = []
    for key, part in slices.items():
        data = part.model_dump()
        rows.append([key, *[cell(name, data[name]) for name, _ in ACCEPTANCE_COLUMNS]])
    return rows


def _counts(key: str, title: str, head: str, counts: dict[str, int]) -> TextTable:
    rows = [[name, str(n)] for name, n in counts.items()]
    return TextTable(key, title, [head, "次数 / count"], rows)


def report_tables(report: MonthlyReport) -> list[TextTable]:
    """Every table of the report in reading order (empty tables included: they say 'none')."""
    headers = [label for _, label in ACCEPTANCE_COLUMNS]
    tables = [
        TextTable(
            "totals", "本月合计 / month total", ["", *headers],
            _acceptance_rows({report.month: report.totals}),
        ),
        TextTable("by_day", "按日 / by day", ["日期 / day", *headers], _acceptance_rows(report.by_day)),
    ]  # fmt: skip
    for key, title in DIMENSIONS:
        slices: dict[str, Acceptance] = getattr(report, key)
        tables.append(
            TextTable(key, title, [title.split(" / ")[0], *headers], _acceptance_rows(slices))
        )
    tables += [
        _counts("reject_reasons", "不采纳原因 / reject reasons", "原因 / reason", report.reject_reasons),
        _counts("verdicts", "护栏结论 / guardrail verdicts", "结论 / verdict", report.verdicts),
        TextTable(
            "rules", "触发的护栏规则 / rules fired", ["规则 / rule", "结论 / verdict", "次数 / count"],
            [[r.rule, r.verdict, str(r.count)] for r in report.rules],
        ),
        TextTable(
            "overrides", "人工放行 / overrides", ["规则 / rule", "对象 / on", "次数 / count"],
            [[o.rule, o.kind, str(o.count)] for o in report.overrides],
        ),
        TextTable(
            "communities", "社群发帖与上限 / posts against the cap",
            [label for _, label in CADENCE_COLUMNS],
            [[cell(k, c.model_dump()[k]) for k, _ in CADENCE_COLUMNS] for c in report.communities],
        ),
        TextTable(
            "messages", "1:1 消息(每客户每周) / 1:1 messages per customer per week",
            [label for _, label in MESSAGE_COLUMNS],
            [[cell(k, w.model_dump()[k]) for k, _ in MESSAGE_COLUMNS] for w in report.messages],
        ),
    ]  # fmt: skip
    return tables
