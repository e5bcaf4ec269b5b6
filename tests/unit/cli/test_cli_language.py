"""The CLI speaks one language: SIYU_LANGUAGE (else the locale) picks Chinese or English for
errors, hints and labels; --json errors carry a stable code next to the text."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from copilot.cli import app

runner = CliRunner()
HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _import_missing(tmp_path: Path, language: str, *extra: str) -> tuple[int, str, str]:
    missing = tmp_path / "missing.csv"
    result = runner.invoke(
        app, ["customers", "import", str(missing), *extra], env={"SIYU_LANGUAGE": language}
    )
    flat = "".join(result.output.split())  # the terminal wraps long lines anywhere
    return result.exit_code, flat.replace(str(missing), "<file>"), result.stdout


def test_an_error_in_english_has_no_chinese(tmp_path: Path) -> None:
    code, output, _ = _import_missing(tmp_path, "en")
    assert code == 1
    assert "error:<file>:filenotfound" in output and "hint:checkthefilepath" in output
    assert not HAN.search(output), output


def test_an_error_in_chinese_has_no_english(tmp_path: Path) -> None:
    code, output, _ = _import_missing(tmp_path, "zh")
    assert code == 1
    assert "错误:<file>:文件不存在" in output and "提示:检查文件路径" in output
    assert not LATIN_WORD.search(output.replace("<file>", "")), output


def test_a_json_error_carries_its_code_and_one_language(tmp_path: Path) -> None:
    code, _, stdout = _import_missing(tmp_path, "en", "--json")
    error = json.loads(stdout)["error"]
    assert code == 1
    assert (error["code"], error["message"], error["hint"]) == (
        "input",
        "file not found",
        "check the file path",
    )
    assert error["where"].endswith("missing.csv")
    code, _, stdout = _import_missing(tmp_path, "zh", "--json")
    assert json.loads(stdout)["error"]["message"] == "文件不存在"
