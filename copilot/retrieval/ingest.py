"""Ingestion: files → chunks → store, incrementally and without ever losing stored data.

Every chunk carries its file's stamp (content hash + chunk count), so a file counts as stored
only once all its chunks are: a run killed at any point is finished by the next run, which
embeds just the missing chunks and drops leftovers. Unchanged files (complete, same hash) are
skipped without being parsed; a changed file gets its new chunks added before its stale ones
are removed. Any failure while reading, parsing or chunking one file is that file's report
(it keeps whatever the store had for it) and the other files go on. Symlinks that lead out of
an ingested folder are refused. `prune` removes chunks of files deleted under the folders.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from copilot.config import RetrievalSettings
from copilot.errors import InputError
from copilot.messages import msg
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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def files_failed(self) -> int:
        """Files (or paths) that were not ingested."""
        return self.count("skipped")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rows_skipped(self) -> int:
        """Rows or lines skipped inside files that were otherwise ingested."""
        return sum(1 for p in self.problems if p.row is not None)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        """True when nothing failed: every file and row given was ingested."""
        return not self.problems


class Progress(BaseModel):
    """Where an ingest run is: file i of n, and chunks embedded so far in that file."""

    model_config = ConfigDict(extra="forbid")

    file_index: int
    file_total: int
    source: str
    chunks_done: int = 0
    chunks_total: int = 0


ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True)
class Found:
    """A file to ingest; `escapes_to` is set for a symlink leading out of its folder."""

    path: Path
    source: str
    escapes_to: Path | None = None


def discover(paths: list[Path]) -> Iterator[Found]:
    """Each supported file once; folders are walked in sorted order, skipping names starting
    with '.' or '_' and README files. A symlink leading outside the folder (to a supported file
    or to a folder, which is not walked) is yielded with `escapes_to` to be refused by name."""
    seen: set[Path] = set()
    for root in paths:
        if root.is_file():
            if root.resolve() not in seen:
                seen.add(root.resolve())
                yield Found(
                    root, f"{root.parent.name}/{root.name}" if root.parent.name else root.name
                )
            continue
        boundary = root.resolve()
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if any(part.startswith((".", "_")) for part in relative.parts):
                continue
            wanted = path.suffix.lower() in SUPPORTED and not path.stem.upper().startswith("README")
            target = path.resolve()
            source = f"{boundary.name}/{relative.as_posix()}"
            if not target.is_relative_to(boundary):
                if wanted or target.is_dir():
                    yield Found(path, source, escapes_to=target)
            elif wanted and path.is_file() and target not in seen:
                seen.add(target)
                yield Found(path, source)


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
                                message=msg("路径不存在", "path does not exist"),
                                hint=msg("检查路径拼写", "check the spelling of the path"),
                            )
                        ],
                    )
                )
        files = list(discover([p for p in paths if p.exists()]))
        manifest = self.store.manifest()
        changed = False
        for number, found in enumerate(files, start=1):
            if progress:
                progress(Progress(file_index=number, file_total=len(files), source=found.source))
            if found.escapes_to is not None:
                refused = self._refuse_link(found.source, found.escapes_to)
                changed |= refused.removed > 0
                report.files.append(refused)
                continue
            entry = self._ingest_file(
                found.path, found.source, manifest, number, len(files), progress
            )
            changed |= entry.added > 0 or entry.removed > 0 or entry.status == "updated"
            report.files.append(entry)
        if prune:
            seen = {str(f.path.resolve()) for f in files if f.escapes_to is None}
            changed |= self._prune(paths, seen, manifest, report)
        if changed or self.store.interrupted():  # also commit what a killed run wrote
            self.store.commit()
        report.seconds = time.perf_counter() - started
        return report

    def _refuse_link(self, source: str, target: Path) -> FileReport:
        """Refuse a symlink out of the folder, and remove what an earlier ingest (before links
        were checked) took in through it."""
        leaked = self.store.chunk_ids(source=source, path=str(target))
        self.store.delete(leaked)
        message = msg(
            f"符号链接指向导入文件夹之外({target}),已跳过",
            f"symlink points outside the ingested folder ({target}), skipped",
        )
        if leaked:
            message += msg(
                f";此前经它导入的 {len(leaked)} 块已删除",
                f"; {len(leaked)} chunks it brought in earlier were removed",
            )
        problem = Problem(
            source=source,
            message=message,
            hint=msg(
                "把文件本身复制进知识库文件夹,而不是链接到外部",
                "copy the file itself into the knowledge folder instead of linking outside it",
            ),
        )
        return FileReport(source=source, status="skipped", removed=len(leaked), problems=[problem])

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
                limit = self.settings.max_file_mb
                raise InputError(
                    msg(
                        f"文件 {size_mb:.1f} MB,超过上限 {limit:g} MB",
                        f"file too large: {size_mb:.1f} MB, the limit is {limit:g} MB",
                    ),
                    hint=msg(
                        "拆分文件,或调高 SIYU_RETRIEVAL_MAX_FILE_MB",
                        "split the file, or raise SIYU_RETRIEVAL_MAX_FILE_MB",
                    ),
                )
            data = path.read_bytes()
        except (InputError, OSError) as exc:
            return _skipped(source, exc)
        file_hash = hashlib.sha256(data).hexdigest()
        previous = manifest.get(key, StoredFile())
        old_ids = previous.ids
        if old_ids and previous.complete_hash() == file_hash:
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
                    msg("没有可导入的内容", "nothing to ingest"),
                    hint=msg(
                        "检查文件内容与格式;原有内容已保留",
                        "check the file's content and format; what was stored before is kept",
                    ),
                )
        except InputError as exc:
            return _skipped(source, exc, problems)
        except Exception as exc:  # a parser bug fails this one file, never the run
            return _skipped(source, _unexpected(exc), problems)
        # Stamp every chunk with the file's hash and chunk count: until all of them are stored
        # (new ones added, kept ones restamped, stale ones deleted) the file reads incomplete.
        old, new = set(old_ids), {c.id for c in chunks}
        fresh = [c for c in chunks if c.id not in old]
        stamp = {"path": key, "file_hash": file_hash, "file_chunks": len(chunks)}
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
        final = (file_hash, len(chunks))
        self.store.restamp(
            [c for c in chunks if c.id in old and previous.stamps[c.id] != final], stamp
        )
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
        field = exc.where if exc.where and exc.where != source else None
        problem = Problem(source=source, field=field, message=exc.message, hint=exc.hint)
    else:
        problem = Problem(
            source=source,
            message=msg(f"无法读取: {exc}", f"cannot read: {exc}"),
            hint=msg("检查文件权限", "check the file's permissions"),
        )
    return FileReport(source=source, status="skipped", problems=[*(problems or []), problem])


def _unexpected(exc: Exception) -> InputError:
    """Any other failure while parsing one file, named by its type (never a traceback)."""
    detail = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    return InputError(
        msg("意外错误", "unexpected error")
        + f" ({type(exc).__name__})"
        + (f": {detail}" if detail else ""),
        hint=msg(
            "该文件已跳过,其余文件照常导入;检查文件是否完整、能否用原软件打开,"
            "仍失败请把文件和这条信息交给维护人员",
            "this file was skipped, the others were ingested; check that the file is complete "
            "and opens in its own program, and if it still fails give the file and this "
            "message to the maintainer",
        ),
    )


def _doc_type_from_name(path: Path) -> DocType:
    name = path.as_posix().lower()
    for needles, doc_type in _TYPE_HINTS:
        if any(n in name for n in needles):
            return doc_type
    return "doc"
