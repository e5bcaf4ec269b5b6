"""Tab 知识库: upload and ingest files, list documents, hybrid search with scores, remove."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import gradio as gr

from copilot.errors import CopilotError, InputError
from copilot.messages import msg
from copilot.retrieval import SearchFilters
from copilot.retrieval.ingest import Progress
from copilot.retrieval.loaders import SUPPORTED
from copilot.ui.cards import error_html, message_html, ok_html
from copilot.ui.i18n import Texts
from copilot.ui.workbench import Workbench

DOC_TYPES = ["faq", "product", "policy", "promotion", "approved", "doc"]
REPORT_HEADERS = {
    "zh": ["文件", "状态", "块数", "新增", "问题"],
    "en": ["file", "status", "chunks", "added", "problems"],
}
DOC_HEADERS = {"zh": ["文档", "类型", "块数"], "en": ["document", "type", "chunks"]}
HIT_HEADERS = {
    "zh": [
        "引用",
        "混合分",
        "向量分",
        "向量名次",
        "关键词分",
        "关键词名次",
        "类型",
        "来源",
        "内容",
    ],
    "en": ["cite", "hybrid", "vector", "v-rank", "keyword", "k-rank", "type", "source", "text"],
}


class KnowledgeTab:
    def __init__(self, wb: Workbench, t: Texts) -> None:
        self.wb, self.app, self.t = wb, wb.copilot, t

    def documents(self) -> tuple[list[list[Any]], list[str]]:
        """Rows (source, type, chunks) and the removable sources."""
        metas = self.app.store.documents().metas
        counts = Counter((str(m.get("source", "")), str(m.get("doc_type", ""))) for m in metas)
        rows: list[list[Any]] = [[src, kind, n] for (src, kind), n in sorted(counts.items())]
        return rows, sorted({src for src, _ in counts})

    def refresh(self) -> tuple[Any, Any]:
        rows, sources = self.documents()
        return gr.update(value=rows), gr.update(choices=sources, value=None)

    def ingest(
        self,
        files: list[str] | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's idiom)
    ) -> tuple[Any, ...]:
        if not files:
            return message_html(self.t("no_files")), [], *self.refresh()
        if not self.wb.ingest_lock.acquire(blocking=False):
            busy = InputError(
                msg("另一个导入正在进行", "another ingest is running"),
                hint=msg("等它完成后再试", "try again when it has finished"),
            )
            return error_html(busy), [], *self.refresh()
        try:
            self.wb.uploads_dir.mkdir(parents=True, exist_ok=True)
            paths = []
            for name in files:
                target = self.wb.uploads_dir / Path(name).name
                shutil.copyfile(name, target)
                paths.append(target)

            def on_progress(p: Progress) -> None:
                part = p.chunks_done / p.chunks_total if p.chunks_total else 0.0
                progress((p.file_index - 1 + part) / p.file_total, desc=p.source)

            report = self.app.ingestor.ingest(paths, progress=on_progress)
            self.app.written()
        except CopilotError as exc:
            return error_html(exc), [], *self.refresh()
        finally:
            self.wb.ingest_lock.release()
        rows = [
            [
                f.source,
                f.status,
                f.chunks,
                f.added,
                "; ".join(
                    f"{p.message}"
                    + (f"{msg(f'(第 {p.row} 行)', f' (row {p.row})')}" if p.row else "")
                    + (f" — {p.hint}" if p.hint else "")
                    for p in f.problems
                ),
            ]
            for f in report.files
        ]
        for f in report.files:
            if f.status == "skipped" and f.added == 0:
                (self.wb.uploads_dir / Path(f.source).name).unlink(missing_ok=True)
        summary = (
            f"{self.t('ingest_report')}: {report.count('added') + report.count('updated')} ✓ · "
            f"{report.count('unchanged')} = · {report.count('skipped')} ✗ · {report.seconds:.1f}s"
        )
        view = message_html if report.problems else ok_html
        return view(summary), rows, *self.refresh()

    def search(self, query: str, kinds: list[str], k: int) -> tuple[str, list[list[Any]]]:
        if not query.strip():
            return message_html(self.t("no_hits")), []
        filters = SearchFilters.model_validate({"doc_types": kinds or None})
        try:
            hits = self.app.retriever.search(query, k=int(k), filters=filters)
        except CopilotError as exc:
            return error_html(exc), []
        rows = [
            [
                h.citation,
                round(h.score, 4),
                None if h.vector_score is None else round(h.vector_score, 3),
                h.vector_rank,
                None if h.keyword_score is None else round(h.keyword_score, 3),
                h.keyword_rank,
                h.doc_type,
                h.source,
                h.text[:160],
            ]
            for h in hits
        ]
        return ("" if rows else message_html(self.t("no_hits"))), rows

    def remove(self, source: str | None) -> tuple[Any, ...]:
        if not source:
            return message_html(self.t("pick_doc")), *self.refresh()
        try:
            count = self.app.store.delete_source(source)
            self.app.written()
        except CopilotError as exc:
            return error_html(exc), *self.refresh()
        uploaded = self.wb.uploads_dir / Path(source).name
        if source.startswith(f"{self.wb.uploads_dir.name}/"):
            uploaded.unlink(missing_ok=True)
        return ok_html(f"{self.t('removed')} {source}({count} {self.t('chunks')})"), *self.refresh()

    def build(self) -> None:
        t = self.t
        rows, sources = self.documents()
        with gr.Row():
            with gr.Column(scale=2):
                files = gr.File(
                    label=t("upload"),
                    file_count="multiple",
                    file_types=list(SUPPORTED),
                    elem_id="siyu-upload",
                )
                ingest = gr.Button(t("ingest"), variant="primary", elem_id="siyu-ingest")
                status = gr.HTML(elem_id="siyu-kb-status")
                report = gr.Dataframe(
                    headers=REPORT_HEADERS[t.lang], label=t("ingest_report"), wrap=True
                )
            with gr.Column(scale=3):
                docs = gr.Dataframe(
                    value=rows,
                    headers=DOC_HEADERS[t.lang],
                    label=t("documents"),
                    elem_id="siyu-docs",
                )
                with gr.Row():
                    source = gr.Dropdown(
                        sources, label=t("remove"), scale=4, elem_id="siyu-remove-doc"
                    )
                    remove = gr.Button(
                        t("remove_btn"), variant="stop", scale=1, elem_id="siyu-remove"
                    )
        with gr.Row():
            query = gr.Textbox(
                label=t("query"), placeholder=t("query_ph"), scale=4, elem_id="siyu-kb-query"
            )
            kinds = gr.CheckboxGroup(DOC_TYPES, label=t("doc_types"), scale=3)
            k = gr.Slider(1, 20, value=5, step=1, label="k", scale=1)
        search_status = gr.HTML()
        hits = gr.Dataframe(
            headers=HIT_HEADERS[t.lang], label=t("results"), wrap=True, elem_id="siyu-hits"
        )
        ingest.click(self.ingest, files, [status, report, docs, source], concurrency_limit=1)
        query.submit(self.search, [query, kinds, k], [search_status, hits])
        remove.click(self.remove, source, [status, docs, source], concurrency_limit=1)
