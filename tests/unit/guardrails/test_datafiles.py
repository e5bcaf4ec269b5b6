from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from copilot.guardrails import datafiles


@pytest.mark.parametrize("path", sorted(datafiles.DATA_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_the_fast_loader_reads_every_data_file_as_the_python_one_does(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert yaml.load(text, Loader=datafiles.SafeLoader) == yaml.safe_load(text)


def test_the_loader_builds_no_python_objects() -> None:
    with pytest.raises(yaml.YAMLError):
        yaml.load("!!python/object/apply:os.getcwd []", Loader=datafiles.SafeLoader)
