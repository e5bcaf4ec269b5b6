"""Where the benchmarks find the public data sets: the `--data` option, else SIYU_BENCH_DATA.
Each data set sits in its own sub-folder with its source and licence."""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "SIYU_BENCH_DATA"


def data_dir(given: Path | str | None, *needed: str) -> Path:
    """The data folder; it must hold every path in `needed` (else a clear exit message)."""
    raw = given or os.environ.get(DATA_ENV)
    if not raw:
        raise SystemExit(f"no data folder: pass --data FOLDER or set {DATA_ENV}")
    folder = Path(raw)
    missing = [name for name in needed if not (folder / name).exists()]
    if missing:
        raise SystemExit(
            f"{', '.join(missing)} not found under {folder}: pass --data FOLDER or set {DATA_ENV} "
            "to the folder holding the public data sets"
        )
    return folder
