"""The monthly compliance self-check, computed from the audit log and consent history.

Checks: audit log integrity (hash chain intact, every row readable), drafts without consent
(must be 0), withdrawals honoured, marketing share per community, cadence rules a person
overrode, PII blocks. Rendered as Markdown or HTML from one model. A damaged audit log fails the
integrity section; the other sections are then computed from the rows that can still be read.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from copilot.audit.chain import ChainReport, verify
from copilot.audit.log import (
    AuditLog,
    AuditRecord,
    ConsentChange,
    DamagedRow,
    DraftCreated,
    HumanAction,
    PostScheduled,
)
from copilot.guardrails.consent_state import ConsentEvent, current_state
from copilot.messages import Text, current_language, msg, render
from copilot.store.engine import Database
from copilot.store.schema import consents


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text
    ok: bool | None = Field(None, description="None: informational")
    summary: Text
    rows: list[list[Text]] = Field(default_factory=list)
    headers: list[Text] = Field(default_factory=list)


class SelfCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    month: str
    sections: list[Section]

    @property
    def passed(self) -> bool:
        return all(s.ok is not False for s in self.sections)


def month_range(month: str) -> tuple[datetime, datetime]:
    start = datetime.strptime(month, "%Y-%m")
    end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, datetime.combine(end, datetime.min.time())


def _granted_at(history: list[ConsentEvent], purpose: str, at: datetime) -> bool:
    """Was consent in effect at `at`, by the registry's rule over everything recorded?"""
    decided = current_state(history, at, withdrawal_lead=timedelta(0)).get(purpose)
    return decided is not None and decided.action == "granted"


def integrity_section(chain: ChainReport, damaged: list[DamagedRow]) -> Section:
    """The audit log's own state: the whole hash chain, and this month's unreadable rows."""
    rows: list[list[Text]] = [
        [str(p.id) if p.id is not None else "—", p.kind, p.detail] for p in chain.problems[:50]
    ]
    rows += [[str(d.id), "unreadable", d.reason] for d in damaged[:50]]
    if chain.ok and not damaged:
        head = f"#{chain.head_id} {chain.head_hash}"
        summary = msg(
            f"哈希链完整，共 {chain.events} 个事件；链头 {head}",
            f"hash chain intact, {chain.events} events; head {head}",
        )
    else:
        problems = len(chain.problems) + chain.more_problems
        summary = msg(
            f"审计日志已被破坏：哈希链 {problems} 处问题，本月 {len(damaged)} 行无法读取；"
            "以下各项只基于可读事件，请运行 `siyu audit verify` 并追查",
            f"the audit log is damaged: {problems} hash-chain problems, {len(damaged)} rows "
            "unreadable this month; the sections below count readable events only — run "
            "`siyu audit verify` and investigate",
        )
    return Section(
        title=msg("审计日志完整性", "Audit log integrity"),
        ok=chain.ok and not damaged,
        summary=summary,
        headers=[msg("事件", "event"), msg("问题", "problem"), msg("说明", "detail")],
        rows=rows,
    )


