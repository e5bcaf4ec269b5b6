"""`siyu keys`: API keys for the HTTP API (the secret is printed once, only its hash is kept)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from copilot.cli.common import JsonFlag, console, copilot, emit_json, handle_errors, tr
from copilot.messages import msg

if TYPE_CHECKING:
    from copilot.access.keys import KeyRing

keys_app = typer.Typer(help="HTTP API 密钥:创建、列出、吊销。", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")


def _ring() -> KeyRing:
    from copilot.access.keys import KeyRing

    app = copilot()
    return KeyRing(app.db, app.audit)


@keys_app.command(
    "create",
    help=tr(
        "创建 API 密钥;密钥只显示这一次。", "Create an API key; the key is shown only this once."
    ),
)
@handle_errors
def create(
    name: Annotated[
        str, typer.Argument(help=tr("密钥名,如 sidebar-zhang", "key name, e.g. sidebar-zhang"))
    ],
    scopes: Annotated[
        list[str],
        typer.Option(
            "--scopes",
            help="draft,check,feedback,admin " + tr("(逗号分隔)", "(comma-separated)"),
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    from copilot.access.keys import parse_scopes

    issued = _ring().create(name, parse_scopes(scopes))
    if as_json:
        emit_json({"id": issued.key.id, "name": name, "scopes": list(issued.key.scopes),
                   "key": issued.token})  # fmt: skip
        return
    console.print(str(msg(
        f"已创建密钥 {name}(id {issued.key.id},权限 {','.join(issued.key.scopes)})。"
        "请现在保存,它不会再显示:",
        f"Key {name} created (id {issued.key.id}, scopes {','.join(issued.key.scopes)}). "
        "Save it now, it is not shown again:",
    )), highlight=False)  # fmt: skip
    console.print(issued.token, highlight=False, soft_wrap=True)


@keys_app.command(
    "list", help=tr("列出 API 密钥(不含密钥本身)。", "List API keys (without the keys themselves).")
)
@handle_errors
def list_keys(
    as_json: JsonFlag = False,
) -> None:
    from rich.table import Table

    keys = _ring().list()
    if as_json:
        emit_json([k.model_dump(mode="json") for k in keys])
        return
    table = Table()
    for header in (msg("名称", "name"), "id", msg("权限", "scopes"), msg("创建于", "created"),
                   msg("吊销于", "revoked")):  # fmt: skip
        table.add_column(str(header))
    for k in keys:
        revoked = f"{k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "—"
        table.add_row(k.name, k.id, ",".join(k.scopes), f"{k.created_at:%Y-%m-%d %H:%M}", revoked)
    console.print(table)


@keys_app.command(
    "revoke", help=tr("吊销 API 密钥,立即生效。", "Revoke an API key, effective at once.")
)
@handle_errors
def revoke(
    name: Annotated[str, typer.Argument(help=tr("密钥名或 id", "key name or id"))],
) -> None:
    key = _ring().revoke(name)
    console.print(str(msg(f"已吊销密钥 {key.name}", f"key {key.name} revoked")), highlight=False)
