"""`siyu audit export` and `siyu selfcheck`: the compliance owner's evidence."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from copilot.audit import AuditLog
from copilot.cli.common import console, handle_errors
from copilot.cli.customers import open_db
from copilot.errors import InputError
from copilot.selfcheck import build_selfcheck, render_html, render_markdown

audit_app = typer.Typer(help="审计日志 / audit log", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
    app.command("selfcheck")(selfcheck)


def _day(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), datetime.min.time())
    except ValueError:
        raise InputError(
            f"日期无法识别 {value!r} / bad date", where=option, hint="使用 YYYY-MM-DD"
        ) from None


@audit_app.command("export")
@handle_errors
def export(
    start: Annotated[str | None, typer.Option("--from", help="起始日期（含）YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--to", help="结束日期（不含）YYYY-MM-DD")] = None,
    out: Annotated[Path, typer.Option(help="CSV 文件")] = Path("audit.csv"),
) -> None:
    """导出审计日志（仅脱敏文本）为 CSV。"""
    db = open_db()
    count = AuditLog(db).export_csv(out, _day(start, "--from"), _day(end, "--to"))
    console.print(f"已导出 / exported {count} events → {out}")


@handle_errors
def selfcheck(
    month: Annotated[str, typer.Option(help="月份 YYYY-MM")],
    out: Annotated[Path | None, typer.Option(help=".md 或 .html；默认打印 Markdown")] = None,
) -> None:
    """每月合规自查：无授权草稿、撤回是否遵守、营销占比、人工放行、个人信息拦截。"""
    try:
        datetime.strptime(month, "%Y-%m")
    except ValueError:
        raise InputError(f"月份无法识别 {month!r}", where="--month", hint="例如 2026-11") from None
    db = open_db()
    report = build_selfcheck(db, AuditLog(db), month)
    if out is None:
        console.print(render_markdown(report), markup=False, highlight=False)
    else:
        text = render_html(report) if out.suffix in (".html", ".htm") else render_markdown(report)
        out.write_text(text, encoding="utf-8")
        console.print(f"已写入 / written: {out}")
    if not report.passed:
        raise typer.Exit(1)
