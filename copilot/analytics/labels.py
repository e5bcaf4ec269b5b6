"""Labels of the report's figures in both languages, shared by the Markdown, HTML and the 看板
tab (each renders them in its reader's language)."""

from __future__ import annotations

from copilot.messages import Msg, msg

ACCEPTANCE_COLUMNS: tuple[tuple[str, Msg], ...] = (
    ("shown", msg("展示", "shown")),
    ("accepted", msg("直接采纳", "accepted")),
    ("edited", msg("编辑后采纳", "edited")),
    ("rejected", msg("不采纳", "rejected")),
    ("undecided", msg("未处理", "undecided")),
    ("accepted_share", msg("采纳率", "accepted share")),
    ("edited_share", msg("编辑率", "edited share")),
    ("rejected_share", msg("拒绝率", "rejected share")),
    ("needs_human_share", msg("需人工", "needs human")),
    ("mean_decision_seconds", msg("决策用时(秒)", "decision s")),
    ("mean_edit_distance", msg("平均编辑距离", "edit distance")),
)
# (report field, table title, its first column)
DIMENSIONS: tuple[tuple[str, Msg, Msg], ...] = (
    ("by_week", msg("按周", "by week"), msg("周", "week")),
    ("by_task", msg("按任务", "by task"), msg("任务", "task")),
    ("by_prompt_version", msg("按提示词版本", "by prompt version"), msg("提示词版本", "prompt")),
    ("by_backend", msg("按后端", "by backend"), msg("后端", "backend")),
    ("by_agent", msg("按坐席", "by agent"), msg("坐席", "agent")),
    ("by_community", msg("按社群", "by community"), msg("社群", "community")),
    ("by_source", msg("按知识来源", "by knowledge source"), msg("知识来源", "source")),
)
CADENCE_COLUMNS: tuple[tuple[str, Msg], ...] = (
    ("community", msg("社群", "community")),
    ("daily_cap", msg("每日上限", "daily cap")),
    ("posts", msg("帖子", "posts")),
    ("days_with_posts", msg("发帖天数", "days")),
    ("posts_per_day", msg("日均", "per day")),
    ("max_posts_per_day", msg("单日最多", "max a day")),
    ("days_over_cap", msg("超上限天数", "days over cap")),
    ("marketing_share", msg("营销占比", "marketing share")),
)
MESSAGE_COLUMNS: tuple[tuple[str, Msg], ...] = (
    ("week", msg("周(周一)", "week of")),
    ("customers", msg("触达客户", "customers")),
    ("messages", msg("1:1 消息", "messages")),
    ("per_customer", msg("人均", "per customer")),
    ("max_per_customer", msg("单人最多", "max one customer")),
)
DECISIONS: tuple[Msg, ...] = (
    msg("直接采纳", "accepted"),
    msg("编辑后采纳", "edited"),
    msg("不采纳", "rejected"),
    msg("未处理", "undecided"),
)
TITLE = msg("私域 Copilot 月报", "Copilot monthly report")
PER_DAY = msg("每日建议与处理", "Suggestions per day")
NONE = msg("（无）", "(none)")
EMPTY_MONTH = msg(
    "本月没有审计事件：还没有人使用建议、发帖或私聊触达。",
    "No audit events this month: no suggestion was used, no post scheduled, no 1:1 message drafted.",
)
DAMAGED = msg(
    "审计日志有损坏：下列事件无法读取，未计入统计。",
    "The audit log is damaged: the events below cannot be read and are left out.",
)
UNREADABLE = msg("无法读取", "unreadable")
EVENTS = msg("事件", "events")
READABLE = msg("审计日志可读。", "Audit log readable.")
CHAIN_VERIFIED = msg("哈希链已校验。", "Hash chain verified.")


def cell(key: str, value: object) -> str:
    """A figure as table text: shares as percentages, None as a dash."""
    if value is None:
        return "–"
    if key.endswith("_share") and isinstance(value, float):
        return f"{value:.1%}"
    return str(value)
