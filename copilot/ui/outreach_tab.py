"""Tab 私聊触达: playbook → audience, exclusions, cost, sample drafts → run with progress → CSV."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import gradio as gr

from copilot.campaigns.claims import live_leases
from copilot.campaigns.planning import CampaignPlan, plan_campaign
from copilot.campaigns.results import campaign_status, export_results
from copilot.customers.consent import permitted_fields
from copilot.customers.profiles import load_profiles
from copilot.drafting import Drafter, MessageRequest
from copilot.errors import CopilotError, InputError
from copilot.messages import msg, render
from copilot.ui.cards import badge, error_html, ok_html
from copilot.ui.i18n import Texts
from copilot.ui.safe import h
from copilot.ui.workbench import Workbench

EXCLUDED_HEADERS = {"zh": ["客户", "原因代码", "原因"], "en": ["customer", "code", "reason"]}
EXCLUDED_ROWS = 200
FOLLOW_POLL_S = 0.5


class OutreachTab:
    def __init__(self, wb: Workbench, t: Texts) -> None:
        self.wb, self.app, self.t = wb, wb.copilot, t

    def default_campaign(self, playbook: str | None) -> str:
        return f"{playbook or 'campaign'}-{date.today():%Y%m%d}"

    def _sizer(self, drafter: Drafter) -> Any:
        engine = drafter.engine

        def prompt_tokens(request: MessageRequest) -> int:
            chat = drafter.prepare(request).chat
            return engine.counter.count_messages(chat.system, chat.user)

        return prompt_tokens

    def preview(self, playbook: str | None, campaign_id: str) -> tuple[str, str, list[list[Any]]]:
        """(summary, sample drafts, exclusions) — nothing stored, nothing sent."""
        try:
            spec = self._spec(playbook)
            drafter, runner = self.app.campaigns(spec)
            plan = plan_campaign(
                runner,
                spec,
                campaign_id.strip() or self.default_campaign(playbook),
                sample=self.app.settings.customers.campaign_sample,
                prompt_tokens=self._sizer(drafter),
                text_tokens=drafter.engine.counter.count,
                model=self.app.settings.llm.model,
                prices=self.app.settings.llm.prices,
                template_mode=drafter.engine.backend.is_template,
            )
            samples = self._samples_html(plan, spec.purpose)
            eligible = runner.audience(spec, plan.campaign_id).eligible[:8]
        except CopilotError as exc:
            return error_html(exc), "", []
        t = self.t
        cost = "?" if plan.cost is None else f"¥{plan.cost:.4f}"
        backend = drafter.engine.backend.name
        summary = (
            f"<div class='siyu-ok'><b>{h(spec.name)}</b> · {t('purpose')} {h(spec.purpose)}<br>"
            f"{t('matched')} <b id='siyu-matched'>{plan.matched}</b> · "
            f"{t('eligible')} <b id='siyu-eligible-count'>{plan.eligible}</b> · "
            f"{t('excluded')} {sum(plan.excluded_counts.values())} "
            f"{h(plan.excluded_counts)}<br>"
            f"{t('estimate')} ({h(backend)}): {plan.input_tokens:,} + "
            f"{plan.output_tokens:,} tokens · {cost}<br>"
            f"{t('eligible_ids')} <span id='siyu-eligible'>{h(' '.join(eligible))}</span></div>"
        )
        rows = [[e.customer_id, e.code, render(e.reason)] for e in plan.excluded[:EXCLUDED_ROWS]]
        return summary, samples, rows

    def _samples_html(self, plan: CampaignPlan, purpose: str) -> str:
        ids = [s.customer_id for s in plan.samples]
        with self.app.db.begin() as conn:
            profiles = load_profiles(conn, ids, self.app.catalog)
        states = self.app.consent.states(ids)
        t, cards = self.t, []
        for sample in plan.samples:
            _, withheld = permitted_fields(
                profiles[sample.customer_id],
                purpose,
                states.get(sample.customer_id, {}),
                self.app.settings.guardrails.purpose_fields,
            )
            why = "".join(f"<li>{h(name)}: {h(reason)}</li>" for name, reason in withheld.items())
            verdict = badge(sample.verdict, t) if sample.verdict else h(sample.status)
            cards.append(
                f"<div class='siyu-card'><div class='siyu-head'>{h(sample.customer_id)} · "
                f"{verdict}</div><div class='siyu-text'>{h(sample.text)}</div>"
                f"<div class='siyu-head'>{t('fields_used')}: "
                f"{h(', '.join(sample.fields_used) or '—')}</div>"
                f"<div class='siyu-head'>{t('fields_withheld')}: {f'<ul>{why}</ul>' if why else '—'}"
                "</div></div>"
            )
        return "".join(cards)

    def run(
        self,
        playbook: str | None,
        campaign_id: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[str, str | None]:
        """Runs (or resumes) the campaign; keeps going if the browser closes. A second click,
        tab or browser on a running campaign follows its progress instead of starting again."""
        campaign_id = campaign_id.strip() or self.default_campaign(playbook)
        lock = self.wb.campaign_lock(campaign_id)
        try:
            if not lock.acquire(blocking=False):
                self._follow(campaign_id, lock, progress)
                return self._finished(campaign_id, self.t("followed"))
            try:
                spec = self._spec(playbook)
                _, runner = self.app.campaigns(spec)
                runner.run(
                    spec,
                    campaign_id,
                    resume=self._exists(campaign_id),
                    concurrency=self.app.settings.customers.campaign_concurrency,
                    progress=lambda done, total: progress(
                        (done, total), desc=self._label(campaign_id)
                    ),
                )
            finally:
                lock.release()
            return self._finished(campaign_id, "")
        except CopilotError as exc:
            return error_html(exc), None

    def _follow(self, campaign_id: str, lock: threading.Lock, progress: gr.Progress) -> None:
        """Wait for the run another click started, showing its progress from the database."""
        while not lock.acquire(timeout=FOLLOW_POLL_S):
            if self._exists(campaign_id):
                status = campaign_status(self.app.db, campaign_id)
                progress(
                    (status.done, status.audience),
                    desc=f"{self._label(campaign_id)} · {self.t('followed')}",
                )
        lock.release()

    def _label(self, campaign_id: str) -> str:
        """The progress label; on PostgreSQL it counts the workers drafting the campaign now
        (this process and `siyu campaign run` on any machine)."""
        with self.app.db.begin() as conn:
            workers = live_leases(conn, campaign_id)
        return f"{campaign_id} · {self.t('workers_now')} {len(workers)}" if workers else campaign_id

    def _finished(self, campaign_id: str, note: str) -> tuple[str, str]:
        """Export the results and summarise them from the database (the one source of truth)."""
        status = campaign_status(self.app.db, campaign_id)
        out = self.wb.exports_dir / f"{campaign_id}.csv"
        count = export_results(self.app.db, campaign_id, out)
        t = self.t
        summary = (
            f"{t('run_done')}{campaign_id} · {t('audience')} {status.audience} · "
            f"{status.by_status} {status.by_verdict} · {t('rows_exported')}{count}"
        )
        return ok_html(f"{summary}\n{note}" if note else summary), str(out)

    def _exists(self, campaign_id: str) -> bool:
        try:
            campaign_status(self.app.db, campaign_id)
        except InputError:
            return False
        return True

    def _spec(self, playbook: str | None) -> Any:
        books = self.app.playbooks()
        if not playbook or playbook not in books:
            raise InputError(
                msg(f"请选择剧本({playbook!r})", f"pick a playbook ({playbook!r})"),
                where=self.t("playbook"),
                hint=msg("可选:", "valid: ") + ", ".join(sorted(books)),
            )
        return books[playbook]

    def build(self) -> None:
        t = self.t
        try:
            books = self.app.playbooks()
            choices = [(f"{b.name}({b.id})", b.id) for b in books.values()]
        except CopilotError as exc:
            gr.HTML(error_html(exc))
            return
        first = choices[0][1] if choices else None
        with gr.Row():
            playbook = gr.Dropdown(
                choices, value=first, label=t("playbook"), elem_id="siyu-playbook"
            )
            campaign = gr.Textbox(
                value=self.default_campaign(first), label=t("campaign_id"), elem_id="siyu-campaign"
            )
        with gr.Row():
            preview = gr.Button(t("preview"), variant="primary", elem_id="siyu-preview")
            run = gr.Button(t("run_campaign"), elem_id="siyu-run")
        summary = gr.HTML(elem_id="siyu-plan")
        samples = gr.HTML(elem_id="siyu-samples")
        excluded = gr.Dataframe(
            headers=EXCLUDED_HEADERS[t.lang], label=t("exclusions"), wrap=True, max_height=300
        )
        status = gr.HTML(elem_id="siyu-run-status")
        results = gr.File(label=t("download"), elem_id="siyu-run-file", height=90)
        playbook.change(self.default_campaign, playbook, campaign)
        preview.click(self.preview, [playbook, campaign], [summary, samples, excluded])
        run.click(self.run, [playbook, campaign], [status, results], concurrency_limit=2)
