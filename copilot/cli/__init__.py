"""The ``siyu`` command: a root typer app whose commands load their module on first use.

Each ``copilot/cli/<domain>.py`` defines ``register(app)``. COMMANDS names the module and the
one-line help of every top-level command, so ``siyu --help`` lists them without importing a
domain module (nor the retrieval, drafting or UI stack behind it), and running a command
imports only its own module. A test checks COMMANDS against what the modules register; a new
command or module is added there. The listing is plain Chinese text (rendering it in the
reader's language would load the message models); each command's own help, output and errors
follow SIYU_LANGUAGE or the locale.
"""

from __future__ import annotations

import functools
import importlib

import typer
import typer.main
from typer import _click as click  # the click that typer bundles and builds on
from typer.core import TyperCommand, TyperGroup

COMMANDS: dict[str, tuple[str, str]] = {
    "ingest": ("kb", "导入文档到知识库(md、txt、csv、jsonl、pdf、docx)。"),
    "search": ("kb", "检索知识库(向量 + 关键词混合)。"),
    "reply": ("draft", "为客户消息起草 1–3 条带引用的回复建议。"),
    "post": ("draft", "起草一条社群帖子(干货、种草、互动、促销)。"),
    "message": ("draft", "按剧本起草一条个性化 1:1 消息(只使用已授权字段)。"),
    "check": (
        "guard",
        "检查草稿:营销占比、发送节奏、授权、敏感信息、退订、个人信息、数据依据、注入。",
    ),
    "segments": (
        "customers",
        "RFM 分层：新客 / 核心 / 超级用户 / 流失风险 / 沉睡，附动态标签与原因。",
    ),
    "selfcheck": (
        "compliance",
        "每月合规自查：无授权草稿、撤回是否遵守、营销占比、人工放行、个人信息拦截。",
    ),
    "serve": ("serve", "启动工作台(首次启动会导入演示知识库与演示客户)。"),
    "api": ("serve", "只启动 HTTP API(/v1、微信客服回调与侧边栏,不含工作台),可用多个工作进程。"),
    "eval": ("evals", "运行评测集:断言、基线对比、报告;回退时退出码为 1。"),
    "report": ("report", "月报：建议采纳率、编辑、护栏、发帖节奏与 1:1 触达频次（来自审计日志）。"),
    "gaps": ("report", "知识缺口：转人工、被拒或大改的问题按主题归类；可提议为话术进入审核。"),
    "kb": ("kb", "知识库管理"),
    "pii": ("guard", "个人信息扫描与脱敏"),
    "customers": ("customers", "客户数据"),
    "consent": ("customers", "授权登记"),
    "campaign": ("campaign", "1:1 触达活动"),
    "audit": ("compliance", "审计日志"),
    "llm": ("llm", "模型接口"),
    "nps": ("report", "NPS 调查"),
    "keys": ("keys", "HTTP API 密钥:创建、列出、吊销。"),
}


@functools.cache
def module_commands(module: str) -> TyperGroup:
    """The commands one domain module registers, as a click group (imports the module)."""
    domain = typer.Typer()
    importlib.import_module(f"copilot.cli.{module}").register(domain)
    return typer.main.get_group(domain)


class LazyGroup(TyperGroup):
    """Lists commands from COMMANDS; imports a command's module only when it runs."""

    listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, summary = COMMANDS[cmd_name]
        if self.listing:
            return TyperCommand(cmd_name, help=summary)
        return module_commands(module).get_command(ctx, cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list as plain text: typer's rich renderer would more than double the
        time of ``siyu --help`` (each command's own help keeps it)."""
        self.listing = True
        try:
            click.Command.format_help(self, ctx, formatter)
        finally:
            self.listing = False


app = typer.Typer(
    name="siyu",
    cls=LazyGroup,
    help="私域运营 Copilot —— 知识库检索、客服回复、社群内容、1:1 触达与合规护栏。",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main() -> None:
    """The root callback: it makes `siyu` a group whose commands come from COMMANDS."""
