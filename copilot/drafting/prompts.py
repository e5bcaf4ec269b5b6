"""Prompts as data: YAML files in the prompts folder, parsed into `PromptSpec` and rendered.

A file is named ``<id>.<language>.yaml`` and holds id, version, purpose, language, task, the
output schema name and the system/user templates (``$name`` placeholders). Every draft records
the prompt id, version and content hash, so a changed prompt is visible in audit and evals.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from string import Template
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from copilot.drafting.outputs import OUTPUT_SCHEMAS
from copilot.errors import ConfigError
from copilot.llm.backend import ChatPrompt
from copilot.messages import msg

PromptTask = Literal["reply", "post", "message", "judge"]

# Placeholders each task's templates may use; anything else is a typo and fails on load.
VARIABLES: dict[str, frozenset[str]] = {
    "reply": frozenset({"customer_message", "thread", "context", "evidence", "schema", "today"}),
    "post": frozenset(
        {"community", "post_type", "topic", "brief", "planned_at", "evidence", "schema", "today"}
    ),
    "message": frozenset(
        {"playbook", "fields", "withheld", "brief", "evidence", "schema", "today"}
    ),
    "judge": frozenset({"rubric", "input", "output", "schema"}),
}


@functools.lru_cache(maxsize=32)
def schema_text(schema: type[BaseModel]) -> str:
    """The output schema as prompt text; cached because schemas are fixed per task class."""
    return json.dumps(schema.model_json_schema(), ensure_ascii=False)


class PromptSpec(BaseModel):
    """One prompt file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: str = Field(min_length=1)
    purpose: str = Field(min_length=1)
    language: Literal["zh", "en"]
    task: PromptTask
    output_schema: str
    system: str = Field(min_length=1)
    user: str = Field(min_length=1)

    @field_validator("output_schema")
    @classmethod
    def _known_schema(cls, value: str) -> str:
        if value not in OUTPUT_SCHEMAS:
            raise ValueError(f"'{value}' is unknown; valid: {', '.join(sorted(OUTPUT_SCHEMAS))}")
        return value

    @model_validator(mode="after")
    def _check_placeholders(self) -> PromptSpec:
        allowed = VARIABLES[self.task]
        for part in ("system", "user"):
            template = Template(getattr(self, part))
            if not template.is_valid():
                raise ValueError(f"{part}: a '$' is not followed by a name (write $$ for '$')")
            unknown = set(template.get_identifiers()) - allowed
            if unknown:
                raise ValueError(
                    f"{part} uses unknown placeholder(s) {sorted(unknown)}; valid for task "
                    f"'{self.task}': {sorted(allowed)}"
                )
        return self

    @functools.cached_property
    def hash(self) -> str:
        """The prompt's content hash, worked out once (a spec is frozen)."""
        canonical = json.dumps(self.model_dump(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    @property
    def schema_model(self) -> type[BaseModel]:
        return OUTPUT_SCHEMAS[self.output_schema]

    def render(self, values: dict[str, str]) -> tuple[str, str]:
        """(system, user) with placeholders filled, `$schema` with the output schema; values the
        template does not use are ignored."""
        values = {**values, "schema": schema_text(self.schema_model)}
        return Template(self.system).substitute(values), Template(self.user).substitute(values)

    def chat(self, system: str, user: str, context: dict[str, Any]) -> ChatPrompt:
        """The rendered prompt as every backend takes it, with what it was rendered from
        (`context`, read by the template drafter) and the schema a streamed answer follows."""
        return ChatPrompt(
            prompt_id=self.id,
            version=self.version,
            hash=self.hash,
            system=system,
            user=user,
            context=context,
            response_schema=json.loads(schema_text(self.schema_model)),  # a fresh copy
        )


def load_prompt_file(path: Path) -> PromptSpec:
    """Parse one prompt file; every problem names the file and the field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(
            msg(f"无法读取提示词文件: {exc}", f"cannot read prompt file: {exc}"),
            where=str(path),
            hint=msg("检查 YAML 语法与 UTF-8 编码", "check the YAML syntax and the UTF-8 encoding"),
        ) from exc
    if not isinstance(raw, dict):
        raise ConfigError(
            msg("提示词文件应是一个映射", "a prompt file must be a YAML mapping"),
            where=str(path),
            hint=msg("参考 prompts/reply.zh.yaml", "see prompts/reply.zh.yaml"),
        )
    try:
        spec = PromptSpec.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError.from_validation(
            exc,
            msg("提示词文件无效", "invalid prompt file"),
            where=str(path),
            whole="(file)",
            hint=msg(
                "对照 prompts/ 里的示例修正这些字段",
                "fix these fields, see the bundled prompts/ for examples",
            ),
        ) from exc
    expected = f"{spec.id}.{spec.language}.yaml"
    if path.name != expected:
        raise ConfigError(
            msg(f"文件名应为 {expected}", f"the file should be named {expected}"),
            where=str(path),
            hint=msg("文件名 = <id>.<language>.yaml", "file name = <id>.<language>.yaml"),
        )
    return spec


class PromptLibrary:
    """The prompts of one folder (SIYU_PROMPTS_DIR), loaded lazily per (id, language)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._loaded: dict[tuple[str, str], PromptSpec] = {}

    def get(self, prompt_id: str, language: str) -> PromptSpec:
        key = (prompt_id, language)
        if key not in self._loaded:
            path = self.folder / f"{prompt_id}.{language}.yaml"
            if not path.exists():
                available = sorted(p.name for p in self.folder.glob("*.yaml"))
                listed = ", ".join(available)
                raise ConfigError(
                    msg(f"找不到提示词 {path.name}", f"prompt not found: {path.name}"),
                    where=str(self.folder),
                    hint=msg(
                        f"可用: {listed or '(无)'};或检查 SIYU_PROMPTS_DIR",
                        f"available: {listed or '(none)'}; or check SIYU_PROMPTS_DIR",
                    ),
                )
            self._loaded[key] = load_prompt_file(path)
        return self._loaded[key]
