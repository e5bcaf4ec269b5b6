"""Product data files (playbooks, prompts, voices, guardrail lexicons, demo data) are YAML
parsed into strict models; every problem is a ``ConfigError`` naming the file and the field."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from copilot.errors import ConfigError
from copilot.messages import Msg, Text

Model = TypeVar("Model", bound=BaseModel)
# libyaml's safe loader when PyYAML was built with it (same documents, several times faster)
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path, model: type[Model], what: Msg, *, hint: Text = "") -> Model:
    """`path` parsed into `model`; `what` names the kind of file in both languages."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(
            Msg(zh=f"无法读取{what.zh}: {exc}", en=f"cannot read {what.en}: {exc}"),
            where=str(path),
            hint=hint,
        ) from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError.from_validation(
            exc, Msg(zh=f"{what.zh}字段无效", en=f"invalid {what.en}"), where=str(path), hint=hint
        ) from exc
