"""`siyu report`: is the copilot helping? Monthly acceptance, guardrail and cadence figures."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from copilot.cli.common import console, emit_json, err_console, handle_errors, settings
from copilot.customers.db import Database


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def open_db() -> Database:
    s = settings()
    s.ensure_home()
    return Database(s.db_url)


@handle_errors
def report(
    month: Annotated[
        str | None, typer.Option("--month", help="月份 YYYY-MM，默认本月 / month, default this one")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="另存为独立 HTML 页面 / write an HTML page")
    ] = None,
    verify: Annotated[
        bool, typer.Option("--verify/--no-verify", help="同时校验审计日志哈希链 / check the chain")
    ] = True,
) -> None:
    """月报：建议采纳率、编辑、护栏、发帖节奏与 1:1 触达频次（来自审计日志）。"""
    from copilot.analytics.html import render_html
    from copilot.analytics.markdown import render_markdown
    from copilot.analytics.report import build_report

    result = build_report(open_db(), month or f"{datetime.now():%Y-%m}", verify_chain=verify)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_html(result), encoding="utf-8")
        err_console.print(f"已写入 / written: {out}", highlight=False)
    if as_json:
        emit_json(result)
    elif out is None:
        console.print(render_markdown(result), highlight=False, markup=False)
    if not result.integrity.ok:
        err_console.print(
            "[bold red]审计日志有损坏 / the audit log is damaged[/]: 运行 `siyu audit verify` 查看",
            highlight=False,
        )
