"""Runs stored under SIYU_HOME/evals: one JSON file per run, plus the saved baseline."""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from copilot.errors import ConfigError, StoreError
from copilot.evals.results import RunRecord
from copilot.messages import msg

BASELINE_HINT = msg(
    "用 --baseline last(上一次运行)、saved(--save-baseline 保存的)、运行 ID 或 JSON 文件",
    "use --baseline last, saved, a run id or a run JSON file",
)


class RunStore:
    """Reads and writes run records; run ids sort by time."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.runs = folder / "runs"
        self.baseline = folder / "baseline.json"

    @staticmethod
    def new_id(now: datetime) -> str:
        # milliseconds keep ids of quick successive runs in time order; the suffix keeps them unique
        return f"{now:%Y%m%d-%H%M%S}-{now.microsecond // 1000:03d}{secrets.token_hex(1)}"

    def save(self, record: RunRecord) -> Path:
        return self._write(self.runs / f"{record.run_id}.json", record)

    def save_baseline(self, record: RunRecord) -> Path:
        return self._write(self.baseline, record)

    def _write(self, path: Path, record: RunRecord) -> Path:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_text(record.model_dump_json(indent=1), encoding="utf-8")
            partial.replace(path)
        except OSError as exc:
            raise StoreError(
                msg("无法保存评测结果", "cannot store the run") + f": {exc}",
                where=str(path),
                hint=msg("检查 SIYU_HOME 是否可写", "check that SIYU_HOME is writable"),
            ) from exc
        return path

    def run_ids(self) -> list[str]:
        return sorted(p.stem for p in self.runs.glob("*.json")) if self.runs.is_dir() else []

    def resolve(self, ref: str, *, exclude: str | None = None) -> RunRecord:
        """The run a --baseline value names: last, saved, a run id, or a file."""
        if ref == "last":
            earlier = [run_id for run_id in self.run_ids() if run_id != exclude]
            if not earlier:
                raise ConfigError(
                    msg("还没有可比较的历史运行", "there is no earlier run to compare with"),
                    where=str(self.runs),
                    hint=msg("先不带 --baseline 运行一次", "run once without --baseline first"),
                )
            return self.load(self.runs / f"{earlier[-1]}.json")
        if ref == "saved":
            if not self.baseline.exists():
                raise ConfigError(
                    msg("还没有保存的基线", "no baseline has been saved"),
                    where=str(self.baseline),
                    hint=msg("运行 siyu eval --save-baseline", "run siyu eval --save-baseline"),
                )
            return self.load(self.baseline)
        candidate = Path(ref)
        if candidate.suffix == ".json" and candidate.exists():
            return self.load(candidate)
        by_id = self.runs / f"{ref}.json"
        if by_id.exists():
            return self.load(by_id)
        recent = ", ".join(self.run_ids()[-3:]) or "—"
        raise ConfigError(
            msg(
                f"找不到基线 {ref}(最近的运行:{recent})",
                f"baseline not found: {ref} (recent runs: {recent})",
            ),
            where="--baseline",
            hint=BASELINE_HINT,
        )

    @staticmethod
    def load(path: Path) -> RunRecord:
        try:
            return RunRecord.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValidationError) as exc:
            raise ConfigError(
                msg("无法读取运行记录", "cannot read the run record")
                + f": {str(exc).splitlines()[0]}",
                where=str(path),
                hint=BASELINE_HINT,
            ) from exc
