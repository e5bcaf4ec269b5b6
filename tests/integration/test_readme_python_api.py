"""The README's Python API example runs as written (fresh SIYU_HOME, the bundled embedder: the
answerer's choice leans on real vectors, so a fake embedder would only give holding replies)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the Python API section has no python block"
    return match.group(1)


def test_python_api_example_runs(tmp_path: Path) -> None:
    env = {"SIYU_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", readme_example()],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "模板模式" in done.stdout
    assert "knowledge/" in done.stdout
