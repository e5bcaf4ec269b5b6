"""`siyu campaign plan|run|status|export|import-batch`: 1:1 campaigns from playbooks.

On PostgreSQL `run` is one worker of the campaign: start it on several machines, or ask for
`--workers N` here (N-1 more `siyu campaign run` processes are started and waited for).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from copilot.app import Copilot
from copilot.campaigns.batch import BatchBridge
from copilot.campaigns.campaign import RunSummary
from copilot.campaigns.planning import plan_campaign
from copilot.campaigns.playbooks import PlaybookSpec
from copilot.campaigns.results import campaign_status, export_results
from copilot.campaigns.workers import open_campaign
from copilot.cli.common import (
    JsonFlag,
    console,
    copilot,
    emit_json,
    err_console,
    handle_errors,
    progress_bar,
    tr,
)
from copilot.drafting import MessageRequest
from copilot.drafting.message import plan_message
from copilot.errors import CopilotError
from copilot.llm.backend import TEMPLATE_BACKEND
from copilot.messages import msg, render

campaign_app = typer.Typer(help=tr("1:1 触达活动", "1:1 campaigns"), no_args_is_help=True)

PlaybookOpt = Annotated[str, typer.Option("--playbook", "-p", help=tr("剧本", "playbook id"))]
CampaignOpt = Annotated[
    str | None,
    typer.Option(
        "--campaign", help=tr("活动 ID;默认 剧本-日期", "campaign id; default playbook-date")
    ),
]
CAMPAIGN_ARG = tr("活动 ID", "campaign id")
SIYU = [sys.executable, "-c", "from copilot.cli import app; app()"]
SQLITE_ONE_WORKER = msg(
    "SQLite 只支持单进程起草：本次按 1 个 worker 运行。多个 worker 需要 PostgreSQL"
    "（设置 SIYU_DATABASE_URL，见 README「Scaling out」）",
    "SQLite drafts a campaign in one process only: running 1 worker. Several workers need "
    "PostgreSQL (set SIYU_DATABASE_URL, see the README's Scaling out)",
)


def register(app: typer.Typer) -> None:
    app.add_typer(campaign_app, name="campaign")


def _campaign_id(spec: PlaybookSpec, campaign: str | None) -> str:
    return campaign or f"{spec.id}-{date.today():%Y%m%d}"


def _bridge(app: Copilot, spec: PlaybookSpec) -> BatchBridge:
    """The OpenAI Batch bridge of the playbook's campaign runner."""
    drafter, campaigns = app.campaigns(spec)
    return BatchBridge(campaigns, drafter, app.settings.llm.model, app.settings.llm.temperature)


