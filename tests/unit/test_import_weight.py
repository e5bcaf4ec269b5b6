"""Light modules stay light: importing them loads none of the heavy stacks.

Each import runs in a fresh interpreter, and the test reads its sys.modules; nothing is timed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

HEAVY = frozenset(
    {
        "gradio",
        "chromadb",
        "langchain",
        "langchain_core",
        "langchain_openai",
        "openai",
        "jieba",
        "numpy",
        "sqlalchemy",
    }
)
PROBE = (
    "import json, sys, {module}; print(json.dumps(sorted(n.split('.')[0] for n in sys.modules)))"
)


def loaded_by(module: str) -> set[str]:
    """The top-level packages in sys.modules after importing `module` in a new interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "module", ["copilot", "copilot.cli", "copilot.config", "copilot.errors", "copilot.messages"]
)
def test_core_and_cli_root_load_no_heavy_stack(module: str) -> None:
    heavy = loaded_by(module) & HEAVY
    assert not heavy, f"importing {module} loads {sorted(heavy)}"


@pytest.mark.parametrize(
    "module",
    [
        "copilot.retrieval.models",
        "copilot.retrieval.retriever",
        "copilot.retrieval.store",
        "copilot.drafting",
    ],
)
def test_data_models_and_drafting_do_not_load_the_vector_store(module: str) -> None:
    heavy = loaded_by(module) & {"chromadb", "jieba", "sqlalchemy", "gradio"}
    assert not heavy, f"importing {module} loads {sorted(heavy)}"


def test_the_probe_sees_a_heavy_import() -> None:
    assert {"chromadb", "numpy"} <= loaded_by("copilot.retrieval.chroma")
