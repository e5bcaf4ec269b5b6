"""`siyu ingest`, `siyu search`, `siyu kb stats`: the knowledge base from the terminal."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from copilot.cli.common import (
    JsonFlag,
    console,
    copilot,
    emit_json,
    err_console,
    handle_errors,
    progress_bar,
    tr,
)
from copilot.errors import InputError
from copilot.messages import msg

if TYPE_CHECKING:  # the retrieval stack (Chroma, the embedder) loads only when a command runs
    from copilot.app import Copilot
    from copilot.retrieval.ingest import IngestReport
    from copilot.retrieval.ingest import Progress as IngestProgress
    from copilot.retrieval.models import Hit

kb_app = typer.Typer(help=tr("知识库管理", "knowledge base"), no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command(
        "ingest",
        help=tr(
            "导入文档到知识库(md、txt、csv、jsonl、pdf、docx)。\n\n"
            "每个出错的文件或行单独报告,其余照常导入;有任何文件或行未导入时退出码为 1。",
            "Ingest documents into the knowledge base (md, txt, csv, jsonl, pdf, docx).\n\n"
            "Every failing file or row is reported on its own and the rest is ingested; "
            "the exit code is 1 when any file or row was not ingested.",
        ),
    )(ingest)
    app.command(
        "search",
        help=tr(
            "检索知识库(向量 + 关键词混合)。",
            "Search the knowledge base (vector plus keyword hybrid).",
        ),
    )(search)
    app.add_typer(kb_app, name="kb")


def run_ingest(
    app: Copilot, paths: list[Path], prune: bool = False, quiet: bool = False
) -> IngestReport:
    """Ingest with a rich progress bar on stderr; shared by `siyu ingest` and `siyu serve`."""
    app.settings.ensure_home()
    store = app.store
    if store.repaired:
        repaired = store.repaired
        rebuilt = tr(
            f"向量索引在一次中断的写入后损坏,已用已存文本重建 {repaired} 块",
            "the vector index was damaged by an interrupted write; "
            f"{repaired} chunks were rebuilt from the stored texts",
        )
        err_console.print(f"[yellow]{rebuilt}[/]", highlight=False)
    with progress_bar(quiet=quiet) as bar:
        task = bar.add_task(tr("导入", "ingest"), total=None, detail="")

        def on_progress(p: IngestProgress) -> None:
            detail = (
                f"{p.source} ({p.chunks_done}/{p.chunks_total})" if p.chunks_total else p.source
            )
            bar.update(task, total=p.file_total, completed=p.file_index - 1, detail=detail)

        report = app.ingestor.ingest(paths, prune=prune, progress=on_progress)
        bar.update(task, completed=bar.tasks[0].total or 0, detail="")
    return report


@handle_errors
def ingest(
    paths: Annotated[list[Path], typer.Argument(help=tr("文件或文件夹", "files or folders"))],
    prune: Annotated[
        bool, typer.Option(help=tr("删除已不存在的文件的内容", "remove chunks of deleted files"))
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help=tr("输出 JSON 报告", "print the report as JSON"))
    ] = False,
) -> None:
    report = run_ingest(copilot(), paths, prune=prune, quiet=as_json)
    if as_json:
        emit_json(report)
    else:
        _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_report(report: IngestReport) -> None:
    table = Table(title=f"{tr('导入结果', 'ingest summary')} ({report.seconds:.1f}s)")
    for column in (
        tr("文件", "file"),
        tr("状态", "status"),
        tr("块", "chunks"),
        tr("新增", "added"),
        tr("删除", "removed"),
        tr("问题", "problems"),
    ):
        table.add_column(column)
    for f in report.files:
        table.add_row(
            f.source, f.status, str(f.chunks), str(f.added), str(f.removed), str(len(f.problems))
        )
    console.print(table)
    for p in report.problems:
        where = (
            f"{p.source}"
            + (tr(f" 第 {p.row} 行", f" row {p.row}") if p.row else "")
            + (f" [{p.field}]" if p.field else "")
        )
        text = f"{where}: {p.message}" + (f" — {p.hint}" if p.hint else "")
        console.print(f"[yellow]{tr('跳过', 'skipped')}[/] {escape(text)}", highlight=False)
    stored, unchanged = report.count("added") + report.count("updated"), report.count("unchanged")
    if report.ok:
        done = tr(
            f"[green]全部导入[/]: {stored} 个文件写入,{unchanged} 个未变",
            f"[green]all ingested[/]: {stored} files written, {unchanged} unchanged",
        )
    else:
        failed, skipped = report.files_failed, report.rows_skipped
        done = tr(
            f"[red]部分未导入[/]: {failed} 个文件失败,{skipped} 行跳过;"
            f"其余 {stored} 个文件已写入(退出码 1)",
            f"[red]not everything was ingested[/]: {failed} files failed, {skipped} rows "
            f"skipped; the other {stored} files were written (exit code 1)",
        )
    console.print(done, highlight=False)


def _hit_json(hit: Hit) -> dict[str, object]:
    return {
        "id": hit.id,
        "citation": hit.citation,
        "text": hit.text,
        "source": hit.source,
        "score": round(hit.score, 6),
        "metadata": hit.metadata,
    }


@handle_errors
def search(
    query: Annotated[str | None, typer.Argument(help=tr("查询", "query"))] = None,
    k: Annotated[
        int, typer.Option("-k", min=1, max=100, help=tr("返回条数", "hits to return"))
    ] = 5,
    doc_type: Annotated[
        list[str] | None,
        typer.Option(
            "--type",
            help=tr("文档类型过滤", "document type filter")
            + " (faq, product, policy, promotion, approved, doc)",
        ),
    ] = None,
    sku: Annotated[str | None, typer.Option(help=tr("商品 SKU 过滤", "product SKU filter"))] = None,
    language: Annotated[str | None, typer.Option("--lang", help=tr("zh 或 en", "zh or en"))] = None,
    on: Annotated[
        str | None,
        typer.Option(
            help=tr(
                "只看该日期有效的内容 (YYYY-MM-DD,默认今天)",
                "only content valid on this date (YYYY-MM-DD, default today)",
            )
        ),
    ] = None,
    include_expired: Annotated[
        bool, typer.Option(help=tr("包含已过期的活动", "include expired promotions"))
    ] = False,
    queries: Annotated[
        Path | None,
        typer.Option("--queries", help=tr("每行一个查询的文件", "file of queries, one a line")),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    from copilot.retrieval import SearchFilters

    try:
        filters = SearchFilters(
            doc_types=doc_type or None,
            sku=sku,
            language=language,
            on=date.fromisoformat(on) if on else None,
            include_expired=include_expired,
        )
    except ValueError as exc:
        raise InputError(
            msg("过滤条件无效", "invalid filter") + f": {exc}",
            hint=msg(
                "--type 取值见 --help;日期格式 YYYY-MM-DD",
                "see --help for --type values; dates are YYYY-MM-DD",
            ),
        ) from None
    if (query is None) == (queries is None):
        raise InputError(
            msg("请给出一个查询,或用 --queries 指定文件", "give a query or --queries FILE")
        )
    retriever = copilot().retriever
    if queries is not None:
        if not queries.is_file():
            raise InputError(msg("找不到查询文件", "queries file not found"), where=str(queries))
        for line in queries.read_text(encoding="utf-8-sig").splitlines():
            if line.strip():
                hits = retriever.search(line.strip(), k=k, filters=filters)
                emit_json({"query": line.strip(), "hits": [_hit_json(h) for h in hits]})
        return
    assert query is not None
    hits = retriever.search(query, k=k, filters=filters)
    if as_json:
        emit_json({"query": query, "hits": [_hit_json(h) for h in hits]})
        return
    if not hits:
        console.print(
            tr(
                "没有找到相关内容。先运行 `siyu ingest knowledge/`?",
                "no results. Run `siyu ingest knowledge/` first?",
            )
        )
    for hit in hits:
        console.print(
            f"[bold cyan][{hit.citation}][/] {hit.source}  [dim]{hit.heading}  score={hit.score:.4f}[/]",
            highlight=False,
        )
        console.print(hit.text, highlight=False)
        console.print()


@kb_app.command(
    "stats",
    help=tr(
        "知识库统计:文档数、块数、按类型。",
        "Knowledge base statistics: documents, chunks, by type.",
    ),
)
@handle_errors
def stats(as_json: JsonFlag = False) -> None:
    store = copilot().store
    metas = store.documents().metas
    by_type = Counter(str(m.get("doc_type", "")) for m in metas)
    by_source = Counter(str(m.get("source", "")) for m in metas)
    data = {
        "collection": store.name,
        "embedder": store.embedder.name(),
        "chunks": len(metas),
        "documents": len(by_source),
        "by_type": dict(by_type),
        "by_source": dict(by_source),
    }
    if as_json:
        emit_json(data)
        return
    chunks = tr(f"{len(metas)} 块", f"{len(metas)} chunks")
    table = Table(
        title=f"{tr('知识库', 'knowledge base')} {store.name} · {store.embedder.name()} · {chunks}"
    )
    table.add_column(tr("文档", "document"))
    table.add_column(tr("块", "chunks"), justify="right")
    for source, count in sorted(by_source.items()):
        table.add_row(source, str(count))
    console.print(table)
    by_kind = ", ".join(f"{t}={c}" for t, c in sorted(by_type.items()))
    console.print(f"{tr('按类型', 'by type')}: {by_kind}")
