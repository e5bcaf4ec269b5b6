"""`siyu report`: is the copilot helping? Monthly acceptance, guardrail and cadence figures."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from copilot.cli.common import console, emit_json, err_console, handle_errors, settings
from copilot.customers.db import Database

if TYPE_CHECKING:  # the embedder and the retrieval stack load only when `siyu gaps` runs
    from copilot.analytics.gaps import GapReport


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("gaps")(gaps)


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

    result = build_report(open_db(), month or this_month(), verify_chain=verify)
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


def this_month() -> str:
    return f"{datetime.now():%Y-%m}"


def _print_gaps(result: GapReport) -> None:
    if not result.topics:
        console.print(f"{result.month} 没有知识缺口 / no knowledge gaps", highlight=False)
        return
    console.print(
        f"{result.month}：{result.questions} 个问题，{len(result.topics)} 个主题 / topics",
        highlight=False,
    )
    trend = {"rising": "↑", "falling": "↓", "steady": "→"}
    for topic in result.topics:
        reasons = "、".join(f"{k} {v}" for k, v in topic.reasons.items())
        console.print(
            f"\n[bold]#{topic.id} {escape(topic.label)}[/]  {topic.count} 次 {trend[topic.trend]}"
            f"  ({escape(reasons)})",
            highlight=False,
        )
        for sample in topic.samples[1:]:
            console.print(f"   · {escape(sample)}", highlight=False)
        if topic.suggested_answer:
            console.print(f"   ✎ {escape(topic.suggested_answer)}", highlight=False)


@handle_errors
def gaps(
    month: Annotated[
        str | None, typer.Option("--month", help="月份 YYYY-MM，默认本月 / month, default this one")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")] = False,
    threshold: Annotated[
        float | None, typer.Option(help="聚类相似度阈值 / cosine threshold of a topic")
    ] = None,
    propose: Annotated[
        int | None, typer.Option("--propose", help="把该编号的缺口提议为话术 / propose topic N")
    ] = None,
    answer: Annotated[str, typer.Option(help="提议的答案 / the answer to propose")] = "",
    actor: Annotated[str, typer.Option(help="提议人 / proposed by")] = "cli",
) -> None:
    """知识缺口：转人工、被拒或大改的问题按主题归类；可提议为话术进入审核。"""
    from copilot.analytics.gaps import DEFAULT_THRESHOLD, find_gaps
    from copilot.retrieval.embedder import embedder_from_settings

    s = settings()
    embedder = embedder_from_settings(s.embedding)
    result = find_gaps(
        open_db(), month or this_month(), embedder.embed_documents,
        threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
    )  # fmt: skip
    if propose is not None:
        from copilot.analytics.proposals import propose_answer, topic_of
        from copilot.retrieval import Ingestor
        from copilot.retrieval.approved import ApprovedAnswers
        from copilot.retrieval.store import open_store

        ingestor = Ingestor(open_store(s), s.retrieval, batch_size=s.embedding.batch_size)
        approved = ApprovedAnswers(s.home / "approved", ingestor)
        proposal = propose_answer(approved, topic_of(result, propose), answer=answer, actor=actor)
        err_console.print(f"已提议为话术，待审核 / proposed for review: {proposal.id}")
        if as_json:
            emit_json(proposal)
        return
    if as_json:
        emit_json(result)
    else:
        _print_gaps(result)
