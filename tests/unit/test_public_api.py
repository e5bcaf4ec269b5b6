"""The pinned Python API: ``copilot.__all__`` is what CHANGELOG.md says it is, every name in
it resolves, and ``import copilot`` loads nothing heavy."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import copilot

ROOT = Path(__file__).resolve().parents[2]
API_LINE = re.compile(r"^- API ([+-]) `(\w+)`", re.M)


def changelog_api() -> list[str]:
    """Replay the changelog's API lines, oldest release first (the file is newest first)."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.split(r"^## ", text, flags=re.M)[1:]
    names: list[str] = []
    for release in reversed(releases):
        for op, name in API_LINE.findall(release):
            if op == "+":
                assert name not in names, f"{name} added twice"
                names.append(name)
            else:
                assert name in names, f"{name} removed but never added"
                names.remove(name)
    return names


def test_all_is_what_the_changelog_says() -> None:
    assert sorted(copilot.__all__) == sorted(changelog_api()), (
        "copilot.__all__ changed: add a `- API + `Name`` or `- API - `Name`` line to "
        "CHANGELOG.md under the coming release"
    )


def test_every_public_name_resolves() -> None:
    for name in copilot.__all__:
        value = getattr(copilot, name)
        assert value is not None, name
        if name != "__version__":
            assert getattr(value, "__module__", "").startswith("copilot."), name


def test_unknown_names_raise_attribute_error() -> None:
    try:
        _ = copilot.NoSuchThing
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:
        raise AssertionError("copilot.NoSuchThing resolved")


def test_import_copilot_is_light() -> None:
    code = (
        "import sys, copilot; "
        "heavy = [m for m in ('pydantic', 'sqlalchemy', 'chromadb', 'gradio', 'copilot.app')"
        " if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == ""


def test_all_and_the_lazy_table_agree() -> None:
    assert set(copilot.__all__) - {"__version__"} == set(copilot._EXPORTS)
