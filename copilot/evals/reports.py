"""Run reports as text: pass-rate tables, Markdown, and JUnit XML for CI.

The HTML report (`copilot.evals.html_report`) shows the same tables and failing cases as
charts; both read the aggregates defined here.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import defaultdict

from pydantic import BaseModel, ConfigDict

from copilot.evals.compare import Comparison
from copilot.evals.results import CaseResult, RunRecord, RunSummary
from copilot.messages import Msg, Text, msg, render

MAX_SHOWN = 600
# Headings and labels shared by the Markdown and HTML reports (rendered in the current language).
PER_SUITE = msg("各评测集通过率", "Pass rate per suite")
PER_ASSERTION = msg("各断言类型通过率", "Pass rate per assertion type")
BASELINE_DIFF = msg("基线对比", "Baseline diff")
FAILING = msg("未通过用例", "Failing cases")
WHERE = msg("位置", "where")
INPUT = msg("输入", "input")
OUTPUT = msg("输出", "output")
RATE_COLUMNS = msg("通过 | 总数 | 通过率", "passed | total | rate")


class Rate(BaseModel):
    """Passed out of total for one suite or one assertion type."""

    model_config = ConfigDict(extra="forbid")

    name: str
    passed: int = 0
    total: int = 0

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def per_suite(record: RunRecord) -> list[Rate]:
    rates: dict[str, Rate] = {}
    for case in record.cases:
        rate = rates.setdefault(case.suite, Rate(name=case.suite))
        rate.total += 1
        rate.passed += case.status == "pass"
    return list(rates.values())


def per_assertion(record: RunRecord) -> list[Rate]:
    rates: dict[str, Rate] = defaultdict(lambda: Rate(name=""))
    for case in record.cases:
        for a in case.assertions:
            if a.skipped:
                continue
            rate = rates[a.type]
            rate.name = a.type
            rate.total += 1
            rate.passed += a.passed
    return sorted(rates.values(), key=lambda r: (r.rate, r.name))


def problems(record: RunRecord) -> list[CaseResult]:
    return [c for c in record.cases if c.status in ("fail", "error")]


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def input_text(case: CaseResult) -> str:
    return json.dumps(case.input, ensure_ascii=False)


def _cell(text: Text) -> str:
    return clip(render(text), 300).replace("|", "\\|").replace("\n", "<br>")


def result_line(s: RunSummary) -> Msg:
    """Passed, failed, errored and skipped counts in one line."""
    return msg(
        f"{s.passed}/{s.total} 通过({s.pass_rate:.1%}),{s.failed} 未通过,{s.errors} 出错,"
        f"{s.skipped} 跳过,{s.skipped_assertions} 条断言跳过",
        f"{s.passed}/{s.total} passed ({s.pass_rate:.1%}), {s.failed} failed, {s.errors} errors, "
        f"{s.skipped} skipped, {s.skipped_assertions} assertions skipped",
    )


def usage_line(s: RunSummary) -> Msg:
    """Backend calls, cache hits, tokens and cost in one line."""
    tokens = f"{s.input_tokens}+{s.output_tokens} tokens, ¥{s.cost:.4f}"
    line = msg(
        f"{s.backend_calls} 次后端调用,{s.cached} 次缓存命中,{tokens}",
        f"{s.backend_calls} backend calls, {s.cached} cached, {tokens}",
    )
    if s.unpriced:
        line += msg(f"(另有 {s.unpriced} 个未计价)", f" (+{s.unpriced} unpriced)")
    return line


def diff_lines(comparison: Comparison) -> list[str]:
    """The baseline diff as Markdown bullet lines (also printed by the CLI)."""
    lines = [
        f"{msg('对比基线', 'baseline')} `{comparison.baseline_id}` → `{comparison.current_id}`",
        "",
    ]
    tolerance = f"{comparison.tolerance:g}"
    titles = {
        "regressed": msg("回退", "regressions"),
        "fixed": msg("修复", "fixed"),
        "score": msg(f"分数变化 > {tolerance}", f"score changes > {tolerance}"),
        "added": msg("新增用例", "new cases"),
        "removed": msg("移除用例", "removed cases"),
    }
    for change, title in titles.items():
        diffs = comparison.of(change)  # type: ignore[arg-type]
        lines.append(f"- **{title}: {len(diffs)}**")
        for diff in diffs:
            moved = "; ".join(
                f"{a.label} {a.before_score}→{a.after_score} ({_cell(a.reason)})"
                for a in diff.assertions
            )
            lines.append(f"  - `{diff.key}` {diff.before}→{diff.after} {moved}".rstrip())
    return lines


def markdown(record: RunRecord, comparison: Comparison | None = None) -> str:
    s = record.summary()
    lines = [
        f"# {msg('评测报告', 'Eval report')} `{record.run_id}`",
        "",
        f"- {msg('时间', 'started')}: {record.started_at:%Y-%m-%d %H:%M:%S} · {record.seconds:.1f} s",
        f"- {msg('版本', 'revision')}: `{record.git_rev}` · "
        f"{msg('后端', 'backend')}: {record.model} ({record.backend})",
        f"- {msg('提示词', 'prompts')}: "
        f"{', '.join(f'{k}@{v}' for k, v in record.prompts.items()) or '—'}",
        f"- {msg('结果', 'result')}: {result_line(s)}",
        f"- {msg('用量', 'usage')}: {usage_line(s)}",
        *(f"- {msg('注意', 'notice')}: {render(n)}" for n in record.notices),
        "",
        f"## {PER_SUITE}",
        "",
        f"| {msg('评测集', 'suite')} | {RATE_COLUMNS} |",
        "|---|---:|---:|---:|",
        *(f"| {r.name} | {r.passed} | {r.total} | {r.rate:.1%} |" for r in per_suite(record)),
        "",
        f"## {PER_ASSERTION}",
        "",
        f"| {msg('断言类型', 'type')} | {RATE_COLUMNS} |",
        "|---|---:|---:|---:|",
        *(f"| {r.name} | {r.passed} | {r.total} | {r.rate:.1%} |" for r in per_assertion(record)),
        "",
    ]
    if comparison:
        lines += [f"## {BASELINE_DIFF}", "", *diff_lines(comparison), ""]
    failing = problems(record)
    lines += [f"## {FAILING} ({len(failing)})", ""]
    for case in failing:
        lines += [f"### `{case.key}` — {case.status}", "", f"- {WHERE}: `{case.where}`"]
        lines.append(f"- {INPUT}: {_cell(input_text(case))}")
        if case.error:
            lines.append(f"- {msg('错误', 'error')}: {_cell(case.error)}")
        for index, output in enumerate(case.outputs, start=1):
            lines.append(f"- {OUTPUT} {index}: {_cell(output)}")
        for a in case.failing:
            lines.append(f"- ❌ `{a.type}`: {_cell(a.reason)}")
        lines.append("")
    return "\n".join(lines)


def junit(record: RunRecord) -> str:
    """JUnit XML: one <testsuite> per suite, one <testcase> per case."""
    root = ET.Element("testsuites", name="siyu-eval", tests=str(len(record.cases)))
    for rate in per_suite(record):
        cases = [c for c in record.cases if c.suite == rate.name]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=rate.name,
            tests=str(len(cases)),
            failures=str(sum(c.status == "fail" for c in cases)),
            errors=str(sum(c.status == "error" for c in cases)),
            skipped=str(sum(c.status == "skipped" for c in cases)),
            time=f"{sum(c.latency_ms for c in cases) / 1000:.3f}",
        )
        for case in cases:
            name = case.case_id + (f"#{case.repeat}" if case.repeat else "")
            element = ET.SubElement(
                suite,
                "testcase",
                classname=case.suite,
                name=name,
                time=f"{case.latency_ms / 1000:.3f}",
            )
            if case.status == "error":
                error = render(case.error)
                ET.SubElement(element, "error", message=clip(error, 200)).text = error
            elif case.status == "fail":
                reasons = "\n".join(f"{a.type}: {render(a.reason)}" for a in case.failing)
                body = f"{case.where}\ninput: {input_text(case)}\n{reasons}\noutput: {case.outputs}"
                ET.SubElement(element, "failure", message=clip(reasons, 200)).text = body
            elif case.status == "skipped":
                ET.SubElement(element, "skipped", message="all assertions skipped")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
