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
    console,
    copilot,
    emit_json,
    err_console,
    handle_errors,
    progress_bar,
)
from copilot.errors import InputError

if TYPE_CHECKING:  # the retrieval stack (Chroma, the embedder) loads only when a command runs
    from copilot.app import Copilot
    from copilot.retrieval.ingest import IngestReport
    from copilot.retrieval.ingest import Progress as IngestProgress
    from copilot.retrieval.models import Hit

kb_app = typer.Typer(help="知识库管理 / knowledge base", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("search")(search)
    app.add_typer(kb_app, name="kb")


def run_ingest(
    app: Copilot, paths: list[Path], prune: bool = False, quiet: bool = False
) -> IngestReport:
    """Ingest with a rich progress bar on stderr; shared by `siyu ingest` and `siyu serve`."""
    app.settings.ensure_home()
    store = app.store
    if store.repaired:
        err_console.print(
            f"[yellow]向量索引在一次中断的写入后损坏,已用已存文本重建 {store.repaired} 块 / "
            "the vector index was damaged by an interrupted write and was rebuilt from the "
            "stored texts[/]",
            highlight=False,
        )
    with progress_bar(quiet=quiet) as bar:
        task = bar.add_task("导入 / ingest", total=None, detail="")

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
    paths: Annotated[list[Path], typer.Argument(help="文件或文件夹 / files or folders")],
    prune: Annotated[
        bool, typer.Option(help="删除已不存在的文件的内容 / remove chunks of deleted files")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 报告")] = False,
) -> None:
    """导入文档到知识库(md、txt、csv、jsonl、pdf、docx)。

    每个出错的文件或行单独报告,其余照常导入;有任何文件或行未导入时退出码为 1。
    """
    report = run_ingest(copilot(), paths, prune=prune, quiet=as_json)
    if as_json:
        emit_json(report)
    else:
        _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_report(report: IngestReport) -> None:
    table = Table(title=f"导入结果 / ingest summary ({report.seconds:.1f}s)")
    for column in (
        "文件 / file",
        "状态 / status",
        "块 / chunks",
        "新增 / added",
        "删除 / removed",
        "问题 / problems",
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
            + (f" 第{p.row}行/row {p.row}" if p.row else "")
            + (f" [{p.field}]" if p.field else "")
        )
        text = f"{where}: {p.message}" + (f" — {p.hint}" if p.hint else "")
        console.print(f"[yellow]跳过 / skipped[/] {escape(text)}", highlight=False)
    stored = report.count("added") + report.count("updated")
    if report.ok:
        console.print(
            f"[green]全部导入 / all ingested[/]: {stored} 个文件写入 / files written, "
            f"{report.count('unchanged')} 个未变 / unchanged",
            highlight=False,
        )
    else:
        console.print(
            f"[red]部分未导入 / not everything was ingested[/]: "
            f"{report.files_failed} 个文件失败 / files failed, "
            f"{report.rows_skipped} 行跳过 / rows skipped; 其余 {stored} 个文件已写入 / "
            f"the other {stored} files were written (退出码 / exit code 1)",
            highlight=False,
        )


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
    query: Annotated[str | None, typer.Argument(help="查询 / query")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="返回条数")] = 5,
    doc_type: Annotated[
        list[str] | None,
        typer.Option(
            "--type", help="文档类型过滤 (faq, product, policy, promotion, approved, doc)"
        ),
    ] = None,
    sku: Annotated[str | None, typer.Option(help="商品 SKU 过滤")] = None,
    language: Annotated[str | None, typer.Option("--lang", help="zh 或 en")] = None,
    on: Annotated[
        str | None, typer.Option(help="只看该日期有效的内容 (YYYY-MM-DD,默认今天)")
    ] = None,
    include_expired: Annotated[bool, typer.Option(help="包含已过期的活动")] = False,
    queries: Annotated[Path | None, typer.Option("--queries", help="每行一个查询的文件")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出")] = False,
) -> None:
    """检索知识库(向量 + 关键词混合)。"""
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
            f"过滤条件无效 / invalid filter: {exc}", hint="--type 取值见 --help;日期格式 YYYY-MM-DD"
        ) from None
    if (query is None) == (queries is None):
        raise InputError("请给出一个查询,或用 --queries 指定文件 / give a query or --queries FILE")
    retriever = copilot().retriever
    if queries is not None:
        if not queries.is_file():
            raise InputError("找不到查询文件 / queries file not found", where=str(queries))
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
        console.print("没有找到相关内容 / no results. 先运行 `siyu ingest knowledge/`?")
    for hit in hits:
        console.print(
            f"[bold cyan][{hit.citation}][/] {hit.source}  [dim]{hit.heading}  score={hit.score:.4f}[/]",
            highlight=False,
        )
        console.print(hit.text, highlight=False)
        console.print()


@kb_app.command("stats")
@handle_errors
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """知识库统计:文档数、块数、按类型。"""
    store = copilot().store
    _, _, metas = store.all_documents()
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
    table = Table(title=f"知识库 {store.name} · {store.embedder.name()} · {len(metas)} 块 / chunks")
    table.add_column("文档 / document")
    table.add_column("块 / chunks", justify="right")
    for source, count in sorted(by_source.items()):
        table.add_row(source, str(count))
    console.print(table)
    console.print("按类型 / by type: " + ", ".join(f"{t}={c}" for t, c in sorted(by_type.items())))
