"""Tab 评测: pick suites, run with progress, pass rate, diff against the baseline, failing
cases, and the HTML report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import gradio as gr

from copilot.config import bundled_dir
from copilot.errors import CopilotError, InputError
from copilot.evals import Comparison, RunRecord, load_suites
from copilot.evals.reports import diff_lines, per_suite, problems
from copilot.evals.results import CaseResult
from copilot.evals.session import EvalRequest
from copilot.messages import msg, render
from copilot.ui.cards import error_html
from copilot.ui.i18n import Texts
from copilot.ui.safe import h
from copilot.ui.workbench import Workbench

FAILING_HEADERS = {
    "zh": ["用例", "位置", "状态", "原因"],
    "en": ["case", "where", "status", "reason"],
}


def summary_html(record: RunRecord, comparison: Comparison | None, t: Texts) -> str:
    """Pass rate, per-suite rates and the baseline diff (its text as the CLI prints it)."""
    summary = record.summary()
    suites = "".join(
        f"<li>{h(r.name)}: {r.passed}/{r.total} ({r.rate:.0%})</li>" for r in per_suite(record)
    )
    diff = "\n".join(diff_lines(comparison)) if comparison else t("no_baseline")
    return (
        f"<h3>{h(t('pass_rate'))}: {summary.passed}/{summary.total} "
        f"({summary.passed / max(summary.total, 1):.0%}) · {h(record.backend)} · "
        f"{record.seconds:.1f}s</h3><ul>{suites}</ul><div class='siyu-pre'>{h(diff)}</div>"
    )


class EvalsTab:
    def __init__(self, wb: Workbench, t: Texts) -> None:
        self.wb, self.app, self.t = wb, wb.copilot, t

    def suite_names(self) -> list[str]:
        try:
            return [s.name for s in load_suites([bundled_dir("evals")])]
        except CopilotError:
            return []

    def run(
        self,
        names: list[str],
        baseline: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's idiom)
    ) -> tuple[str, list[list[Any]], str | None]:
        """(summary HTML, failing cases, HTML report path)."""
        if not names:
            error = InputError(
                msg("请至少选择一个评测集", "pick at least one suite"), where=self.t("suites")
            )
            return error_html(error), [], None
        done = [0]
        total = [0]

        def on_start(count: int) -> None:
            total[0] = count
            progress((0, count), desc=self.t("tab_evals"))

        def on_result(case: CaseResult) -> None:
            done[0] += 1
            progress((done[0], max(total[0], done[0])), desc=case.key[:60])

        try:
            suites = [x for x in load_suites([bundled_dir("evals")]) if x.name in names]
            first_run = baseline == "last" and not self.app.eval_runs.run_ids()
            request = EvalRequest(
                suites=suites,
                baseline=None if baseline == "none" or first_run else baseline,
                report_dir=self.wb.exports_dir / f"eval-{datetime.now():%Y%m%d-%H%M%S}",
            )
            outcome = self.app.run_evals(request, on_start=on_start, on_result=on_result)
            report = next(p for p in outcome.reports if p.suffix == ".html")
        except CopilotError as exc:
            return error_html(exc), [], None
        record, comparison = outcome.record, outcome.comparison
        failing = [
            [
                c.key,
                c.where,
                c.status,
                ("; ".join(f"{a.type}: {render(a.reason)}" for a in c.failing) or render(c.error))[
                    :300
                ],
            ]
            for c in problems(record)
        ]
        return summary_html(record, comparison, self.t), failing, str(report)

    def build(self) -> None:
        t = self.t
        names = self.suite_names()
        with gr.Row():
            suites = gr.CheckboxGroup(
                names, value=names[:1], label=t("suites"), elem_id="siyu-suites", scale=3
            )
            baseline = gr.Dropdown(
                [(t("baseline_last"), "last"), (t("baseline_saved"), "saved"), ("—", "none")],
                value="last",
                label=t("baseline"),
                scale=1,
                elem_id="siyu-baseline",
            )
        run = gr.Button(t("run_evals"), variant="primary", elem_id="siyu-run-evals")
        summary = gr.HTML(elem_id="siyu-eval-summary")
        failing = gr.Dataframe(
            headers=FAILING_HEADERS[t.lang], label=t("failing"), wrap=True, max_height=400
        )
        report = gr.File(label=t("report"), elem_id="siyu-eval-report", height=90)
        run.click(self.run, [suites, baseline], [summary, failing, report], concurrency_limit=1)
