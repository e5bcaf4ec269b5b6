"""`siyu customers import|members|demo`, `siyu consent grant|withdraw|show`, `siyu segments`."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    TaskID,
)
from rich.table import Table

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
    parse_at,
    progress_bar,
    tr,
)
from copilot.customers.demo import DemoGenerator
from copilot.customers.importer import Importer, ImportReport
from copilot.customers.rfm import SEGMENT_NAMES, SEGMENTS, Segmenter
from copilot.guardrails.consent_state import Action, current_state
from copilot.messages import render

customers_app = typer.Typer(
    help=tr("客户数据", "customers, orders, consents"), no_args_is_help=True
)
consent_app = typer.Typer(help=tr("授权登记", "consent registry"), no_args_is_help=True)
TODAY_HELP = tr("YYYY-MM-DD;默认今天", "YYYY-MM-DD; default today")
ACTOR_HELP = tr("操作人", "who records it")


def register(app: typer.Typer) -> None:
    app.add_typer(customers_app, name="customers")
    app.add_typer(consent_app, name="consent")
    app.command(
        "segments",
        help=tr(
            "RFM 分层：新客 / 核心 / 超级用户 / 流失风险 / 沉睡，附动态标签与原因。",
            "RFM segments: new, core, super user, at risk, dormant, with dynamic tags and reasons.",
        ),
    )(segments)


@customers_app.command(
    "import",
    help=tr(
        "导入客户、订单、授权 CSV（中英文表头、UTF-8/GBK 均可；可重复导入）。",
        "Import customer, order and consent CSV files (Chinese or English headers, UTF-8 or GBK; safe to repeat).",
    ),
)
@handle_errors
def import_files(
    files: Annotated[list[Path], typer.Argument(help="customers.csv orders.csv consents.csv")],
    dry_run: DryRunFlag = False,
    errors: ErrorsCsvOpt = None,
    as_json: JsonFlag = False,
) -> None:
    app = copilot()
    s = app.settings
    errors_path = errors_file(app, errors, "errors")
    with progress_bar() as bar:
        tasks: dict[str, TaskID] = {}

        def on_progress(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total, detail="")
            bar.update(tasks[label], completed=done, total=max(total, done))

        importer = Importer(app.db, purposes=s.guardrails.purpose_fields, progress=on_progress)
        report = importer.run(files, dry_run=dry_run, errors_path=errors_path)
    _finish_import(report, as_json)


@customers_app.command(
    "members",
    help=tr(
        "导入社群成员 CSV：社群、群昵称、可选客户编号（可重复导入）；点名成员的敏感帖子会被拦截。",
        "Import community members (community, nickname, optional customer_id; safe to repeat); "
        "a post naming a member with sensitive data is blocked.",
    ),
)
@handle_errors
def import_members(
    file: Annotated[Path, typer.Argument(help="members.csv")],
    dry_run: DryRunFlag = False,
    errors: ErrorsCsvOpt = None,
    as_json: JsonFlag = False,
) -> None:
    from copilot.community.members import CommunityMembers

    app = copilot()
    members = CommunityMembers(app.schedule)
    report = members.import_csv(
        file, dry_run=dry_run, errors_path=errors_file(app, errors, "member-errors")
    )
    _finish_import(report, as_json)


def _finish_import(report: ImportReport, as_json: bool) -> None:
    """Print an import's report; exit 1 when no file could be imported at all."""
    if as_json:
        emit_json(report)
    else:
        _print_import(report)
    if report.problems and not any(f.new or f.existing for f in report.files):
        raise typer.Exit(1)


def _print_import(report: ImportReport) -> None:
    title = (
        tr("试运行(未写入)", "dry run (nothing written)")
        if report.dry_run
        else tr("导入结果", "import summary")
    )
    table = Table(title=title)
    for column in (
        tr("文件", "file"),
        tr("类型", "kind"),
        tr("编码", "encoding"),
        tr("行", "rows"),
        tr("新增", "new"),
        tr("已有", "existing"),
        tr("错误", "errors"),
    ):
        table.add_column(column)
    for f in report.files:
        table.add_row(
            Path(f.file).name,
            f.kind,
            f.encoding,
            str(f.rows),
            str(f.new),
            str(f.existing),
            str(f.errors),
        )
    console.print(table)
    for problem in report.problems[:10]:
        row = tr(f"第 {problem.row} 行", f"row {problem.row}")
        console.print(
            f"  {problem.file} {row} [{problem.column}] {render(problem.reason)}",
            markup=False,
            highlight=False,
        )
    if report.errors_path:
        label = tr("错误明细", "row errors")
        console.print(f"{label}: {report.errors_path} ({len(report.problems)})", highlight=False)


@customers_app.command(
    "demo",
    help=tr(
        "生成演示数据（固定随机种子）：customers.csv、orders.csv、consents.csv。",
        "Generate demo data (fixed random seed): customers.csv, orders.csv, consents.csv.",
    ),
)
@handle_errors
def demo(
    out: Annotated[Path, typer.Option(help=tr("输出目录", "output folder"))] = Path(
        "demo_customers"
    ),
    seed: Annotated[int, typer.Option()] = 7,
    customers: Annotated[int, typer.Option(min=1)] = 2000,
    orders: Annotated[int, typer.Option(min=1)] = 20000,
    as_of: Annotated[str | None, typer.Option(help=TODAY_HELP)] = None,
) -> None:
    day = date.fromisoformat(as_of) if as_of else None
    counts = DemoGenerator(list(copilot().catalog.values()), seed=seed, as_of=day).write(
        out, customers=customers, orders=orders
    )
    console.print(f"{tr('已生成', 'written to')} {out}: {counts}")
    files = f"{out}/customers.csv {out}/orders.csv {out}/consents.csv"
    console.print(f"{tr('导入', 'import')}: siyu customers import {files}")


