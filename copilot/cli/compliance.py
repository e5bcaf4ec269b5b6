"""`siyu audit export|verify` and `siyu selfcheck`: the compliance owner's evidence."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from copilot.audit.chain import ChainProblem, ChainReport, verify
from copilot.cli.common import JsonFlag, console, copilot, emit_json, handle_errors, tr
from copilot.compliance.selfcheck import build_selfcheck, render_html, render_markdown
from copilot.errors import InputError
from copilot.messages import msg, render

audit_app = typer.Typer(help=tr("审计日志", "audit log"), no_args_is_help=True)
SHOWN_PROBLEMS = 20


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
    app.command(
        "selfcheck",
        help=tr(
            "每月合规自查：无授权草稿、撤回是否遵守、营销占比、人工放行、个人信息拦截。",
            "Monthly compliance self-check: drafts without consent, withdrawals honoured, marketing share, human overrides, PII blocks.",
        ),
    )(selfcheck)


def _day(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), datetime.min.time())
    except ValueError:
        raise InputError(
            msg(f"日期无法识别 {value!r}", f"bad date {value!r}"),
            where=option,
            hint=msg("使用 YYYY-MM-DD", "use YYYY-MM-DD"),
        ) from None


@audit_app.command(
    "export",
    help=tr(
        "导出审计日志（仅脱敏文本）为 CSV；日志被破坏时导出可读部分、列出损坏行并返回非零。",
        "Export the audit log (redacted text only) as CSV; with a damaged log, export what is readable, list the damaged rows and exit non-zero.",
    ),
)
@handle_errors
def export(
    start: Annotated[
        str | None,
        typer.Option(
            "--from", help=tr("起始日期(含)YYYY-MM-DD", "first day (included) YYYY-MM-DD")
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", help=tr("结束日期(不含)YYYY-MM-DD", "last day (excluded) YYYY-MM-DD")),
    ] = None,
    out: Annotated[Path, typer.Option(help=tr("CSV 文件", "CSV file"))] = Path("audit.csv"),
) -> None:
    app = copilot()
    chain = verify(app.db)
    if any(p.kind == "table_missing" for p in chain.problems):
        _print_chain(chain)
        raise typer.Exit(1)
    result = app.audit.export_csv(out, _day(start, "--from"), _day(end, "--to"))
    console.print(
        tr(f"已导出 {result.count} 个事件 → {out}", f"exported {result.count} events → {out}")
    )
    for row in result.damaged[:SHOWN_PROBLEMS]:
        unread = tr(f"事件 {row.id} 无法读取,未导出", f"event {row.id} not exported")
        _line(f"  ⚠ {unread}: {render(row.reason)}")
    if result.damaged or not chain.ok:
        _print_chain(chain)
        raise typer.Exit(1)


def _line(text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _problem(problem: ChainProblem) -> str:
    where = (
        tr(f"事件 {problem.id}", f"event {problem.id}")
        if problem.id is not None
        else tr("审计日志", "audit log")
    )
    return f"{where} [{problem.kind}] {render(problem.detail)}"


def _print_chain(report: ChainReport) -> None:
    if report.ok:
        head = f"#{report.head_id} {report.head_hash}"
        _line(
            tr(
                f"✅ 审计日志完整:{report.events} 个事件;链头 {head}",
                f"✅ audit log intact: {report.events} events; head {head}",
            )
        )
        return
    first, *rest = report.problems
    _line(
        tr(
            f"❌ 审计日志已被破坏。第一处:{_problem(first)}",
            f"❌ audit log damaged. first: {_problem(first)}",
        )
    )
    for problem in rest[:SHOWN_PROBLEMS]:
        _line(f"  {_problem(problem)}")
    more = len(rest) - SHOWN_PROBLEMS + report.more_problems
    if more > 0:
        _line(tr(f"  …另有 {more} 处", f"  … and {more} more"))


@audit_app.command(
    "verify",
    help=tr(
        "核验审计日志哈希链：报告第一处被改、被删、伪造或缺失的事件；有问题时返回非零。",
        "Verify the audit log's hash chain: report the first altered, deleted, forged or missing event; exit non-zero on any problem.",
    ),
)
@handle_errors
def verify_log(as_json: JsonFlag = False) -> None:
    report = verify(copilot().db)
    if as_json:
        emit_json(report)
    else:
        _print_chain(report)
    if not report.ok:
        raise typer.Exit(1)


@handle_errors
def selfcheck(
    month: Annotated[str, typer.Option(help=tr("月份 YYYY-MM", "month YYYY-MM"))],
    out: Annotated[
        Path | None,
        typer.Option(
            help=tr(".md 或 .html;默认打印 Markdown", ".md or .html; default: print Markdown")
        ),
    ] = None,
) -> None:
    try:
        datetime.strptime(month, "%Y-%m")
    except ValueError:
        raise InputError(
            msg(f"月份无法识别 {month!r}", f"bad month {month!r}"),
            where="--month",
            hint=msg("例如 2026-11", "e.g. 2026-11"),
        ) from None
    app = copilot()
    report = build_selfcheck(app.db, app.audit, month)
    if out is None:
        console.print(render_markdown(report), markup=False, highlight=False)
    else:
        text = render_html(report) if out.suffix in (".html", ".htm") else render_markdown(report)
        out.write_text(text, encoding="utf-8")
        console.print(f"{tr('已写入', 'written')}: {out}")
    if not report.passed:
        raise typer.Exit(1)
