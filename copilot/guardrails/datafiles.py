"""Product content of the guardrails (term lists, phrase patterns, look-alike maps) read from
YAML files in `data/`, validated by pydantic models; a bad file raises ConfigError."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from copilot.datafile import load_yaml
from copilot.errors import ConfigError
from copilot.messages import msg

DATA_DIR = Path(__file__).resolve().parent / "data"
Model = TypeVar("Model", bound=BaseModel)


class DataFile(BaseModel):
    """Base of every guardrail data file: unknown keys are an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def load(name: str, model: type[Model]) -> Model:
    """Parse `data/<name>` into `model`; a missing, malformed or invalid file raises ConfigError."""
    return load_yaml(
        DATA_DIR / name,
        model,
        msg("护栏数据文件", "guardrail data file"),
        hint=msg("修正该文件或重新安装", "fix the file or reinstall the package"),
    )


def alternation(terms: list[str]) -> str:
    """One regex alternative per entry; entries are regex fragments, longest first."""
    return "|".join(f"(?:{t})" for t in sorted(terms, key=len, reverse=True))


def compile_terms(terms: list[str], where: str) -> re.Pattern[str]:
    """Compile an alternation of regex fragments (case-insensitive); a bad one raises ConfigError."""
    return compile_pattern(alternation(terms), where, re.IGNORECASE)


def compile_pattern(pattern: str, where: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a regex read from a data file; an invalid one raises ConfigError naming `where`
    (file and entry)."""
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ConfigError(
            msg(f"护栏数据中的正则无效: {exc}", f"invalid pattern: {exc}"),
            where=where,
            hint=msg("修正该条目", "fix the entry"),
        ) from exc
