"""Eval suites as data: YAML files parsed into pydantic models, with errors that name the line.

Two shapes are accepted. Ours (``suite``/``task``/``defaults``/``cases``) and promptfoo's
(``description``/``defaultTest``/``tests`` with ``vars`` and ``assert`` lists), so existing
promptfoo suites run unchanged for the assertion types we share. ``cases`` may also name a CSV or
JSONL file next to the suite (``cases_file: cases.csv`` or promptfoo's ``tests: file://cases.csv``), see `copilot.evals.casefiles`.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from copilot.drafting import MessageRequest, PostRequest, ReplyRequest
from copilot.errors import ConfigError, field_problems
from copilot.evals import casefiles
from copilot.evals.assertions import AssertionSpec
from copilot.evals.yamlpos import YamlDoc
from copilot.messages import msg

SuiteTask = Literal["reply", "post", "message"]
REQUESTS: dict[str, type[BaseModel]] = {
    "reply": ReplyRequest,
    "post": PostRequest,
    "message": MessageRequest,
}
# promptfoo suites often name the customer text differently.
VAR_ALIASES = {"question": "message", "input": "message", "query": "message"}
# promptfoo top-level keys mapped onto ours.
PROMPTFOO_KEYS = {"tests": "cases", "defaultTest": "defaults"}
SUITE_KEYS = ("cases:", "tests:", "cases_file:")
# A promptfoo test has no id; a description that looks like one (no spaces) is used instead.
SLUG = re.compile(r"[\w.-]{1,60}")
HINT = msg("对照 evals/README.md 的格式修正", "fix it against the format in evals/README.md")


class Defaults(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    vars: dict[str, Any] = Field(default_factory=dict)
    assertions: list[AssertionSpec] = Field(default_factory=list, alias="assert")


class CaseSpec(BaseModel):
    """One case as written: inputs (`vars`) and assertions (`assert`)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str | None = None
    description: str = ""
    task: SuiteTask | None = None
    today: date | None = Field(None, description="the day the case happens on; default: suite's")
    vars: dict[str, Any] = Field(default_factory=dict)
    assertions: list[AssertionSpec] = Field(default_factory=list, alias="assert")
    threshold: float | None = Field(None, ge=0, le=1, description="weighted score to pass")
    metadata: dict[str, Any] = Field(default_factory=dict)


class SuiteSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    suite: str | None = None
    description: str = ""
    task: SuiteTask = "reply"
    knowledge: str | None = Field(None, description="knowledge folder, relative to the suite")
    today: date | None = Field(
        None, description="the day the cases happen on (dated promotions); default: the clock's"
    )
    defaults: Defaults = Field(default_factory=Defaults)
    cases: list[CaseSpec] = Field(default_factory=list)
    cases_file: str | None = Field(None, description="CSV/JSONL cases, relative to the suite")
    prompts: list[Any] | None = Field(None, description="promptfoo only; prompts/ is used")
    providers: list[Any] | None = Field(None, description="promptfoo only; --backend is used")


class Case(BaseModel):
    """A case ready to run: its task request and the assertions to apply."""

    model_config = ConfigDict(extra="forbid")

    suite: str
    id: str
    description: str
    task: SuiteTask
    request: dict[str, Any]
    today: date | None = None
    assertions: list[AssertionSpec]
    threshold: float | None = None
    where: str = Field(description="file:line of the case, for messages and reports")

    @property
    def key(self) -> str:
        return f"{self.suite}/{self.id}"


class Suite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    path: Path
    task: SuiteTask
    knowledge: Path | None
    cases: list[Case]


def _normalise(raw: dict[str, Any]) -> dict[str, Any]:
    data = {PROMPTFOO_KEYS.get(key, key): value for key, value in raw.items()}
    if isinstance(data.get("cases"), str):  # promptfoo: tests: file://cases.csv
        data["cases_file"] = data.pop("cases")
    return data


