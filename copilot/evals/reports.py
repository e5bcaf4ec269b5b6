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
from copilot.evals.results import CaseResult, RunRecord

MAX_SHOWN = 600


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


def _cell(text: str) -> str:
    return clip(text, 300).replace("|", "\\|").replace("\n", "<br>")


def diff_lines(comparison: Comparison) -> list[str]:
    """The baseline diff as Markdown bullet lines (also printed by the CLI)."""
    lines = [f"对比基线 / baseline `{comparison.baseline_id}` → `{comparison.current_id}`", ""]
    titles = {
        "regressed": "回退 / regressions",
        "fixed": "修复 / fixed",
        "score": f"分数变化 > {comparison.tolerance:g} / score changes",
        "added": "新增用例 / new cases",
        "removed": "移除用例 / removed cases",
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
        f"# 评测报告 / eval report `{record.run_id}`",
        "",
        f"- 时间 / started: {record.started_at:%Y-%m-%d %H:%M:%S} · {record.seconds:.1f} s",
        f"- 版本 / revision: `{record.git_rev}` · 后端 / backend: {record.model} ({record.backend})",
        f"- 提示词 / prompts: {', '.join(f'{k}@{v}' for k, v in record.prompts.items()) or '—'}",
        f"- 结果 / result: {s.passed}/{s.total} passed ({s.pass_rate:.1%}), {s.failed} failed, "
        f"{s.errors} errors, {s.skipped} skipped, {s.skipped_assertions} assertions skipped",
        f"- 用量 / usage: {s.backend_calls} backend calls, {s.cached} cached, "
        f"{s.input_tokens}+{s.output_tokens} tokens, ¥{s.cost:.4f}"
        + (f" (+{s.unpriced} unpriced)" if s.unpriced else ""),
        *(f"- 提示 / notice: {n}" for n in record.notices),
        "",
        "## 各评测集通过率 / pass rate per suite",
        "",
        "| suite | passed | total | rate |",
        "|---|---:|---:|---:|",
        *(f"| {r.name} | {r.passed} | {r.total} | {r.rate:.1%} |" for r in per_suite(record)),
        "",
        "## 各断言类型通过率 / pass rate per assertion type",
        "",
        "| type | passed | total | rate |",
        "|---|---:|---:|---:|",
        *(f"| {r.name} | {r.passed} | {r.total} | {r.rate:.1%} |" for r in per_assertion(record)),
        "",
    ]
    if comparison:
        lines += ["## 基线对比 / baseline diff", "", *diff_lines(comparison), ""]
    failing = problems(record)
    lines += [f"## 未通过用例 / failing cases ({len(failing)})", ""]
    for case in failing:
        lines += [f"### `{case.key}` — {case.status}", "", f"- 位置 / where: `{case.where}`"]
        lines.append(f"- 输入 / input: {_cell(input_text(case))}")
        if case.error:
            lines.append(f"- 错误 / error: {_cell(case.error)}")
        for index, output in enumerate(case.outputs, start=1):
            lines.append(f"- 输出 {index} / output {index}: {_cell(output)}")
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
                ET.SubElement(element, "error", message=clip(case.error, 200)).text = case.error
            elif case.status == "fail":
                reasons = "\n".join(f"{a.type}: {a.reason}" for a in case.failing)
                body = f"{case.where}\ninput: {input_text(case)}\n{reasons}\noutput: {case.outputs}"
                ET.SubElement(element, "failure", message=clip(reasons, 200)).text = body
            elif case.status == "skipped":
                ET.SubElement(element, "skipped", message="all assertions skipped")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
