"""`siyu llm check`: probe the configured model endpoint and print what works and what to set."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.table import Table

from copilot.cli.common import JsonFlag, console, copilot, emit_json, handle_errors, settings, tr
from copilot.drafting import ReplyRequest
from copilot.drafting.engine import FALLBACK_LABEL
from copilot.errors import ConfigError
from copilot.llm.factory import endpoint_backend
from copilot.llm.openai_backend import StructuredMode
from copilot.llm.probe import CheckReport, Probe, check_endpoint
from copilot.messages import msg, render
from copilot.retrieval.models import Hit

llm_app = typer.Typer(help=tr("模型接口", "the LLM endpoint"), no_args_is_help=True)
STATUS_STYLE = {"ok": "green", "fail": "red", "skipped": "dim"}
PASSAGE = Hit(
    id="probe-1",
    source="siyu llm check",
    doc_type="faq",
    score=1.0,
    vector_score=0.9,
    keyword_rank=1,
    citation="K1",
    text="问:满多少包邮?\n答:单笔订单实付满99元包邮,不满99元收取运费8元。",
)
QUESTION = "满多少钱包邮?"
# Each small probe may take at most this share of the budget; the grounded reply the rest.
PROBE_SHARE = 6


def register(app: typer.Typer) -> None:
    app.add_typer(llm_app, name="llm")


def grounded_reply(mode: StructuredMode, timeout_s: float) -> Probe:
    """A tiny cited reply through the real drafting engine and guardrails."""
    app = copilot()
    s = app.settings
    probe = {
        "timeout_s": timeout_s,
        "max_retries": 0,
        "temperature": 0.0,
        "max_output_tokens": min(s.llm.max_output_tokens, 200),
        "structured": mode,
    }
    backend = endpoint_backend(s.llm.model_copy(update=probe))
    drafter = app.grounded_drafter(backend, [PASSAGE])
    started = time.perf_counter()
    result = drafter.reply(ReplyRequest(message=QUESTION, language="zh"))
    ms = round((time.perf_counter() - started) * 1000, 1)
    if result.backend == FALLBACK_LABEL and result.model_output is not None:
        reason = f" ({result.model_output.reason})"
        detail = msg("模型输出无效", "unusable output") + reason
        return Probe(name="grounded_reply", status="fail", detail=detail, latency_ms=ms)
    draft = result.drafts[0]
    cited = any(c.id == "K1" for c in draft.citations)
    passed = cited and draft.verdict.verdict != "block"
    citation = msg("引用 K1", "cites K1") if cited else msg("未引用", "no citation")
    detail = f"{draft.verdict.verdict}, " + citation + f": {draft.text[:60]!r}"
    return Probe(
        name="grounded_reply", status="ok" if passed else "fail", detail=detail, latency_ms=ms
    )


@llm_app.command(
    "check",
    help=tr(
        "探测已配置的模型接口:支持什么、多快、建议怎么设置。",
        "Probe the configured model endpoint: what it supports, how fast, and what to set.",
    ),
)
@handle_errors
def check(
    budget: Annotated[
        float, typer.Option(help=tr("总时长上限(秒)", "overall time budget, s"))
    ] = 60.0,
    as_json: JsonFlag = False,
) -> None:
    llm = settings().llm
    if not llm.base_url:
        raise ConfigError(
            msg(
                "未配置模型接口,当前为模板模式",
                "no endpoint configured: drafts use the template mode",
            ),
            where="SIYU_LLM_BASE_URL",
            hint=msg(
                "设置 SIYU_LLM_BASE_URL(如 http://127.0.0.1:8080/v1)与 SIYU_LLM_MODEL",
                "set SIYU_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1) and SIYU_LLM_MODEL",
            ),
        )
    report = check_endpoint(
        base_url=llm.base_url,
        model=llm.model,
        api_key=llm.api_key.get_secret_value() if llm.api_key else None,
        budget_s=budget,
        probe_timeout_s=min(llm.timeout_s, budget / PROBE_SHARE),
        grounded_reply=grounded_reply,
    )
    if as_json:
        emit_json(report)
    else:
        _show(report)
    if not report.reachable:
        raise typer.Exit(1)


def _show(report: CheckReport) -> None:
    console.print(
        f"[bold]{report.endpoint}[/] · {tr('模型', 'model')} [cyan]{report.model}[/] · "
        f"{report.elapsed_s:.1f} s"
    )
    table = Table(tr("探测", "probe"), tr("状态", "status"), "ms", tr("说明", "detail"))
    for probe in report.probes:
        style = STATUS_STYLE[probe.status]
        ms = f"{probe.latency_ms:.0f}" if probe.latency_ms is not None else "—"
        table.add_row(probe.name, f"[{style}]{probe.status}[/]", ms, render(probe.detail))
    console.print(table)
    if report.context_length:
        console.print(f"{tr('上下文长度', 'context length')}: {report.context_length}")
    if report.first_token_ms is not None:
        console.print(
            f"{tr('首字', 'first token')} {report.first_token_ms:.0f} ms · "
            f"{tr('全部', 'full')} {report.full_ms:.0f} ms"
        )
    for problem in report.problems:
        console.print(f"[yellow]· {render(problem)}[/]")
    if report.recommended:
        console.print(f"[bold]{tr('建议设置', 'recommended settings')}[/]")
        for name, value in report.recommended.items():
            console.print(f"  {name}={value}")