def load_suite(path: Path) -> Suite:
    """Parse and validate one suite file; every problem names the file and line."""
    doc = YamlDoc.read(path)
    if not isinstance(doc.data, dict):
        raise ConfigError(
            msg("评测集应是一个 YAML 映射", "a suite must be a YAML mapping"),
            where=f"{path}:1",
            hint=HINT,
        )
    try:
        spec = SuiteSpec.model_validate(_normalise(doc.data))
    except ValidationError as exc:
        raise doc.invalid(exc, PROMPTFOO_KEYS, HINT) from exc
    name = spec.suite or spec.description.strip() or path.stem
    if spec.cases_file:
        rows = casefiles.load_case_file(path.parent / spec.cases_file.removeprefix("file://"))
        case_specs = [(_case_from_file(raw, loc), loc) for raw, loc in rows]
        locate = None
    else:
        case_specs = [(spec.cases[i], ("cases", i)) for i in range(len(spec.cases))]
        locate = doc
    if not case_specs:
        raise ConfigError(
            msg(
                "评测集没有用例(空评测集算错误,不算通过)",
                "the suite has no cases (an empty suite is an error, not a pass)",
            ),
            where=f"{path}:1",
            hint=msg(
                "在 cases:(或 promptfoo 的 tests:)下添加用例", "add cases under cases: or tests:"
            ),
        )
    cases = []
    seen: set[str] = set()
    for number, (case, loc) in enumerate(case_specs, start=1):
        where = doc.where(loc, PROMPTFOO_KEYS) if locate else f"{loc[0]}:{loc[1]}"
        built = _build_case(name, spec, case, number, where)
        if built.id in seen:
            raise ConfigError(
                msg(f"用例 id 重复:{built.id}", f"duplicate case id {built.id}"),
                where=where,
                hint=msg("每个用例的 id 必须唯一", "give each case a unique id"),
            )
        seen.add(built.id)
        cases.append(built)
    knowledge = (path.parent / spec.knowledge).resolve() if spec.knowledge else None
    return Suite(name=name, path=path, task=spec.task, knowledge=knowledge, cases=cases)


def _case_from_file(raw: dict[str, Any], loc: tuple[str, int]) -> CaseSpec:
    try:
        return CaseSpec.model_validate(raw)
    except ValidationError as exc:
        problems = field_problems(exc, "(row)")
        raise ConfigError(
            msg("用例无效", "invalid case") + f": {problems}",
            where=f"{loc[0]}:{loc[1]}",
            hint=casefiles.HINT,
        ) from exc


def _build_case(suite: str, spec: SuiteSpec, case: CaseSpec, number: int, where: str) -> Case:
    task = case.task or spec.task
    merged = {**spec.defaults.vars, **case.vars}
    request = {VAR_ALIASES.get(key, key): value for key, value in merged.items()}
    model = REQUESTS[task]
    try:
        validated = model.model_validate(request)
    except ValidationError as exc:
        problems = field_problems(exc, "?", prefix="vars.")
        valid = ", ".join(sorted(model.model_fields))
        raise ConfigError(
            msg(f"用例输入无效(任务 {task})", f"invalid case vars for task {task}")
            + f": {problems}",
            where=where,
            hint=msg(f"{task} 可用的 vars:{valid}", f"valid vars: {valid}"),
        ) from exc
    assertions = [*spec.defaults.assertions, *case.assertions]
    if not assertions:
        raise ConfigError(
            msg("用例没有断言,永远不会失败", "the case has no assertions, so it could never fail"),
            where=where,
            hint=msg("至少添加一条 assert", "add at least one assertion"),
        )
    return Case(
        suite=suite,
        id=case.id
        or (case.description if SLUG.fullmatch(case.description) else f"case-{number:03d}"),
        description=case.description,
        task=task,
        request=validated.model_dump(mode="json", exclude_unset=True),
        today=case.today or spec.today,
        assertions=assertions,
        threshold=case.threshold,
        where=where,
    )


def discover_suites(paths: list[Path]) -> list[Path]:
    """Suite files under the given paths: YAML files, folders walked in sorted order, skipping
    names that start with '.' or '_' and folders without suites (data sets, baselines)."""
    found: list[Path] = []
    for root in paths:
        if not root.exists():
            raise ConfigError(
                msg("路径不存在", "path not found") + f": {root}",
                where=str(root),
                hint=msg("检查评测集路径", "check the suite path"),
            )
        if root.is_file():
            found.append(root)
            continue
        for path in sorted(root.rglob("*.y*ml")):
            relative = path.relative_to(root)
            if any(part.startswith((".", "_")) for part in relative.parts):
                continue
            if path.suffix in (".yaml", ".yml") and _looks_like_suite(path):
                found.append(path)
    if not found:
        raise ConfigError(
            msg("没有找到评测集", "no suite files found"),
            where=", ".join(str(p) for p in paths),
            hint=msg(
                "评测集是含 cases:、cases_file: 或 tests: 的 YAML 文件",
                "a suite is a YAML file with cases:, cases_file: or tests:",
            ),
        )
    return found


def _looks_like_suite(path: Path) -> bool:
    """A folder scan only picks YAML files that declare cases; others are data, not suites."""
    head = path.read_text(encoding="utf-8", errors="replace")
    return any(line.startswith(SUITE_KEYS) for line in head.splitlines())


def load_suites(paths: list[Path]) -> list[Suite]:
    suites = [load_suite(path) for path in discover_suites(paths)]
    names = [s.name for s in suites]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(
            msg("评测集名称重复", "duplicate suite names") + f": {', '.join(duplicates)}",
            where=", ".join(str(s.path) for s in suites if s.name in duplicates),
            hint=msg("给每个评测集一个唯一的 suite: 名称", "give each suite a unique name"),
        )
    return suites
