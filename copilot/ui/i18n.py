"""User-facing strings of the workbench, Chinese first with an English counterpart, and the
page language every event handler renders library messages in."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Generator, Iterator
from typing import Any, ParamSpec, TypeVar

from copilot.messages import Lang, language

P = ParamSpec("P")
R = TypeVar("R")

STRINGS: dict[str, tuple[str, str]] = {
    "title": ("私域运营 Copilot 工作台", "Siyu Copilot workbench"),
    "tagline": (
        "它只起草,由人决定:每条草稿都带来源、护栏结论和后端。",
        "It drafts; people decide: every draft shows its sources, guardrail verdict and backend.",
    ),
    "switch": ("English", "中文"),
    "tab_reply": ("客服回复", "Customer service"),
    "tab_community": ("社群内容", "Community posts"),
    "tab_outreach": ("私聊触达", "1:1 outreach"),
    "tab_kb": ("知识库", "Knowledge base"),
    "tab_evals": ("评测", "Evals"),
    "tab_compliance": ("合规", "Compliance"),
    "tab_dashboard": ("看板", "Dashboard"),
    # reply tab
    "queue": ("待回复队列(示例会话)", "Queue (sample conversations)"),
    "message": ("客户消息", "Customer message"),
    "message_ph": ("粘贴客户的原话……(Ctrl+Enter 生成)", "Paste the customer's words… (Ctrl+Enter)"),
    "context": ("订单/客户背景(可选)", "Order / customer context (optional)"),
    "suggest": ("生成建议", "Suggest replies"),
    "next": ("下一条", "Next"),
    "redacted": ("脱敏后的客户消息", "Customer message, redacted"),
    "live": ("实时输出", "Live output"),
    "pick": ("选用建议", "Use suggestion"),
    "editor": ("回复(可编辑)", "Reply (editable)"),
    "accept": ("采纳", "Accept"),
    "accept_edit": ("编辑后采纳", "Accept edited"),
    "reject": ("不采纳", "Reject"),
    "reason": ("不采纳原因", "Reason"),
    "propose": ("同时提议为话术", "Also propose as an approved answer"),
    "review": ("话术审核", "Approved-answer review"),
    "pending": ("待审核话术", "Pending answers"),
    "approve": ("通过并入库", "Approve and ingest"),
    "decline": ("驳回", "Decline"),
    "refresh": ("刷新", "Refresh"),
    "shortcuts": (
        "快捷键:Ctrl+Enter 生成 · Alt+A 采纳 · Alt+N 下一条",
        "Shortcuts: Ctrl+Enter suggest · Alt+A accept · Alt+N next",
    ),
    "no_draft": ("请先生成建议。", "Generate suggestions first."),
    "recorded": ("已记录到审计日志:", "Recorded in the audit log: "),
    "proposed": ("已提交话术审核:", "Proposed for review: "),
    "approved_ok": ("话术已通过并导入知识库:", "Approved and ingested: "),
    "declined_ok": ("话术已驳回:", "Declined: "),
    "same_text": (
        "回复未修改,请用「采纳」;或先编辑再点「编辑后采纳」。",
        "The reply is unchanged: use Accept, or edit it first.",
    ),
    "need_reason": ("请选择或填写不采纳的原因。", "Pick or type a reason for rejecting."),
    "pick_proposal": ("请先选择一条待审核话术。", "Pick a pending answer first."),
    # cards
    "suggestion": ("建议", "Suggestion"),
    "confidence": ("置信度", "confidence"),
    "backend": ("后端", "backend"),
    "sources": ("引用来源", "Sources"),
    "no_sources": ("无引用", "no sources"),
    "needs_human": ("需人工确认", "needs a human"),
    "fix": ("建议修改", "fix"),
    "verdict_pass": ("通过", "pass"),
    "verdict_warn": ("警告", "warn"),
    "verdict_block": ("拦截", "blocked"),
    "fields_used": ("使用的字段", "fields used"),
    "fields_withheld": ("未使用的字段", "fields withheld"),
    "notes": ("说明", "notes"),
    # knowledge tab
    "upload": (
        "上传文件(md、txt、csv、jsonl、pdf、docx)",
        "Upload (md, txt, csv, jsonl, pdf, docx)",
    ),
    "ingest": ("导入", "Ingest"),
    "ingest_report": ("导入结果", "Ingest report"),
    "documents": ("文档与块数", "Documents and chunks"),
    "query": ("检索", "Search"),
    "query_ph": ("例如:退货运费谁出", "e.g. who pays return shipping"),
    "doc_types": ("文档类型", "Doc types"),
    "results": ("检索结果(混合分数)", "Results (hybrid scores)"),
    "remove": ("删除文档", "Remove document"),
    "remove_btn": ("删除", "Remove"),
    "removed": ("已删除", "Removed"),
    "chunks": ("块", "chunks"),
    "no_files": ("请先选择文件。", "Choose files first."),
    "no_hits": ("没有找到相关内容。", "No results."),
    "pick_doc": ("请先选择要删除的文档。", "Pick a document to remove."),
    # compliance tab
    "consent_registry": ("授权登记", "Consent registry"),
    "customer_id": ("客户编号", "Customer id"),
    "lookup": ("查询", "Look up"),
    "consent_state": ("当前授权", "Current consents"),
    "consent_history": ("授权历史", "Consent history"),
    "purpose": ("授权用途", "Purpose"),
    "source": ("撤回来源", "Source of the withdrawal"),
    "withdraw_source": ("客户在企微会话中要求撤回", "customer asked in a WeCom chat"),
    "withdraw": ("登记撤回", "Record withdrawal"),
    "pick_purpose": ("请先选择授权用途。", "Pick a purpose first."),
    "withdrawn_ok": ("已登记撤回,立即生效:", "Withdrawal recorded, effective now: "),
    "audit_log": ("审计日志", "Audit log"),
    "kinds": ("事件类型", "Event kinds"),
    "from": ("起始日期(含)", "From (inclusive)"),
    "to": ("结束日期(不含)", "To (exclusive)"),
    "contains": ("包含文字", "Contains"),
    "browse": ("筛选", "Filter"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "events": ("条事件", "events"),
    "exported": ("已导出事件数:", "Events exported: "),
    "download": ("下载", "Download"),
    "selfcheck": ("每月合规自查", "Monthly self-check"),
    "month": ("月份", "Month"),
    "run_selfcheck": ("生成自查报告", "Build the report"),
    # outreach tab
    "playbook": ("剧本", "Playbook"),
    "campaign_id": ("活动编号", "Campaign id"),
    "preview": ("预览受众与样例", "Preview audience and samples"),
    "run_campaign": ("运行活动(可续跑)", "Run (resumable)"),
    "matched": ("规则匹配", "matched"),
    "eligible": ("可触达", "eligible"),
    "excluded": ("排除", "excluded"),
    "estimate": ("费用估算", "cost estimate"),
    "eligible_ids": ("可触达客户(前几位):", "eligible customers (first few): "),
    "exclusions": ("排除名单与原因", "Exclusions with reasons"),
    "run_done": ("活动已完成:", "Campaign finished: "),
    "audience": ("受众", "audience"),
    "followed": (
        "该活动已在运行(另一次点击或另一个页面发起),这里显示的是同一次运行的进度与结果,没有重复生成。",
        "This campaign was already running (another click or page): this is that same run's "
        "progress and result; nothing was drafted twice.",
    ),
    "rows_exported": ("导出行数 ", "rows exported "),
    "workers_now": ("起草中的 worker", "workers drafting now"),
    # community tab
    "community": ("社群", "Community"),
    "share": ("近 7 天营销占比", "Marketing share, last 7 days"),
    "cap": ("上限", "cap"),
    "today_posts": ("今日帖子", "Posts today"),
    "quiet": ("静默时段", "quiet hours"),
    "marketing_mark": ("营销", "marketing"),
    "weekdays": ("周一 周二 周三 周四 周五 周六 周日", "Mon Tue Wed Thu Fri Sat Sun"),
    "post_type": ("帖子类型", "Post type"),
    "topic": ("主题或产品", "Topic or product"),
    "brief": ("运营简报(优惠与有效期写在这里)", "Brief (offers and validity go here)"),
    "planned_at": ("计划发布时间", "Planned time"),
    "draft_post": ("起草帖子", "Draft the post"),
    "as_tips": ("改为干货帖重新起草", "Draft a tips post instead"),
    "schedule": ("排入日历", "Schedule"),
    "scheduled": ("已排期:", "Scheduled: "),
    # evals tab
    "suites": ("评测集", "Suites"),
    "baseline": ("对比基线", "Baseline"),
    "baseline_last": ("上一次运行", "last run"),
    "baseline_saved": ("已保存的基线", "saved baseline"),
    "run_evals": ("运行评测", "Run evals"),
    "pass_rate": ("通过率", "Pass rate"),
    "no_baseline": ("(没有可对比的基线)", "(no baseline to compare with)"),
    "failing": ("失败用例", "Failing cases"),
    "report": ("HTML 报告", "HTML report"),
    # dashboard tab
    "refresh_dashboard": ("生成看板", "Show the month"),
    "dashboard_table": ("明细表", "Table"),
    "refresh_first": ("请先生成看板", "Show a month first"),
    # upload size guard (page script)
    "too_large": ("文件过大,未上传", "too large, not uploaded"),
    "list_sep": ("、", ", "),
    "upload_limit": ("上限", "limit"),
    "split_upload": (
        "拆分成小文件后再上传;其余文件照常上传",
        "split it into smaller files; the other files are uploaded as usual",
    ),
}


class Texts:
    """Looks up the strings of one language: ``t("accept")``."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        self._index = 0 if lang == "zh" else 1

    def __call__(self, key: str) -> str:
        return STRINGS[key][self._index]


def page_language(path: str) -> Lang:
    """The language of the workbench page a request path belongs to (``/en…`` is English)."""
    return "en" if path == "/en" or path.startswith("/en/") else "zh"


def in_language(lang: Lang, handler: Callable[P, R]) -> Callable[P, R]:
    """`handler` with every message it renders (errors, hints, reasons, reports) in the
    language of its page. A streaming (generator) handler stays one: each step runs in the
    language, since Gradio may take successive steps on different threads."""
    if inspect.isgeneratorfunction(handler):
        return functools.wraps(handler)(_streaming(lang, handler))  # type: ignore[return-value]

    @functools.wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with language(lang):
            return handler(*args, **kwargs)

    return wrapper


def _streaming(
    lang: Lang, handler: Callable[..., Generator[Any, None, None]]
) -> Callable[..., Iterator[Any]]:
    def stream(*args: Any, **kwargs: Any) -> Iterator[Any]:
        steps = handler(*args, **kwargs)
        try:
            while True:
                with language(lang):
                    try:
                        step = next(steps)
                    except StopIteration:
                        return
                yield step
        finally:
            steps.close()

    return stream
