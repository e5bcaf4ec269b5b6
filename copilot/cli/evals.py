"""`siyu eval`: run regression suites, compare with a baseline, write reports, gate CI.

Exit codes: 0 all passed (or, with --baseline, nothing regressed); 1 failures (or regressions);
2 configuration errors (bad suite, unknown baseline, missing endpoint).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from copilot.cli.common import (
    console,
    copilot,
    emit_json,
    err_console,
    handle_errors,
    progress_bar,
    tr,
)
from copilot.config import bundled_dir
from copilot.messages import render

if TYPE_CHECKING:  # the eval runner (drafting, retrieval, judge) loads only when a suite runs
    from copilot.evals import RunRecord
    from copilot.evals.compare import Comparison
    from copilot.evals.results import CaseResult
    from copilot.evals.session import BackendChoice

SHOWN_FAILURES = 15


def register(app: typer.Typer) -> None:
    app.command(
        "eval",
        help=tr(
            "运行评测集:断言、基线对比、报告;回退时退出码为 1。",
            "Run eval suites: assertions, baseline diff, reports; exit code 1 on regressions.",
        ),
    )(eval_suites)


def _table(record: RunRecord) -> Table:
    from copilot.evals.reports import per_suite

    table = Table(title=f"{tr('评测', 'eval')} {record.run_id} · {record.model}")
    table.add_column(tr("评测集", "suite"))
    for column in (tr("通过", "passed"), tr("总数", "total"), tr("通过率", "rate")):
        table.add_column(column, justify="right")
    for rate in per_suite(record):
        style = "green" if rate.rate == 1 else "red"
        table.add_row(rate.name, str(rate.passed), str(rate.total), f"[{style}]{rate.rate:.1%}[/]")
    return table


def _show(record: RunRecord, comparison: Comparison | None) -> None:
    from copilot.evals.reports import diff_lines, problems, result_line, usage_line

    console.print(_table(record))
    failing = problems(record)
    for case in failing[:SHOWN_FAILURES]:
        reasons = "; ".join(f"{a.type}: {render(a.reason)}" for a in case.failing)
        reasons = reasons or render(case.error)
        console.print(f"[red]✗ {case.key}[/] [dim]{case.where}[/] {reasons[:300]}", highlight=False)
    if len(failing) > SHOWN_FAILURES:
        more = len(failing) - SHOWN_FAILURES
        console.print(f"[dim]… {tr(f'另有 {more} 个,见报告', f'{more} more in the report')}[/]")
    s = record.summary()
    console.print(
        f"{render(result_line(s))} · {render(usage_line(s))} · {record.seconds:.1f} s",
        highlight=False,
    )
    for notice in record.notices:
        err_console.print(f"[yellow]{tr('注意', 'notice')}:[/] {render(notice)}", highlight=False)
    if comparison:
        style = "red" if comparison.regressed else "green"
        for line in diff_lines(comparison):
            console.print(f"[{style}]{line}[/]", highlight=False)


@handle_errors
def eval_suites(
    paths: Annotated[
        list[Path] | None, typer.Argument(help=tr("评测集文件或文件夹", "suite files or folders"))
    ] = None,
    backend: Annotated[
        str, typer.Option(help="auto | template | openai(SIYU_LLM_BASE_URL)")
    ] = "auto",
    jobs: Annotated[
        int | None, typer.Option("-j", "--jobs", help=tr("并发数", "concurrency"))
    ] = None,
    filter_: Annotated[
        str | None,
        typer.Option(
            "--filter",
            help=tr("按 'suite/case 描述' 正则筛选", "regex over 'suite/case description'"),
        ),
    ] = None,
    repeat: Annotated[
        int, typer.Option(help=tr("每个用例运行次数(不用缓存)", "runs per case (uncached)"))
    ] = 1,
    timeout: Annotated[
        float | None, typer.Option(help=tr("单个用例超时秒数", "timeout per case, s"))
    ] = None,
    baseline: Annotated[str | None, typer.Option(help="last | saved | RUN_ID | FILE.json")] = None,
    save_baseline: Annotated[
        bool, typer.Option("--save-baseline", help=tr("把本次运行存为基线", "save as baseline"))
    ] = False,
    report_dir: Annotated[
        Path | None,
        typer.Option(
            help=tr("写入 report.md/html 与 junit.xml", "write report.md/html and junit.xml here")
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help=tr("不使用回复缓存", "bypass the response cache"))
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help=tr("输出运行记录 JSON", "print the run record as JSON"))
    ] = False,
) -> None:
    from copilot.evals import load_suites
    from copilot.evals.session import EvalRequest

    if backend not in ("auto", "template", "openai"):
        raise typer.BadParameter("auto | template | openai", param_hint="--backend")
    choice: BackendChoice = backend  # type: ignore[assignment]
    request = EvalRequest(
        suites=load_suites(paths or [bundled_dir("evals")]),
        backend=choice,
        concurrency=jobs,
        timeout_s=timeout,
        repeat=repeat,
        filter=filter_,
        cache=not no_cache,
        baseline=baseline,
        save_baseline=save_baseline,
        report_dir=report_dir,
    )
    with progress_bar(transient=True) as bar:
        task = bar.add_task(tr("评测", "eval"), total=None, detail="")

        def on_result(case: CaseResult) -> None:
            bar.update(task, advance=1, detail=f"{case.status} {case.key}"[:60])

        outcome = copilot().run_evals(
            request,
            on_start=lambda total: bar.update(task, total=total),
            on_result=on_result,
        )
    record, comparison = outcome.record, outcome.comparison
    if as_json:
        emit_json(record)
    else:
        _show(record, comparison)
        err_console.print(f"[dim]{tr('运行记录', 'run stored')}: {outcome.saved}[/]")
    for path in outcome.reports:
        err_console.print(f"[dim]{tr('报告', 'report')}: {path}[/]")
    failed = comparison.regressed if comparison else not record.ok
    raise typer.Exit(1 if failed else 0)
