"""``siyu check`` and ``siyu pii scan``: run the guardrails over JSONL drafts or texts."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ConfigDict, ValidationError
from rich.markup import escape

from copilot.cli.common import (
    console,
    copilot,
    emit_json,
    err_console,
    handle_errors,
    read_jsonl,
    tr,
)
from copilot.errors import InputError, field_problems
from copilot.guardrails import CheckInput, redact, scan_pii
from copilot.messages import msg

_FILE = Annotated[
    str, typer.Argument(help=tr("JSONL 文件,- 表示标准输入", "JSONL file, - for stdin"))
]
_JSON = Annotated[
    bool, typer.Option("--json", help=tr("每行输出一个 JSON", "one JSON line per input"))
]
_ENTITY_FIELDS = {"type", "start", "end", "text", "score"}
T = TypeVar("T", bound=BaseModel)


class PiiScanInput(BaseModel):
    """One `siyu pii scan` line."""

    model_config = ConfigDict(extra="forbid")

    id: str
    text: str


def _rows(path: str, model: type[T]) -> Iterator[T | None]:
    """Parsed rows; a malformed line is reported on stderr with its number and yields None."""
    try:
        lines = list(read_jsonl(path))
    except OSError as exc:
        raise InputError(
            msg(f"无法读取 {path}", f"cannot read {path}") + f": {exc}",
            hint=msg("检查文件路径", "check the path"),
        ) from None
    for number, line in lines:
        try:
            yield model.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            detail = (
                field_problems(exc, "(line)")
                if isinstance(exc, ValidationError)
                else f"{tr('JSON 无效', 'invalid JSON')}: {exc.msg}"
            )
            err_console.print(
                f"[bold red]{path}:{number}:[/] {tr('无效的输入行', 'malformed line')} — "
                f"{escape(detail)}",
                highlight=False,
            )
            yield None


def _run(path: str, model: type[T], handle: Callable[[T], None]) -> None:
    bad = 0
    for row in _rows(path, model):
        if row is None:
            bad += 1
        else:
            handle(row)
    if bad:
        err_console.print(
            tr(f"{bad} 行无效,其余已处理", f"{bad} malformed line(s); the rest were done")
        )
        raise typer.Exit(1)


@handle_errors
def check_command(file: _FILE, as_json: _JSON = False) -> None:
    app = copilot()

    def handle(draft: CheckInput) -> None:
        verdict = app.check(draft)
        if as_json:
            emit_json(verdict)
            return
        colour = {"pass": "green", "warn": "yellow", "block": "red"}[verdict.verdict]
        console.print(f"[bold]{draft.id}[/] [{colour}]{verdict.verdict}[/]", highlight=False)
        for f in verdict.findings:
            span = f" «{f.text}»" if f.text else ""
            console.print(escape(f"  [{f.rule}/{f.severity}]{span} {f.message}"), highlight=False)
            console.print(escape(f"    → {f.fix}"), highlight=False)

    _run(file, CheckInput, handle)


@handle_errors
def pii_scan_command(
    file: _FILE,
    redact_text: Annotated[
        bool, typer.Option("--redact", help=tr("同时输出脱敏文本", "also output redacted text"))
    ] = False,
    as_json: _JSON = False,
) -> None:

    def handle(row: PiiScanInput) -> None:
        result = redact(row.text) if redact_text else None
        entities = result.entities if result else scan_pii(row.text)
        payload: dict[str, Any] = {
            "id": row.id,
            "entities": [e.model_dump(include=_ENTITY_FIELDS) for e in entities],
        }
        if result is not None:
            payload["redacted"] = result.text
        if as_json:
            emit_json(payload)
            return
        found = tr(f"{len(entities)} 处个人信息", f"{len(entities)} personal data entities")
        console.print(f"[bold]{row.id}[/] {found}", highlight=False)
        for e in entities:
            console.print(f"  {e.type} {e.start}-{e.end} «{e.text}» {e.score} ({e.reason})")
        if result is not None:
            console.print(f"  → {result.text}", highlight=False)

    _run(file, PiiScanInput, handle)


def register(app: typer.Typer) -> None:
    app.command(
        "check",
        help=tr(
            "检查草稿:营销占比、发送节奏、授权、敏感信息、退订、个人信息、数据依据、注入。",
            "Check drafts: marketing share, cadence, consent, sensitive claims, opt-out, personal data, grounding, injection.",
        ),
    )(check_command)
    pii = typer.Typer(help=tr("个人信息扫描与脱敏", "personal data scanning and redaction"))
    pii.command(
        "scan",
        help=tr(
            "扫描个人信息(身份证、手机号、银行卡、邮箱、微信、地址……)。",
            "Scan for personal data (ID cards, phone numbers, bank cards, e-mail, WeChat, addresses…).",
        ),
    )(pii_scan_command)
    app.add_typer(pii, name="pii")
