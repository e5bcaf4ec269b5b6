"""The `cadence` rule: group posts per community per day, quiet hours, and 1:1 marketing caps."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from copilot.guardrails.context import RuleContext
from copilot.guardrails.models import CheckInput, Finding
from copilot.messages import Msg, msg


def in_quiet_hours(moment: time, start: time, end: time) -> bool:
    """Whether a local time falls in [start, end), a range that may wrap past midnight."""
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def _finding(message: Msg, fix: Msg) -> Finding:
    return Finding(rule="cadence", severity="block", message=message, fix=fix)


class CadenceRule:
    """Blocks posts over the daily count or in quiet hours, and 1:1 marketing over its caps."""

    id = "cadence"

    def check(self, draft: CheckInput, ctx: RuleContext) -> list[Finding]:
        if draft.task == "post":
            return self._post(draft, ctx)
        if draft.task == "message" and ctx.marketing.is_marketing:
            return self._message(draft, ctx)
        return []

    def _post(self, draft: CheckInput, ctx: RuleContext) -> list[Finding]:
        s = ctx.settings
        when = ctx.send_time(draft)
        findings = []
        same_day = [
            h
            for h in draft.history
            if (h.community or draft.community) == draft.community
            and ctx.local(h.scheduled_at).date() == when.date()
        ]
        if len(same_day) + 1 > s.posts_per_day:
            findings.append(
                _finding(
                    msg(
                        f"{when:%Y-%m-%d} 该社群已有 {len(same_day)} 条群发,再发将超过每日 "
                        f"{s.posts_per_day} 条上限",
                        f"community already has {len(same_day)} posts on {when:%Y-%m-%d}; one "
                        f"more exceeds the {s.posts_per_day}-per-day cap",
                    ),
                    msg("改到其他日期发布", "schedule it on another day"),
                )
            )
        if in_quiet_hours(when.time(), s.quiet_start, s.quiet_end):
            quiet = f"{s.quiet_start:%H:%M}–{s.quiet_end:%H:%M}"
            findings.append(
                _finding(
                    msg(
                        f"{when:%H:%M} 处于免打扰时段 {quiet}({s.timezone})",
                        f"{when:%H:%M} is inside the quiet hours {quiet} ({s.timezone})",
                    ),
                    msg(
                        f"改到 {s.quiet_end:%H:%M} 之后、{s.quiet_start:%H:%M} 之前发布",
                        f"schedule it between {s.quiet_end:%H:%M} and {s.quiet_start:%H:%M}",
                    ),
                )
            )
        return findings

    def _message(self, draft: CheckInput, ctx: RuleContext) -> list[Finding]:
        s = ctx.settings
        when = ctx.send_time(draft)
        earlier = [ctx.local(t) for t in draft.recent_messages if ctx.local(t) <= when]
        window = [t for t in earlier if when - t < timedelta(days=s.customer_marketing_days)]
        findings = []
        if len(window) + 1 > s.customer_marketing_cap:
            next_slot = _next_slot(window, s.customer_marketing_days)
            findings.append(
                _finding(
                    msg(
                        f"该客户 {s.customer_marketing_days} 天内已收到 {len(window)} 条营销私信,"
                        f"上限 {s.customer_marketing_cap} 条",
                        f"this customer already got {len(window)} marketing messages in "
                        f"{s.customer_marketing_days} days; the cap is {s.customer_marketing_cap}",
                    ),
                    msg(
                        f"等到 {next_slot:%Y-%m-%d} 之后再发",
                        f"wait until after {next_slot:%Y-%m-%d}",
                    ),
                )
            )
        today = [t for t in earlier if t.date() == when.date()]
        if len(today) + 1 > s.platform_daily_per_customer:
            findings.append(
                _finding(
                    msg(
                        f"企业微信平台限制:每位客户每天最多 {s.platform_daily_per_customer} 条群发",
                        f"WeCom allows {s.platform_daily_per_customer} mass message(s) per customer "
                        "per day",
                    ),
                    msg("改到明天发送", "send it tomorrow"),
                )
            )
        return findings


def _next_slot(window: list[datetime], days: int) -> datetime:
    return min(window) + timedelta(days=days)
