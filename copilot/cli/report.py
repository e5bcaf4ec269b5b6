"""`siyu report`: is the copilot helping? Monthly acceptance, guardrail and cadence figures."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from copilot.cli.common import (
    DryRunFlag,
    ErrorsCsvOpt,
    JsonFlag,
    console,
    copilot,
    emit_json,
    err_console,
    errors_file,
    handle_errors,
    tr,
)
from copilot.messages import render

if TYPE_CHECKING:  # the embedder and the retrieval stack load only when `siyu gaps` runs
    from copilot.analytics.gaps import GapReport


nps_app = typer.Typer(help=tr("NPS 调查", "NPS survey"), no_args_is_help=True)
MONTH_HELP = tr("月份 YYYY-MM，默认本月", "month YYYY-MM, default this one")
TRENDS = {"rising": "↑", "falling": "↓", "steady": "→"}


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("gaps")(gaps)
    app.add_typer(nps_app, name="nps")


@handle_errors
def report(
    month: Annotated[str | None, typer.Option("--month", help=MONTH_HELP)] = None,
    as_json: JsonFlag = False,
    out: Annotated[
        Path | None, typer.Option("--out", help=tr("另存为独立 HTML 页面", "write an HTML page"))
    ] = None,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify/--no-verify", help=tr("同时校验审计日志哈希链", "also verify the hash chain")
        ),
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
        err_console.print(f"{tr('已写入', 'written')}: {out}", highlight=False)
    if as_json:
        emit_json(result)
    elif out is None:
        sys.stdout.write(render_markdown(result) + "\n")  # unwrapped: Markdown tables stay whole
    if not result.integrity.ok:
        err_console.print(
            f"[bold red]{tr('审计日志有损坏', 'the audit log is damaged')}[/]: "
            + tr("运行 `siyu audit verify` 查看", "run `siyu audit verify` for details"),
            highlight=False,
        )


def this_month() -> str:
    return f"{datetime.now():%Y-%m}"


def _print_gaps(result: GapReport) -> None:
    from copilot.analytics.tables import gap_reasons

    if not result.topics:
        console.print(
            tr(f"{result.month} 没有知识缺口", f"{result.month}: no knowledge gaps"),
            highlight=False,
        )
        return
    console.print(
        tr(
            f"{result.month}：{result.questions} 个问题，{len(result.topics)} 个主题",
            f"{result.month}: {result.questions} questions, {len(result.topics)} topics",
        ),
        highlight=False,
    )
    for topic in result.topics:
        console.print(
            f"\n[bold]#{topic.id} {escape(topic.label)}[/]  {topic.count} {tr('次', 'asks')} "
            f"{TRENDS[topic.trend]}  ({escape(gap_reasons(topic.reasons))})",
            highlight=False,
        )
        for sample in topic.samples[1:]:
            console.print(f"   · {escape(sample)}", highlight=False)
        if topic.suggested_answer:
            console.print(f"   ✎ {escape(topic.suggested_answer)}", highlight=False)


@handle_errors
def gaps(
    month: Annotated[str | None, typer.Option("--month", help=MONTH_HELP)] = None,
    as_json: JsonFlag = False,
    threshold: Annotated[
        float | None, typer.Option(help=tr("聚类相似度阈值", "similarity threshold of a topic"))
    ] = None,
    propose: Annotated[
        int | None,
        typer.Option(
            "--propose", help=tr("把该编号的缺口提议为话术", "propose topic N for review")
        ),
    ] = None,
    answer: Annotated[str, typer.Option(help=tr("提议的答案", "the answer to propose"))] = "",
    actor: Annotated[str, typer.Option(help=tr("提议人", "proposed by"))] = "cli",
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
        err_console.print(f"{tr('已提议为话术，待审核', 'proposed for review')}: {proposal.id}")
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
    file: Annotated[
        Path,
        typer.Argument(
            help=tr(
                "survey.csv（客户、评分 0–10、日期、评论、渠道）",
                "survey.csv (customer, score 0–10, date, comment, channel)",
            )
        ),
    ],
    dry_run: DryRunFlag = False,
    errors: ErrorsCsvOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """导入 NPS 调查答卷（中英文表头、UTF-8/GBK 均可；重复导入不重复计数）。"""
    from copilot.analytics.nps_import import NpsImporter

    app = copilot()
    errors_path = errors_file(app, errors, "nps-errors")
    result = NpsImporter(app.db).run(file, dry_run=dry_run, errors_path=errors_path)
    if as_json:
        emit_json(result)
        return
    console.print(
        f"{escape(result.file)} ({result.encoding}): "
        + tr(
            f"{result.rows} 行，新增 {result.new}，已有 {result.existing}，错误 {result.errors}",
            f"{result.rows} rows, new {result.new}, existing {result.existing}, "
            f"errors {result.errors}",
        )
        + (" [dry run]" if dry_run else ""),
        highlight=False,
    )
    for p in result.problems[:20]:
        console.print(
            f"  {tr(f'第 {p.row} 行', f'row {p.row}')} · {p.column} = {escape(p.value)!r}: "
            f"{escape(render(p.reason))}",
            highlight=False,
        )
    if result.errors_path:
        console.print(f"{tr('错误明细', 'row errors')}: {result.errors_path}", highlight=False)


@nps_app.command("show")
@handle_errors
def nps_show(
    month: Annotated[
        str | None, typer.Option("--month", help=tr("只看某月 YYYY-MM", "one month YYYY-MM only"))
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """NPS：按月、社群、分层，及答卷前 30 天收到的群发帖与 1:1 消息数；评论主题。"""
    from copilot.analytics.nps import nps_report

    result = nps_report(copilot().db, month)
    if as_json:
        emit_json(result)
        return
    if not result.overall.answers:
        console.print(tr("没有 NPS 答卷", "no NPS answers"), highlight=False)
        return
    console.print(f"NPS {result.overall.nps} ({result.overall.answers} {tr('份答卷', 'answers')})")
    titles = {
        "by_month": tr("按月", "by month"), "by_community": tr("按社群", "by community"),
        "by_segment": tr("按会员等级", "by tier"),
        "by_posts_30d": tr("前 30 天群发帖", "group posts in the 30 days before"),
        "by_messages_30d": tr("前 30 天 1:1 消息", "1:1 messages in the 30 days before"),
    }  # fmt: skip
    for key, title in titles.items():
        console.print(f"\n[bold]{title}[/]", highlight=False)
        for label, part in getattr(result, key).items():
            console.print(f"  {escape(label)}: NPS {part.nps} ({part.answers})", highlight=False)
    if result.themes:
        console.print(f"\n[bold]{tr('评论主题', 'comment themes')}[/]", highlight=False)
        for theme in result.themes:
            console.print(
                f"  {escape(theme.keyword)} × {theme.comments} "
                f"({tr('均分', 'mean')} {theme.mean_score})",
                highlight=False,
            )
