"""Tab 社群内容: week calendar, marketing-share gauge and cadence, draft → verdict → schedule."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import gradio as gr

from copilot.community.schedule import ScheduledPost
from copilot.drafting import DraftResult, PostRequest
from copilot.drafting.post import POST_TYPE_LABELS
from copilot.errors import CopilotError, InputError
from copilot.messages import msg
from copilot.ui.auth import actor_of
from copilot.ui.cards import error_html, message_html, ok_html, result_html
from copilot.ui.i18n import Texts
from copilot.ui.safe import h
from copilot.ui.workbench import Workbench

DEMO_COMMUNITY = "小禾家妈妈交流1群"
CALENDAR_PAST_DAYS = 6


class CommunityTab:
    def __init__(self, wb: Workbench, t: Texts) -> None:
        self.app, self.t = wb.copilot, t

    def _now(self) -> datetime:
        return self.app.schedule.clock()

    def overview(self, community: str | None) -> str:
        """Gauge, today's count vs the cap, quiet hours, and the two-week calendar as HTML."""
        if not community:
            return ""
        t, g = self.t, self.app.settings.guardrails
        schedule = self.app.schedule
        now = self._now().replace(tzinfo=None)
        marketing, total = schedule.window_share(community, g.marketing_window_days)
        share = marketing / total if total else 0.0
        # Two rows: the rolling week that ends today (what the gauge counts), then the next 7 days.
        first = datetime.combine(now.date() - timedelta(days=CALENDAR_PAST_DAYS), time())
        shown = schedule.posts(community, first, first + timedelta(days=14))
        today = sum(1 for p in shown if p.scheduled_at.date() == now.date())
        colour = "#cf222e" if share > g.marketing_cap else "#1a7f37"
        gauge = (
            f"<div><b>{t('share')}</b> <span id='siyu-share'>{share:.0%}</span> "
            f"({marketing}/{total}) · {t('cap')} {g.marketing_cap:.0%}</div>"
            f"<div class='siyu-gauge'><div style='width:{min(share, 1) * 100:.0f}%;"
            f"background:{colour}'></div></div>"
            f"<div>{t('today_posts')} <b id='siyu-today'>{today}</b>/{g.posts_per_day} · "
            f"{t('quiet')} {g.quiet_start:%H:%M}–{g.quiet_end:%H:%M} ({h(g.timezone)})</div>"
        )
        weeks = [
            "".join(
                self._day_cell(first + timedelta(days=row * 7 + i), now, shown) for i in range(7)
            )
            for row in range(2)
        ]
        calendar = (
            "<table id='siyu-calendar' style='width:100%'>"
            + "".join(f"<tr>{cells}</tr>" for cells in weeks)
            + "</table>"
        )
        return gauge + calendar

    def _day_cell(self, day: datetime, now: datetime, posts: list[ScheduledPost]) -> str:
        marked = f" <span class='siyu-mk'>{self.t('marketing_mark')}</span>"
        items = "".join(
            f"<div class='siyu-finding'>{p.scheduled_at:%H:%M} "
            f"<b>{h(self._label(p.post_type))}</b>{marked if p.marketing else ''}<br>"
            f"{h(p.text[:40])}…</div>"
            for p in posts
            if p.scheduled_at.date() == day.date()
        )
        style = "background:#fff8c5" if day.date() == now.date() else ""
        return (
            f"<td style='vertical-align:top;width:14%;{style}'><b>{day:%m-%d}</b> "
            f"{self.t('weekdays').split()[day.weekday()]}{items}</td>"
        )

    def _label(self, post_type: str) -> str:
        names = POST_TYPE_LABELS.get(post_type, (post_type, post_type))
        return names[0] if self.t.lang == "zh" else names[1]

    def _planned(self, when: str) -> datetime:
        try:
            local = datetime.strptime(when.strip(), "%Y-%m-%d %H:%M")
        except ValueError:
            raise InputError(
                msg(f"时间格式不对 {when!r}", f"bad time {when!r}"),
                where=self.t("planned_at"),
                hint=msg(
                    "使用 YYYY-MM-DD HH:MM,例如 2026-06-01 10:00",
                    "use YYYY-MM-DD HH:MM, e.g. 2026-06-01 10:00",
                ),
            ) from None
        return local.replace(tzinfo=self._now().tzinfo)

    def draft(
        self, community: str | None, post_type: str, topic: str, brief: str, when: str
    ) -> tuple[str, DraftResult | None, Any]:
        try:
            name = self.app.schedule.ensure(community or "")
            planned = self._planned(when)
            window = self.app.settings.guardrails.marketing_window_days
            request = PostRequest.model_validate(
                {
                    "post_type": post_type,
                    "topic": topic,
                    "brief": brief,
                    "community": name,
                    "planned_at": planned,
                    "history": self.app.schedule.history(name, planned, window),
                    "members": self.app.schedule.members(name),
                }
            )
            result = self.app.drafter.post(request)
        except CopilotError as exc:
            return error_html(exc), None, gr.update(visible=False)
        blocked = result.verdict.blocked and post_type not in ("tips", "ugc")
        return result_html(result, self.t), result, gr.update(visible=blocked)

    def schedule(
        self,
        community: str | None,
        post_type: str,
        when: str,
        result: DraftResult | None,
        request: gr.Request,
    ) -> tuple[str, str]:
        if result is None or not result.drafts:
            return message_html(self.t("no_draft")), self.overview(community)
        try:
            self.app.schedule.schedule(
                community or "",
                self._planned(when),
                post_type,  # type: ignore[arg-type]
                result.drafts[0].text,
                result.drafts[0].verdict,
                actor=actor_of(request),
            )
        except CopilotError as exc:
            return error_html(exc), self.overview(community)
        return ok_html(f"{self.t('scheduled')}{community} · {when}"), self.overview(community)

    def communities(self) -> list[str]:
        return self.app.schedule.communities() or [DEMO_COMMUNITY]

    def build(self) -> None:
        t = self.t
        names = self.communities()
        slot = (self._now() + timedelta(days=1)).replace(hour=10, minute=0)
        result = gr.State(None)
        with gr.Row():
            community = gr.Dropdown(
                names,
                value=names[0],
                label=t("community"),
                allow_custom_value=True,
                elem_id="siyu-community",
                scale=2,
            )
            refresh = gr.Button(t("refresh"), scale=1)
        overview = gr.HTML(self.overview(names[0]), elem_id="siyu-overview")
        with gr.Row():
            with gr.Column(scale=2):
                post_type = gr.Radio(
                    [(self._label(k), k) for k in POST_TYPE_LABELS],
                    value="tips",
                    label=t("post_type"),
                    elem_id="siyu-post-type",
                )
                topic = gr.Textbox(label=t("topic"), elem_id="siyu-topic")
                brief = gr.Textbox(label=t("brief"), lines=2, elem_id="siyu-brief")
                when = gr.Textbox(
                    value=f"{slot:%Y-%m-%d %H:%M}", label=t("planned_at"), elem_id="siyu-when"
                )
                draft = gr.Button(t("draft_post"), variant="primary", elem_id="siyu-draft-post")
            with gr.Column(scale=3):
                card = gr.HTML(elem_id="siyu-post-card")
                alternative = gr.Button(
                    t("as_tips"), visible=False, elem_id="siyu-as-tips", variant="secondary"
                )
                schedule = gr.Button(t("schedule"), elem_id="siyu-schedule")
                status = gr.HTML(elem_id="siyu-post-status")
        inputs = [community, post_type, topic, brief, when]
        draft.click(self.draft, inputs, [card, result, alternative])
        # The alternative is a tips post on the same topic, without the promotion's brief.
        alternative.click(lambda: ("tips", ""), None, [post_type, brief]).then(
            self.draft, inputs, [card, result, alternative]
        )
        schedule.click(
            self.schedule,
            [community, post_type, when, result],
            [status, overview],
            concurrency_limit=1,
        )
        community.change(self.overview, community, overview)
        refresh.click(self.overview, community, overview)
