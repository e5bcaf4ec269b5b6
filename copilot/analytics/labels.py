"""Chinese-first labels of the report's figures, shared by the Markdown, HTML and the 看板 tab."""

from __future__ import annotations

ACCEPTANCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("shown", "展示 / shown"),
    ("accepted", "直接采纳 / accepted"),
    ("edited", "编辑后采纳 / edited"),
    ("rejected", "不采纳 / rejected"),
    ("undecided", "未处理 / undecided"),
    ("accepted_share", "采纳率 / accepted share"),
    ("edited_share", "编辑率 / edited share"),
    ("rejected_share", "拒绝率 / rejected share"),
    ("needs_human_share", "需人工 / needs human"),
    ("mean_decision_seconds", "决策用时(秒) / decision s"),
    ("mean_edit_distance", "平均编辑距离 / edit distance"),
)
DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("by_week", "按周 / by week"),
    ("by_task", "按任务 / by task"),
    ("by_prompt_version", "按提示词版本 / by prompt version"),
    ("by_backend", "按后端 / by backend"),
    ("by_agent", "按坐席 / by agent"),
    ("by_community", "按社群 / by community"),
    ("by_source", "按知识来源 / by knowledge source"),
)
CADENCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("community", "社群 / community"),
    ("daily_cap", "每日上限 / daily cap"),
    ("posts", "帖子 / posts"),
    ("days_with_posts", "发帖天数 / days"),
    ("posts_per_day", "日均 / per day"),
    ("max_posts_per_day", "单日最多 / max a day"),
    ("days_over_cap", "超上限天数 / days over cap"),
    ("marketing_share", "营销占比 / marketing share"),
)
MESSAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("week", "周(周一) / week of"),
    ("customers", "触达客户 / customers"),
    ("messages", "1:1 消息 / messages"),
    ("per_customer", "人均 / per customer"),
    ("max_per_customer", "单人最多 / max one customer"),
)
EMPTY_MONTH = "本月没有审计事件：还没有人使用建议、发帖或私聊触达。/ No audit events this month."
DAMAGED = "审计日志有损坏：下列事件无法读取，未计入统计。/ The audit log is damaged; unreadable events are left out."


def cell(key: str, value: object) -> str:
    """A figure as table text: shares as percentages, None as a dash."""
    if value is None:
        return "–"
    if key.endswith("_share") and isinstance(value, float):
        return f"{value:.1%}"
    return str(value)
