from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from copilot import datafile
from tests.conftest import REPO

# Every YAML data file the package and the bundled demo ship (guardrail lexicons, prompts,
# voices, playbooks, demo data).
DATA = sorted(
    p for folder in ("copilot", "knowledge", "prompts") for p in (REPO / folder).rglob("*.yaml")
)


@pytest.mark.parametrize("path", DATA, ids=lambda p: str(p.relative_to(REPO)))
def test_the_fast_loader_reads_every_data_file_as_the_python_one_does(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert yaml.load(text, Loader=datafile.SafeLoader) == yaml.safe_load(text)


def test_the_loader_builds_no_python_objects() -> None:
    with pytest.raises(yaml.YAMLError):
        yaml.load("!!python/object/apply:os.getcwd []", Loader=datafile.SafeLoader)
