"""`siyu reply`, `siyu post`, `siyu message`: drafts from the terminal (never sent)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from copilot.cli.common import (
    JsonFlag,
    console,
    copilot,
    emit_json,
    err_console,
    handle_errors,
    parse_at,
    read_jsonl,
    tr,
)
from copilot.errors import InputError
from copilot.guardrails.models import PostType
from copilot.messages import msg

if TYPE_CHECKING:
    from copilot.app import Copilot
    from copilot.drafting import Drafter, DraftResult
    from copilot.drafting.thread import Turn

VERDICT_STYLE = {"pass": "green", "warn": "yellow", "block": "red"}
JsonFlag = JsonFlag


def register(app: typer.Typer) -> None:
    app.command("reply")(reply)
    app.command("post")(post)
    app.command("message")(message)


def _drafter(app: Copilot) -> Drafter:
    """The app's drafter; an empty knowledge base gets the configured one ingested first."""

    def ingest(paths: list[Path]) -> None:
        from copilot.cli.kb import run_ingest

        err_console.print(
            tr(
                f"知识库为空,正在导入 {paths[0]}…",
                f"the knowledge base is empty; ingesting {paths[0]}…",
            )
        )
        run_ingest(app, paths, quiet=True)

    app.ensure_knowledge(ingest, warm=False)
    return app.drafter


def _show(result: DraftResult, as_json: bool) -> None:
    from rich.panel import Panel

    from copilot.drafting.engine import backend_label

    if as_json:
        emit_json(result)
        return
    console.print(
        f"[bold]{result.task}[/] · {tr('后端', 'backend')}: [cyan]{backend_label(result.backend)}[/] · "
        f"{tr('提示词', 'prompt')} {result.prompt.id}@{result.prompt.version} · "
        f"{result.latency_ms:.0f} ms"
    )
    for index, draft in enumerate(result.drafts, start=1):
        style = VERDICT_STYLE[draft.verdict.verdict]
        cites = " ".join(f"[{c.id}] {c.source}" for c in draft.citations) or "—"
        flag = f" · [yellow]{tr('需人工确认', 'needs a human')}[/]" if draft.needs_human else ""
        findings = "\n".join(f"  [{style}]{f.rule}[/] {f.message}" for f in draft.verdict.findings)
        body = f"{draft.text}\n\n[dim]{tr('引用', 'sources')}: {cites}[/]{flag}"
        console.print(
            Panel(
                body + (f"\n{findings}" if findings else ""),
                title=f"{tr('草稿', 'draft')} {index} · [{style}]{draft.verdict.verdict}[/]",
                highlight=False,
            )
        )
    for note in result.notes:
        console.print(f"[dim]· {note}[/]")