@campaign_app.command(
    "plan",
    help=tr(
        "预览：受众人数、排除名单及原因、样例草稿、token 与费用估算（不写入、不发送）。",
        "Preview: audience size, exclusions and reasons, sample drafts, token and cost estimate (nothing is written or sent).",
    ),
)
@handle_errors
def plan(
    playbook: PlaybookOpt,
    campaign: CampaignOpt = None,
    sample: Annotated[
        int | None, typer.Option(help=tr("样例草稿数", "number of sample drafts"))
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    app = copilot()
    spec = app.playbook(playbook)
    drafter, campaigns = app.campaigns(spec)
    engine, s = drafter.engine, app.settings

    def prompt_tokens(request: MessageRequest) -> int:
        chat = engine.prepare(plan_message(request, engine.options.language, engine.today())).chat
        return engine.counter.count_messages(chat.system, chat.user)

    result = plan_campaign(
        campaigns,
        spec,
        _campaign_id(spec, campaign),
        sample=s.customers.campaign_sample if sample is None else sample,
        prompt_tokens=prompt_tokens,
        text_tokens=engine.counter.count,
        model=s.llm.model,
        prices=s.llm.prices,
        template_mode=engine.backend.is_template,
    )
    if as_json:
        emit_json(result)
        return
    console.print(
        tr(
            f"[bold]{spec.name}[/]（{spec.id}，用途 {spec.purpose}）活动 {result.campaign_id}",
            f"[bold]{spec.name}[/] ({spec.id}, purpose {spec.purpose}) campaign "
            f"{result.campaign_id}",
        )
    )
    console.print(
        f"{tr('规则匹配', 'matched')}: {result.matched}  "
        f"{tr('可触达', 'eligible')}: {result.eligible}"
    )
    for code, n in sorted(result.excluded_counts.items()):
        console.print(f"  {tr('排除', 'excluded')} {code}: {n}")
    for ex in result.excluded[:5]:
        console.print(f"    {ex.customer_id}: {render(ex.reason)}")
    mode = TEMPLATE_BACKEND if result.cost == 0 and engine.backend.is_template else result.model
    cost = tr("未知", "unpriced") if result.cost is None else f"¥{result.cost:.4f}"
    tokens_in, tokens_out = f"{result.input_tokens:,}", f"{result.output_tokens:,}"
    console.print(
        tr(
            f"估算（{mode}）：输入 {tokens_in} tokens，输出 {tokens_out} tokens，费用 {cost}",
            f"estimate ({mode}): {tokens_in} input tokens, {tokens_out} output tokens, cost {cost}",
        )
    )
    for sample_draft in result.samples:
        console.print(
            f"\n[bold]{sample_draft.customer_id}[/] "
            f"{escape(f'[{sample_draft.verdict or sample_draft.status}]')} "
            f"{tr('字段', 'fields')} {sample_draft.fields_used}\n{escape(sample_draft.text)}"
        )


@campaign_app.command(
    "run",
    help=tr(
        "为每位可触达客户起草消息（只起草，不发送）；可中断后 --resume 续跑。",
        "Draft a message for every reachable customer (drafts only, nothing is sent); resume an interrupted run with --resume.",
    ),
)
@handle_errors
def run(
    playbook: PlaybookOpt,
    campaign: CampaignOpt = None,
    resume: Annotated[
        bool,
        typer.Option("--resume", help=tr("续跑被中断的活动", "resume an interrupted campaign")),
    ] = False,
    concurrency: Annotated[int | None, typer.Option(min=1, max=64)] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help=tr(
                "本机 worker 进程数（PostgreSQL；每个 worker 各用 --concurrency 路并发）",
                "worker processes on this machine (PostgreSQL; each drafts --concurrency at once)",
            ),
        ),
    ] = 1,
    out: Annotated[
        Path | None, typer.Option(help=tr("结果文件 .csv 或 .jsonl", "results file .csv or .jsonl"))
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    app = copilot()
    spec = app.playbook(playbook)
    _, campaigns = app.campaigns(spec)
    campaign_id = _campaign_id(spec, campaign)
    concurrency = concurrency or app.settings.customers.campaign_concurrency
    if workers > 1 and app.db.dialect != "postgresql":
        err_console.print(render(SQLITE_ONE_WORKER))
        workers = 1
    # the others join the campaign opened here even if it is done before they start
    args = ["campaign", "run", "-p", spec.id, "--campaign", campaign_id, "--json", "--resume"]
    args += ["--concurrency", str(concurrency)]
    if workers > 1:
        open_campaign(campaigns, spec, campaign_id, resume)
    with LocalWorkers(args, workers - 1) as others:
        with progress_bar() as bar:
            task = bar.add_task(f"{tr('起草', 'drafting')} {campaign_id}", total=None, detail="")
            summary = campaigns.run(
                spec,
                campaign_id,
                resume=resume,
                concurrency=concurrency,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                notify=lambda note: bar.console.print(render(note)),
            )
        counts = others.counts() + Counter(summary.counts)
        summary = summary.model_copy(update={"counts": dict(counts)})
    written = export_results(app.db, campaign_id, out) if out else 0
    if as_json:
        emit_json(summary)
        return
    drafted = sum(summary.counts.values())
    console.print(
        tr(
            f"活动 {campaign_id}: 受众 {summary.audience}，本次 {drafted}，"
            f"已完成跳过 {summary.skipped}；{summary.counts}",
            f"campaign {campaign_id}: audience {summary.audience}, this run {drafted}, "
            f"skipped as done {summary.skipped}; {summary.counts}",
        )
    )
    if out:
        console.print(f"{tr('结果', 'results')}: {out} ({written})")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()


class LocalWorkers:
    """More `siyu campaign run` processes of one campaign on this machine: started on entry,
    stopped on exit if still running; `counts` waits for them and adds up what they drafted."""

    def __init__(self, args: list[str], count: int) -> None:
        self.args, self.count = args, count
        self.stack = contextlib.ExitStack()
        self.processes: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = []

    def __enter__(self) -> LocalWorkers:
        for _ in range(self.count):
            errors = self.stack.enter_context(tempfile.TemporaryFile())
            process = self.stack.enter_context(
                subprocess.Popen([*SIYU, *self.args], stdout=subprocess.PIPE, stderr=errors)
            )
            self.stack.callback(_stop, process)  # runs before the Popen's own exit waits
            self.processes.append((process, errors))
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()

    def counts(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        failed: list[str] = []
        for process, errors in self.processes:
            out, _ = process.communicate()
            if process.returncode == 0:
                counts.update(RunSummary.model_validate_json(out).counts)
                continue
            errors.seek(0)
            said = out.decode(errors="replace").strip()  # --json: the error is on stdout
            failed.append(f"pid {process.pid}: {said or errors.read().decode(errors='replace')}")
        if failed:
            raise CopilotError(
                msg("有 worker 进程失败", "a worker process failed") + "\n" + "\n".join(failed),
                hint=msg(
                    "它领取的客户在租约到期后由其他 worker 起草；修复后重新运行同一命令即可续上",
                    "the customers it held are drafted by the other workers once its lease "
                    "expires; fix the cause and run the same command again to continue",
                ),
            )
        return counts


@campaign_app.command(
    "status",
    help=tr(
        "活动进度：受众、已完成、剩余、按状态与护栏结论统计。",
        "Campaign progress: audience, done, remaining, counts by status and guardrail verdict.",
    ),
)
@handle_errors
def status(
    campaign: Annotated[str, typer.Argument(help=CAMPAIGN_ARG)],
    as_json: JsonFlag = False,
) -> None:
    result = campaign_status(copilot().db, campaign)
    if as_json:
        emit_json(result)
        return
    table = Table(title=f"{tr('活动', 'campaign')} {result.campaign_id} ({result.playbook})")
    table.add_column(tr("项目", "item"))
    table.add_column(tr("数量", "count"), justify="right")
    rows = [
        (tr("受众", "audience"), result.audience),
        (tr("已完成", "done"), result.done),
        (tr("剩余", "remaining"), result.remaining),
    ]
    rows += [(f"{tr('状态', 'status')} {k}", v) for k, v in sorted(result.by_status.items())]
    rows += [(f"{tr('结论', 'verdict')} {k}", v) for k, v in sorted(result.by_verdict.items())]
    rows += [(f"{tr('起草中', 'drafting now')} {w}", n) for w, n in sorted(result.workers.items())]
    for label, value in rows:
        table.add_row(label, str(value))
    console.print(table)


@campaign_app.command(
    "export",
    help=tr(
        "导出结果（CSV/JSONL，含护栏结论），或用 --openai-batch 导出 Batch API 请求文件。",
        "Export results (CSV/JSONL with guardrail verdicts), or Batch API request files with --openai-batch.",
    ),
)
@handle_errors
def export(
    campaign: Annotated[str, typer.Argument(help=CAMPAIGN_ARG)],
    out: Annotated[
        Path,
        typer.Option(
            help=tr(
                ".csv 或 .jsonl;配合 --openai-batch 为请求文件",
                ".csv or .jsonl; with --openai-batch the request file",
            )
        ),
    ],
    openai_batch: Annotated[
        str | None,
        typer.Option(
            help=tr("剧本 id:导出 OpenAI Batch 请求", "playbook id: export OpenAI Batch requests")
        ),
    ] = None,
) -> None:
    app = copilot()
    if openai_batch:
        spec = app.playbook(openai_batch)
        count = _bridge(app, spec).export(spec, campaign, out)
        console.print(
            tr(
                f"Batch 请求:{out} ({count});上传后用 import-batch 导回结果",
                f"Batch requests: {out} ({count}); upload them, then bring the results back "
                "with import-batch",
            )
        )
        return
    count = export_results(app.db, campaign, out)
    console.print(f"{tr('已导出', 'exported')} {count} → {out}")


@campaign_app.command(
    "import-batch",
    help=tr(
        "导入 OpenAI Batch 结果：逐条过护栏、记审计，已完成的客户跳过。",
        "Import OpenAI Batch results: each one through the guardrails and into the audit log; customers already done are skipped.",
    ),
)
@handle_errors
def import_batch(
    playbook: PlaybookOpt,
    results: Annotated[
        Path, typer.Argument(help=tr("Batch API 输出 JSONL", "the Batch API output JSONL"))
    ],
    campaign: CampaignOpt = None,
) -> None:
    app = copilot()
    spec = app.playbook(playbook)
    counts = _bridge(app, spec).import_results(spec, _campaign_id(spec, campaign), results)
    console.print(f"{tr('已导入', 'imported')}: {counts}")
