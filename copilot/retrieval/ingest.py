"""Ingestion: files → chunks → store, incrementally and without ever losing stored data.

Unchanged files (same content hash) are skipped without being parsed; a changed file gets its
new chunks added before its stale ones are removed; a file that fails to load keeps whatever
the store already had for it. `prune` removes chunks of files deleted under the given folders.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from copilot.config import RetrievalSettings
from copilot.errors import InputError
from copilot.retrieval.chunking import chunk_sections
from copilot.retrieval.loaders import SUPPORTED, Problem, load
from copilot.retrieval.models import DocType
from copilot.retrieval.store import StoredFile, VectorStore

Status = Literal["added", "updated", "unchanged", "skipped", "removed"]

# File-name hints for the doc type when a file does not declare one.
_TYPE_HINTS: tuple[tuple[tuple[str, ...], DocType], ...] = (
    (("approved", "话术"), "approved"),
    (("faq", "问答"), "faq"),
    (("product", "商品", "产品"), "product"),
    (("promo", "campaign", "活动", "促销"), "promotion"),
    (("polic", "政策", "条款", "隐私"), "policy"),
)


class FileReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    status: Status
    chunks: int = 0
    added: int = 0
    removed: int = 0
    problems: list[Problem] = Field(default_factory=list)


class IngestReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    files: list[FileReport] = Field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: Status) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def chunks_added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]


class Progress(BaseModel):
    """Where an ingest run is: file i of n, and chunks embedded so far in that file."""

    model_config = ConfigDict(extra="forbid")

    file_index: int
    file_total: int
    source: str
    chunks_done: int = 0
    chunks_total: int = 0


ProgressFn = Callable[[Progress], None]


def discover(paths: list[Path]) -> Iterator[tuple[Path, str]]:
    """(file, display source) for each supported file; folders are walked in sorted order,
    skipping names starting with '.' or '_' and README files."""
    for root in paths:
        if root.is_file():
            yield root, f"{root.parent.name}/{root.name}" if root.parent.name else root.name
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if any(part.startswith((".", "_")) for part in relative.parts):
                continue
            if (
                path.is_file()
                and path.suffix.lower() in SUPPORTED
                and not path.stem.upper().startswith("README")
            ):
                yield path, f"{root.resolve().name}/{relative.as_posix()}"


class Ingestor:
    """Feeds files into a VectorStore."""

    def __init__(
        self, store: VectorStore, settings: RetrievalSettings, batch_size: int = 64
    ) -> None:
        self.store, self.settings, self.batch_size = store, settings, batch_size

    def ingest(
        self, paths: list[Path], *, prune: bool = False, progress: ProgressFn | None = None
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        for path in paths:
            if not path.exists():
                report.files.append(
                    FileReport(
                        source=str(path),
                        status="skipped",
                        problems=[
                            Problem(
                                source=str(path),
                                message="路径不存在 / path does not exist",
                                hint="检查路径拼写",
                            )
                        ],
                    )
                )
        files = list(discover([p for p in paths if p.exists()]))
        manifest = self.store.manifest()
        changed = False
        for number, (path, source) in enumerate(files, start=1):
            if progress:
                progress(Progress(file_index=number, file_total=len(files), source=source))
            entry = self._ingest_file(path, source, manifest, number, len(files), progress)
            changed |= entry.added > 0 or entry.removed > 0 or entry.status == "updated"
            report.files.append(entry)
        if prune:
            changed |= self._prune(paths, {str(p.resolve()) for p, _ in files}, manifest, report)
        if changed:
            self.store.commit()
        report.seconds = time.perf_counter() - started
        return report

    def _prune(
        self,
        paths: list[Path],
        seen: set[str],
        manifest: dict[str, StoredFile],
        report: IngestReport,
    ) -> bool:
        """Remove chunks of files that were under the given folders and no longer exist."""
        roots = [str(p.resolve()) for p in paths if p.is_dir()]
        removed = False
        for key, stored in manifest.items():
            under_root = any(key.startswith(root + "/") for root in roots)
            if key not in seen and under_root and not Path(key).exists():
                self.store.delete(stored.ids)
                report.files.append(
                    FileReport(source=key, status="removed", removed=len(stored.ids))
                )
                removed = True
        return removed

    def _ingest_file(
        self,
        path: Path,
        source: str,
        manifest: dict[str, StoredFile],
        number: int,
        total: int,
        progress: ProgressFn | None,
    ) -> FileReport:
        key = str(path.resolve())
        try:
            size_mb = path.stat().st_size / 1_000_000
            if size_mb > self.settings.max_file_mb:
                raise InputError(
                    f"文件 {size_mb:.1f} MB,超过上限 {self.settings.max_file_mb:g} MB / file too large",
                    hint="拆分文件,或调高 SIYU_RETRIEVAL_MAX_FILE_MB",
                )
            data = path.read_bytes()
        except (InputError, OSError) as exc:
            return _skipped(source, exc)
        file_hash = hashlib.sha256(data).hexdigest()
        previous = manifest.get(key, StoredFile())
        old_ids = previous.ids
        if previous.file_hash == file_hash and old_ids:
            return FileReport(source=source, status="unchanged", chunks=len(old_ids))
        problems: list[Problem] = []
        try:
            loaded = load(path, source)
            problems = loaded.problems
            chunks = chunk_sections(
                loaded.sections,
                key=key,
                source=source,
                doc_type=loaded.meta.get("doc_type") or _doc_type_from_name(path),
                language=loaded.meta.get("language"),
                budget=self.settings.chunk_tokens,
                overlap=self.settings.chunk_overlap,
            )
            if not chunks:
                raise InputError(
                    "没有可导入的内容 / nothing to ingest", hint="检查文件内容与格式;原有内容已保留"
                )
        except InputError as exc:
            return _skipped(source, exc, problems)
        old, new = set(old_ids), {c.id for c in chunks}
        fresh = [c for c in chunks if c.id not in old]
        stamp = {"path": key, "file_hash": file_hash}
        for start in range(0, len(fresh), self.batch_size):
            batch = fresh[start : start + self.batch_size]
            self.store.add(
                batch, self.store.embedder.embed_documents([c.text for c in batch]), stamp
            )
            if progress:
                progress(
                    Progress(
                        file_index=number,
                        file_total=total,
                        source=source,
                        chunks_done=start + len(batch),
                        chunks_total=len(fresh),
                    )
                )
        self.store.restamp([i for i in old_ids if i in new], stamp)
        stale = [i for i in old_ids if i not in new]
        self.store.delete(stale)
        return FileReport(
            source=source,
            status="updated" if old_ids else "added",
            chunks=len(chunks),
            added=len(fresh),
            removed=len(stale),
            problems=problems,
        )


def _skipped(source: str, exc: Exception, problems: list[Problem] | None = None) -> FileReport:
    if isinstance(exc, InputError):
        problem = Problem(source=source, message=exc.message, hint=exc.hint)
    else:
        problem = Problem(
            source=source, message=f"无法读取 / cannot read: {exc}", hint="检查文件权限"
        )
    return FileReport(source=source, status="skipped", problems=[*(problems or []), problem])


def _doc_type_from_name(path: Path) -> DocType:
    name = path.as_posix().lower()
    for needles, doc_type in _TYPE_HINTS:
        if any(n in name for n in needles):
            return doc_type
    return "doc"