@handle_errors
def reply(
    text: Annotated[str, typer.Argument(help=tr("客户消息", "the customer's message"))],
    context: Annotated[
        str, typer.Option(help=tr("订单或客户背景", "order or customer context"))
    ] = "",
    thread: Annotated[
        Path | None,
        typer.Option(
            "--thread",
            help=tr(
                '之前的对话:JSONL 文件,每行 {"role": "customer|agent", "text": …},早的在前',
                'earlier turns: a JSONL file, one {"role": "customer|agent", "text": …} a line, '
                "oldest first",
            ),
        ),
    ] = None,
    turn: Annotated[
        list[str] | None,
        typer.Option(
            "--turn",
            help=tr(
                "之前的一轮 customer:文字 或 agent:文字,可重复,早的在前(排在 --thread 之后)",
                "an earlier turn, customer:text or agent:text, repeatable, oldest first "
                "(after --thread)",
            ),
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """为客户消息起草 1–3 条带引用的回复建议。"""
    from copilot.drafting import ReplyRequest

    app = copilot()
    turns = (_read_thread(thread) if thread else []) + [_parse_turn(t) for t in turn or []]
    keep = app.settings.api.thread_turns
    request = ReplyRequest(message=text, context=context, thread=turns[-keep:] if keep else [])
    _show(_drafter(app).reply(request), as_json)


def _turn(data: object, where: str) -> Turn:
    from pydantic import ValidationError

    from copilot.drafting.thread import Turn

    try:
        return Turn.model_validate(data)
    except ValidationError as exc:
        raise InputError.from_validation(
            exc,
            msg("对话中的一轮无效", "invalid turn"),
            where=where,
            hint=msg(
                'role 为 customer 或 agent,text 不为空,如 {"role": "customer", "text": "M码呢"}',
                'role is customer or agent, text is not empty: {"role": "customer", "text": "M?"}',
            ),
        ) from None


def _parse_turn(text: str) -> Turn:
    role, sep, said = text.partition(":")
    if not sep:
        raise InputError(
            msg(f"应为 customer:文字 或 agent:文字:{text!r}", f"expected role:text: {text!r}"),
            where="--turn",
            hint=msg(
                "例如 --turn customer:宝宝7公斤穿什么码", "e.g. --turn 'customer:size for 7kg?'"
            ),
        )
    return _turn({"role": role.strip(), "text": said.strip()}, "--turn")


def _read_thread(path: Path) -> list[Turn]:
    try:
        lines = list(read_jsonl(str(path)))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            msg(f"无法读取对话文件: {exc}", f"cannot read the thread file: {exc}"),
            where=str(path),
            hint=msg("检查路径与 UTF-8 编码", "check the path and the UTF-8 encoding"),
        ) from None
    turns = []
    for number, line in lines:
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                msg(f"不是 JSON: {exc.msg}", f"not JSON: {exc.msg}"),
                where=f"{path}:{number}",
                hint=msg('每行一个 {"role": …, "text": …}', 'one {"role": …, "text": …} a line'),
            ) from None
        turns.append(_turn(data, f"{path}:{number}"))
    return turns


@handle_errors
def post(
    post_type: Annotated[PostType, typer.Option("--type", help="tips | seeding | ugc | promo")],
    topic: Annotated[str, typer.Option(help=tr("主题或产品", "topic or product"))],
    brief: Annotated[str, typer.Option(help=tr("运营简报", "operator brief"))] = "",
    community: Annotated[str, typer.Option(help=tr("社群名", "community"))] = "默认社群",
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help=tr("计划时间 ISO, 如 2026-06-01T10:00", "planned time, ISO: 2026-06-01T10:00"),
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """起草一条社群帖子(干货、种草、互动、促销)。"""
    from copilot.drafting import PostRequest

    planned = parse_at(at) if at else None
    app = copilot()
    request = PostRequest(
        post_type=post_type,
        topic=topic,
        brief=brief,
        community=community,
        planned_at=planned,
        members=app.schedule.members(community),  # a post naming one with sensitive data blocks
    )
    _show(_drafter(app).post(request), as_json)


@handle_errors
def message(
    playbook: Annotated[
        str, typer.Option(help="birthday | dormant | member_day | koc | post_purchase")
    ],
    fields: Annotated[
        list[str] | None,
        typer.Option(
            "--fields",
            help=tr("已授权字段 name=值,可重复", "permitted field name=value, repeatable"),
        ),
    ] = None,
    withheld: Annotated[
        list[str] | None, typer.Option(help=tr("未授权字段名", "withheld field name"))
    ] = None,
    brief: Annotated[
        str,
        typer.Option(
            help=tr(
                "优惠与有效期;默认用剧本中该会员等级的优惠",
                "offer and validity; default: the playbook's offer for the customer's tier",
            )
        ),
    ] = "",
    purpose: Annotated[str | None, typer.Option(help=tr("授权用途", "consent purpose"))] = None,
    consent: Annotated[
        list[str] | None,
        typer.Option(help=tr("客户已同意的用途,可重复", "consented purpose, repeatable")),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """按剧本起草一条个性化 1:1 消息(只使用已授权字段)。"""
    from copilot.drafting import MessageRequest

    _check_playbook(playbook)
    app = copilot()
    permitted = _parse_fields(fields or [])
    request = MessageRequest.model_validate(
        {
            "playbook": playbook,
            "fields": permitted,
            "withheld": withheld or [],
            "brief": brief or _playbook_offer(app, playbook, permitted.get("tier")),
            "purpose": purpose,
            "consents": consent or [],
        }
    )
    _show(_drafter(app).message(request), as_json)


def _playbook_offer(app: Copilot, name: str, tier: str | None) -> str:
    """The offer the knowledge base's playbook file states for the tier ("" without one)."""
    if not app.playbooks_dir.is_dir():
        return ""
    books = app.playbooks()
    return books[name].offer_for(tier) if name in books else ""


def _check_playbook(name: str) -> None:
    from copilot.drafting import PLAYBOOKS

    if name not in PLAYBOOKS:
        raise InputError(
            msg(f"未知剧本 {name!r}", f"unknown playbook {name!r}"),
            where="--playbook",
            hint=msg("可选:", "valid: ") + ", ".join(PLAYBOOKS),
        )


def _parse_fields(pairs: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for pair in pairs:
        for part in pair.split(","):
            name, sep, value = part.partition("=")
            if not sep or not name.strip():
                raise InputError(
                    msg(f"字段格式应为 name=值:{part!r}", f"expected name=value: {part!r}"),
                    where="--fields",
                    hint=msg("例如 --fields name=王芳", "e.g. --fields name=王芳"),
                )
            fields[name.strip()] = value.strip()
    return fields