def build_selfcheck(db: Database, audit: AuditLog, month: str) -> SelfCheck:
    start, end = month_range(month)
    chain = verify(db)
    readable = all(p.kind != "table_missing" for p in chain.problems)
    scanned = list(audit.scan(start, end)) if readable else []
    records = [r for r in scanned if isinstance(r, AuditRecord)]
    damaged = [r for r in scanned if isinstance(r, DamagedRow)]
    drafts = [(r.at, r.event) for r in records if isinstance(r.event, DraftCreated)]
    actions = [r.event for r in records if isinstance(r.event, HumanAction)]
    withdrawals = [
        r.event
        for r in records
        if isinstance(r.event, ConsentChange) and r.event.action == "withdrawn"
    ]
    posts = [r.event for r in records if isinstance(r.event, PostScheduled)]
    histories: dict[str, list[ConsentEvent]] = defaultdict(list)
    with db.begin() as conn:
        columns = [consents.c[name] for name in ("purpose", "action", "at", "source")]
        query = select(consents.c.customer_id, *columns).order_by(consents.c.id)
        for cid, *values in conn.execute(query):
            histories[cid].append(
                ConsentEvent(**dict(zip(ConsentEvent.model_fields, values, strict=True)))
            )
    accepted = {a.draft_id for a in actions if a.action in ("accepted", "edited")}

    unconsented = [
        (at, d)
        for at, d in drafts
        if d.customer_id and d.purpose and not _granted_at(histories[d.customer_id], d.purpose, at)
    ]
    sent_unconsented = [d for _, d in unconsented if d.draft_id in accepted]
    sections = [
        integrity_section(chain, damaged),
        Section(
            title=msg("无授权草稿", "Drafts without consent"),
            ok=not unconsented,
            summary=msg(
                f"{len(unconsented)} 条草稿、{len(sent_unconsented)} 条被采用（必须为 0）",
                f"{len(unconsented)} drafts, {len(sent_unconsented)} accepted (must be 0)",
            ),
            headers=[
                msg("时间", "time"),
                msg("草稿", "draft"),
                msg("客户", "customer"),
                msg("用途", "purpose"),
            ],
            rows=[
                [f"{at:%m-%d %H:%M}", d.draft_id, d.customer_id or "", d.purpose or ""]
                for at, d in unconsented[:50]
            ],
        ),
    ]

    late = []
    for w in withdrawals:
        after = [
            d
            for at, d in drafts
            if d.customer_id == w.customer_id and d.purpose == w.purpose and at >= w.effective_at
        ]
        if after:
            late.append(
                [w.customer_id, w.purpose, f"{w.effective_at:%m-%d %H:%M}", str(len(after))]
            )
    sections.append(
        Section(
            title=msg("撤回授权是否被遵守", "Withdrawals honoured"),
            ok=not late,
            summary=msg(
                f"本月撤回 {len(withdrawals)} 次，其中 {len(withdrawals) - len(late)} 次之后无相关草稿",
                f"{len(withdrawals)} withdrawals this month, {len(withdrawals) - len(late)} "
                "without a related draft afterwards",
            ),
            headers=[
                msg("客户", "customer"),
                msg("用途", "purpose"),
                msg("撤回时间", "withdrawn at"),
                msg("之后草稿数", "drafts after"),
            ],
            rows=late,
        )
    )

    by_community: dict[str, Counter[str]] = defaultdict(Counter)
    for p in posts:
        by_community[p.community]["total"] += 1
        by_community[p.community]["marketing"] += int(p.marketing)
    share_rows = [
        [name, str(c["total"]), str(c["marketing"]), f"{c['marketing'] / c['total']:.0%}"]
        for name, c in sorted(by_community.items())
    ]
    sections.append(
        Section(
            title=msg("各社群营销占比", "Marketing share per community"),
            summary=msg(
                f"{len(posts)} 条排期帖子，{len(by_community)} 个社群",
                f"{len(posts)} scheduled posts in {len(by_community)} communities",
            ),
            headers=[
                msg("社群", "community"),
                msg("帖子", "posts"),
                msg("营销", "marketing"),
                msg("占比", "share"),
            ],
            rows=share_rows,
        )
    )

    overrides = [a for a in actions if "cadence" in a.overrode]
    overrides_posts = [p for p in posts if "cadence" in p.overrode]
    sections.append(
        Section(
            title=msg("人工放行的频次/静默时段违规", "Cadence and quiet-hours overrides"),
            summary=msg(
                f"{len(overrides) + len(overrides_posts)} 次由人工放行",
                f"{len(overrides) + len(overrides_posts)} released by a person",
            ),
            headers=[msg("对象", "item"), msg("社群/客户", "community or customer")],
            rows=[[a.draft_id, a.community or a.customer_id or ""] for a in overrides]
            + [[f"post {p.scheduled_at:%m-%d %H:%M}", p.community] for p in overrides_posts],
        )
    )

    pii = [d for _, d in drafts if "pii" in d.rules and d.verdict == "block"]
    verdicts = Counter(d.verdict for _, d in drafts)
    human = dict(Counter(a.action for a in actions))
    sections.append(
        Section(
            title=msg("个人信息拦截", "PII blocks"),
            summary=msg(
                f"{len(pii)} 条草稿因个人信息被拦截；全部草稿结论 {dict(verdicts)}；"
                f"人工操作 {human}",
                f"{len(pii)} drafts blocked for personal data; all verdicts {dict(verdicts)}; "
                f"human actions {human}",
            ),
        )
    )
    return SelfCheck(month=month, sections=sections)


TITLE = msg("每月合规自查", "Monthly compliance self-check")
MARKS: dict[bool | None, Text] = {
    True: msg("✅ 通过", "✅ passed"),
    False: msg("❌ 未通过", "❌ failed"),
    None: "ℹ️",
}
VERDICT = {True: msg("✅ 通过", "✅ passed"), False: msg("❌ 有问题需处理", "❌ needs attention")}


def render_markdown(report: SelfCheck) -> str:
    """The report as Markdown in the current language."""
    lines = [f"# {render(TITLE)} {report.month}", ""]
    lines.append(f"{render(msg('结论', 'Result'))}: {render(VERDICT[report.passed])}")
    for s in report.sections:
        lines += ["", f"## {render(s.title)}", "", f"{render(MARKS[s.ok])} {render(s.summary)}"]
        if s.rows:
            headers = [render(cell) for cell in s.headers]
            lines += ["", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
            lines += ["| " + " | ".join(render(cell) for cell in row) + " |" for row in s.rows]
    return "\n".join(lines) + "\n"


def table_html(section: Section, attributes: str = "") -> str:
    """A section's rows as an HTML table under its headers, every cell escaped."""
    head = "".join(f"<th>{html.escape(render(cell))}</th>" for cell in section.headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(render(cell))}</td>" for cell in row) + "</tr>"
        for row in section.rows
    )
    return f"<table{attributes}><tr>{head}</tr>{body}</table>"


def render_html(report: SelfCheck) -> str:
    """A standalone HTML page in the current language."""
    esc = html.escape
    title = f"{esc(render(TITLE))} {esc(report.month)}"
    parts = [
        f'<!doctype html><html lang="{current_language()}"><meta charset="utf-8">',
        f"<title>{title}</title>",
        f"<h1>{title}</h1>",
        f"<p>{render(VERDICT[report.passed])}</p>",
    ]
    for s in report.sections:
        parts.append(
            f"<h2>{esc(render(s.title))}</h2><p>{render(MARKS[s.ok])} {esc(render(s.summary))}</p>"
        )
        if s.rows:
            parts.append(table_html(s, " border=1"))
    return "\n".join(parts) + "\n</html>\n"