def _consent_change(
    customer_id: str, purpose: str, action: Action, source: str, actor: str, at: str | None
) -> None:
    registry = copilot().consent
    event = registry.change(
        customer_id, purpose, action, source=source, actor=actor, at=parse_at(at) if at else None
    )
    now = current_state(registry.history(customer_id)).get(purpose)
    state = now.action if now else tr("无授权", "none")
    console.print(
        f"{customer_id} {purpose}: {tr('已登记', 'recorded')} {event.action} "
        f"@ {event.at:%Y-%m-%d %H:%M:%S}"
    )
    console.print(f"{tr('当前状态', 'now in effect')}: {state}")


AT_OPTION = typer.Option(
    "--at",
    help=tr(
        "生效时间(默认现在;不可晚于现在)YYYY-MM-DD HH:MM",
        "effective time (default now; never later than now) YYYY-MM-DD HH:MM",
    ),
)


@consent_app.command(
    "grant",
    help=tr(
        "登记客户对某用途的授权（晚于已登记撤回的授权才生效）。",
        "Record a customer's consent to a purpose (it counts only when later than a recorded withdrawal).",
    ),
)
@handle_errors
def grant(
    customer_id: str,
    purpose: str,
    source: Annotated[
        str, typer.Option(help=tr("授权来源，如 小程序授权弹窗", "where consent was given"))
    ] = "人工登记（明示-授权-可撤回）",
    actor: Annotated[str, typer.Option(help=ACTOR_HELP)] = "operator",
    at: Annotated[str | None, AT_OPTION] = None,
) -> None:
    _consent_change(customer_id, purpose, "granted", source, actor, at)


@consent_app.command(
    "withdraw",
    help=tr(
        "撤回授权：对之后的所有草稿与活动立即生效，早先登记的授权不会使其失效。",
        "Withdraw consent: effective at once for every later draft and campaign; an earlier grant cannot undo it.",
    ),
)
@handle_errors
def withdraw(
    customer_id: str,
    purpose: str,
    source: Annotated[
        str, typer.Option(help=tr("撤回渠道，如 客户私信", "how it was withdrawn"))
    ] = "客户要求",
    actor: Annotated[str, typer.Option(help=ACTOR_HELP)] = "operator",
    at: Annotated[str | None, AT_OPTION] = None,
) -> None:
    _consent_change(customer_id, purpose, "withdrawn", source, actor, at)


@consent_app.command(
    "show",
    help=tr("查看客户当前授权与完整历史。", "Show a customer's current consents and full history."),
)
@handle_errors
def show(customer_id: str, as_json: JsonFlag = False) -> None:
    history = copilot().consent.history(customer_id)
    if as_json:
        emit_json([e.model_dump(mode="json") for e in history])
        return
    state = current_state(history)
    table = Table(title=f"{customer_id} {tr('授权', 'consents')}")
    for column in (
        tr("用途", "purpose"),
        tr("当前", "current"),
        tr("时间", "at"),
        tr("来源", "source"),
    ):
        table.add_column(column)
    for purpose, event in sorted(state.items()):
        table.add_row(purpose, event.action, f"{event.at:%Y-%m-%d %H:%M}", event.source)
    console.print(table)
    console.print(tr("历史(按登记顺序):", "history, in the order recorded:"))
    for event in history:
        console.print(
            f"  {event.at:%Y-%m-%d %H:%M:%S} {event.purpose} {event.action} {event.source}"
        )


@handle_errors
def segments(
    customer: Annotated[
        str | None, typer.Option(help=tr("只看某位客户的解释", "explain one customer"))
    ] = None,
    as_of: Annotated[str | None, typer.Option(help=TODAY_HELP)] = None,
    out: Annotated[
        Path | None, typer.Option(help=tr("逐客户结果 CSV", "CSV file with every customer"))
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    day = date.fromisoformat(as_of) if as_of else date.today()
    app = copilot()
    with app.db.begin() as conn:
        report = Segmenter(app.settings.customers, app.catalog).run(conn, day)
    if customer:
        scores = [s for s in report.scores if s.customer_id == customer]
        for score in scores:
            labels = "、".join(score.tags) or tr("无", "none")
            console.print(
                f"{score.customer_id}: {render(score.explain())}  {tr('标签', 'tags')}: {labels}"
            )
        if not scores:
            err_console.print(tr(f"没有客户 {customer}", f"unknown customer {customer}"))
            raise typer.Exit(1)
        return
    if out:
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(("customer_id", "segment", "r", "f", "m", "tags", "explanation"))
            for s in report.scores:
                writer.writerow(
                    (
                        s.customer_id,
                        s.segment,
                        s.r,
                        s.f,
                        s.m,
                        "、".join(s.tags),
                        render(s.explain()),
                    )
                )
    if as_json:
        emit_json({"as_of": day.isoformat(), "counts": report.counts, "tags": report.tag_counts})
        return
    table = Table(title=tr(f"客户分层(截至 {day})", f"segments (as of {day})"))
    table.add_column(tr("分层", "segment"))
    table.add_column(tr("代码", "code"))
    table.add_column(tr("人数", "customers"), justify="right")
    for seg in SEGMENTS:
        table.add_row(render(SEGMENT_NAMES[seg]), seg, str(report.counts[seg]))
    console.print(table)
    tags = Table(title=tr("动态标签", "dynamic tags"))
    tags.add_column(tr("标签", "tag"))
    tags.add_column(tr("人数", "customers"), justify="right")
    for tag, n in list(report.tag_counts.items())[:15]:
        tags.add_row(tag, str(n))
    console.print(tags)
