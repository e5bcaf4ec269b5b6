"""The playbook and prompt versions a campaign was started with.

Every run that starts, resumes or joins a campaign compares its own versions with the stored
ones: a worker whose playbook file or message prompt differs from the campaign's would draft
half the customers one way and half another, so it refuses to join.
"""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.engine import Connection

from copilot.campaigns.playbooks import PlaybookSpec
from copilot.drafting.prompts import PromptSpec
from copilot.errors import InputError
from copilot.messages import msg
from copilot.store.engine import Database
from copilot.store.schema import campaign_versions


class CampaignVersions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    playbook: str
    prompt: str


def playbook_version(spec: PlaybookSpec) -> str:
    """The playbook id and a hash of everything in its file (offers, segment, guardrails…)."""
    canonical = json.dumps(spec.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
    return f"{spec.id}#{hashlib.sha256(canonical.encode()).hexdigest()[:12]}"


def prompt_version(prompt: PromptSpec) -> str:
    """The message prompt's id, language, declared version and content hash."""
    return f"{prompt.id}.{prompt.language} {prompt.version}#{prompt.hash}"


def check_versions(
    db: Database, conn: Connection, campaign_id: str, mine: CampaignVersions
) -> None:
    """Record the versions of a campaign's first run; refuse a run with other versions."""
    row = {
        "campaign_id": campaign_id,
        "playbook_version": mine.playbook,
        "prompt_version": mine.prompt,
    }
    db.insert_ignore(conn, campaign_versions, [row])  # the first of several workers wins
    stored = conn.execute(
        select(campaign_versions).where(campaign_versions.c.campaign_id == campaign_id)
    ).one()
    theirs = CampaignVersions(playbook=stored.playbook_version, prompt=stored.prompt_version)
    if theirs == mine:
        return
    raise InputError(
        msg(
            f"活动 {campaign_id} 以剧本 {theirs.playbook}、提示词 {theirs.prompt} 开始，"
            f"本机是剧本 {mine.playbook}、提示词 {mine.prompt}，不能加入",
            f"campaign {campaign_id} was started with playbook {theirs.playbook} and prompt "
            f"{theirs.prompt}; this worker has playbook {mine.playbook} and prompt "
            f"{mine.prompt}, so it does not join",
        ),
        where="--campaign",
        hint=msg(
            "让本机的剧本文件（knowledge/playbooks）与提示词文件（prompts 或 SIYU_PROMPTS_DIR）"
            "与其他 worker 一致后重试；要用新版本，请用 --campaign 开一个新活动",
            "give this machine the same playbook file (knowledge/playbooks) and prompt files "
            "(prompts or SIYU_PROMPTS_DIR) as the other workers, then retry; to draft with the "
            "new version, start a new campaign with --campaign",
        ),
    )
