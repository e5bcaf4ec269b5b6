"""Campaign progress and result files (CSV for people, JSONL for tools), with verdicts.

Progress is read from the database, so every worker of a campaign (and the workbench) sees the
same figures, including which workers hold live leases right now."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from copilot.campaigns.claims import live_leases
from copilot.errors import InputError
from copilot.messages import msg
from copilot.store.engine import Database
from copilot.store.schema import campaign_results, campaigns

CSV_COLUMNS = ("campaign_id", "customer_id", "status", "verdict", "text", "reason", "created_at")


class ResultRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign_id: str
    customer_id: str
    status: str
    verdict: str
    text: str
    detail: dict[str, object]
    created_at: datetime

    def reason(self) -> str:
        findings = self.detail.get("findings")
        findings = findings if isinstance(findings, list) else []
        messages = [str(f["message"]) for f in findings if isinstance(f, dict)]
        return str(self.detail.get("reason", "")) or "；".join(messages)


class CampaignStatus(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign_id: str
    playbook: str
    created_at: datetime
    audience: int
    done: int
    remaining: int
    by_status: dict[str, int]
    by_verdict: dict[str, int]
    workers: dict[str, int] = Field(
        default_factory=dict, description="worker -> customers it is drafting now (PostgreSQL)"
    )


def campaign_status(db: Database, campaign_id: str) -> CampaignStatus:
    with db.begin() as conn:
        found = conn.execute(select(campaigns).where(campaigns.c.id == campaign_id)).first()
        if found is None:
            known = conn.execute(select(campaigns.c.id).order_by(campaigns.c.created_at)).scalars()
            raise InputError(
                msg(f"没有活动 {campaign_id!r}", f"no such campaign {campaign_id!r}"),
                where="--campaign",
                hint=msg("已有活动：", "known: ") + (", ".join(known) or "—"),
            )
        rows = conn.execute(
            select(campaign_results.c.status, campaign_results.c.verdict).where(
                campaign_results.c.campaign_id == campaign_id
            )
        ).all()
        workers = live_leases(conn, campaign_id)
    audience = len(json.loads(found.audience))
    done = sum(1 for status, _ in rows if status != "error")
    return CampaignStatus(
        campaign_id=campaign_id,
        playbook=found.playbook,
        created_at=found.created_at,
        audience=audience,
        done=done,
        remaining=audience - done,
        by_status=dict(Counter(status for status, _ in rows)),
        by_verdict=dict(Counter(v for s, v in rows if s == "drafted")),
        workers=workers,
    )


def iter_results(db: Database, campaign_id: str) -> Iterator[ResultRow]:
    query = (
        select(campaign_results)
        .where(campaign_results.c.campaign_id == campaign_id)
        .order_by(campaign_results.c.customer_id)
    )
    with db.begin() as conn:
        rows = conn.execute(query).mappings().all()
    for row in rows:
        yield ResultRow.model_validate({**row, "detail": json.loads(row["detail"])})


def export_results(db: Database, campaign_id: str, out: Path) -> int:
    """Write results to `out` (.jsonl → one JSON object per line, else CSV); returns the count."""
    campaign_status(db, campaign_id)  # a clear error for an unknown campaign
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    if out.suffix == ".jsonl":
        with out.open("w", encoding="utf-8") as fh:
            for row in iter_results(db, campaign_id):
                fh.write(row.model_dump_json() + "\n")
                count += 1
        return count
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for row in iter_results(db, campaign_id):
            writer.writerow(
                [
                    row.campaign_id,
                    row.customer_id,
                    row.status,
                    row.verdict,
                    row.text,
                    row.reason(),
                    row.created_at.isoformat(timespec="seconds"),
                ]
            )
            count += 1
    return count
