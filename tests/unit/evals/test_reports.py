from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from copilot.evals import compare
from copilot.evals.html_report import html, write_reports
from copilot.evals.reports import junit, markdown, per_assertion, per_suite
from copilot.messages import language
from tests.unit.evals.conftest import case, run


def _runs():
    failing = case("b", "fail", (False, 0.0)).model_copy(
        update={"input": {"message": "<script>alert(1)</script>"}, "outputs": ["回复 & 输出"]}
    )
    baseline = run("1", case("a", "pass", (True, 1)), case("b", "pass", (True, 1)))
    current = run("2", case("a", "pass", (True, 1)), failing, case("c", "error", suite="t"))
    current.cases[2].error = "BackendError: connection refused"
    return baseline, current


def test_rates_per_suite_and_assertion() -> None:
    _, current = _runs()
    assert [(r.name, r.passed, r.total) for r in per_suite(current)] == [("s", 1, 2), ("t", 0, 1)]
    assert [(r.name, r.passed, r.total) for r in per_assertion(current)] == [("contains", 1, 2)]


def test_markdown_has_diff_and_failing_case_details() -> None:
    baseline, current = _runs()
    with language("zh"):
        text = markdown(current, compare(baseline, current))
    assert "**回退: 1**" in text and "`s/b` pass→fail" in text and "regressions" not in text
    assert "❌ `contains`: r" in text and "BackendError: connection refused" in text


def test_reports_read_in_one_language() -> None:
    baseline, current = _runs()
    with language("en"):
        text = markdown(current, compare(baseline, current))
        page = html(current, compare(baseline, current))
    assert "**regressions: 1**" in text and "## Failing cases (2)" in text
    assert "1/3 passed (33.3%), 1 failed, 1 errors" in text
    for chinese in ("回退", "未通过", "通过率", "输入", "基线"):
        assert chinese not in text and chinese not in page
    assert '<html lang="en">' in page and "<h2>Pass rate per suite</h2>" in page
    with language("zh"):
        text = markdown(current, compare(baseline, current))
    assert "## 未通过用例 (2)" in text and "1/3 通过(33.3%),1 未通过,1 出错" in text
    for english in ("regressions", "Failing", "passed", "input"):
        assert english not in text


def test_junit_counts_failures_and_errors() -> None:
    _, current = _runs()
    root = ET.fromstring(junit(current).split("\n", 1)[1])
    suites = {s.get("name"): s for s in root}
    assert (suites["s"].get("tests"), suites["s"].get("failures")) == ("2", "1")
    assert suites["t"].get("errors") == "1"
    assert suites["s"].find("testcase[@name='b']/failure") is not None


def test_html_is_self_contained_and_escaped(tmp_path: Path) -> None:
    baseline, current = _runs()
    page = html(current, compare(baseline, current))
    assert page.count("<svg") == 2 and "<script>" not in page and "&lt;script&gt;" in page
    assert "regressed" in page and "回复 &amp; 输出" in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    names = sorted(p.name for p in write_reports(tmp_path / "out", current, None))
    assert names == ["junit.xml", "report.html", "report.md"]
