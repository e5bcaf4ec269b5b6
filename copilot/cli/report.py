"""`siyu report`: is the copilot helping? Monthly acceptance, guardrail and cadence figures."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from copilot.cli.common import console, copilot, emit_json, err_console, handle_errors

if TYPE_CHECKING:  # the embedder and the retrieval stack load only when `siyu gaps` runs
    from copilot.analytics.gaps import GapReport


nps_app = typer.Typer(help="NPS 调查 / NPS survey", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("gaps")(gaps)
    app.add_typer(nps_app, name="nps")


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

    result = build_report(copilot().db, month or this_month(), verify_chain=verify)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_html(result), encoding="utf-8")
        err_console.print(f"已写入 / written: {out}", highlight=False)
    if as_json:
        emit_json(result)
    elif out is None:
        sys.stdout.write(render_markdown(result) + "\n")  # unwrapped: Markdown tables stay whole
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

    app = copilot()
    embedder = embedder_from_settings(app.settings.embedding)
    result = find_gaps(
        app.db, month or this_month(), embedder.embed_documents,
        threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
    )  # fmt: skip
    if propose is not None:
        from copilot.analytics.proposals import propose_answer, topic_of

        topic = topic_of(result, propose)
        proposal = propose_answer(app.approved, topic, answer=answer, actor=actor)
        err_console.print(f"已提议为话术，待审核 / proposed for review: {proposal.id}")
        if as_json:
            emit_json(proposal)
        return
    if as_json:
        emit_json(result)
    else:
        _print_gaps(result)


@nps_app.command("import")
@handle_errors
def nps_import(
    file: Annotated[Path, typer.Argument(help="survey.csv（客户、评分 0–10、日期、评论、渠道）")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只报告将发生的变化")] = False,
    errors: Annotated[Path | None, typer.Option(help="错误明细 CSV / row errors file")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """导入 NPS 调查答卷（中英文表头、UTF-8/GBK 均可；重复导入不重复计数）。"""
    from copilot.analytics.nps_import import NpsImporter

    app = copilot()
    errors_path = (
        errors or app.settings.home / "imports" / f"nps-errors-{datetime.now():%Y%m%d-%H%M%S}.csv"
    )
    result = NpsImporter(app.db).run(file, dry_run=dry_run, errors_path=errors_path)
    if as_json:
        emit_json(result)
        return
    console.print(
        f"{escape(result.file)} ({result.encoding}): {result.rows} 行 / rows, 新增 / new "
        f"{result.new}, 已有 / existing {result.existing}, 错误 / errors {result.errors}"
        + (" [dry run]" if dry_run else ""),
        highlight=False,
    )
    for p in result.problems[:20]:
        console.print(
            f"  第 {p.row} 行 / row {p.row} · {p.column} = {escape(p.value)!r}: {escape(str(p.reason))}",
            highlight=False,
        )
    if result.errors_path:
        console.print(f"错误明细 / row errors: {result.errors_path}", highlight=False)


@nps_app.command("show")
@handle_errors
def nps_show(
    month: Annotated[
        str | None, typer.Option("--month", help="只看某月 YYYY-MM / one month only")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """NPS：按月、社群、分层，及答卷前 30 天收到的群发帖与 1:1 消息数；评论主题。"""
    from copilot.analytics.nps import nps_report

    result = nps_report(copilot().db, month)
    if as_json:
        emit_json(result)
        return
    if not result.overall.answers:
        console.print("没有 NPS 答卷 / no NPS answers", highlight=False)
        return
    console.print(f"NPS {result.overall.nps} ({result.overall.answers} 份答卷 / answers)")
    titles = {
        "by_month": "按月 / by month", "by_community": "按社群 / by community",
        "by_segment": "按会员等级 / by tier", "by_posts_30d": "前 30 天群发帖 / posts, 30 days",
        "by_messages_30d": "前 30 天 1:1 消息 / messages, 30 days",
    }  # fmt: skip
    for key, title in titles.items():
        console.print(f"\n[bold]{title}[/]", highlight=False)
        for label, part in getattr(result, key).items():
            console.print(f"  {escape(label)}: NPS {part.nps} ({part.answers})", highlight=False)
    if result.themes:
        console.print("\n[bold]评论主题 / comment themes[/]", highlight=False)
        for theme in result.themes:
            console.print(
                f"  {escape(theme.keyword)} × {theme.comments} (均分 / mean {theme.mean_score})",
                highlight=False,
            )
