"""Turning a knowledge gap into a proposed FAQ answer in the 话术审核 review queue."""

from __future__ import annotations

from copilot.analytics.gaps import GapReport, GapTopic
from copilot.errors import InputError
from copilot.messages import msg
from copilot.retrieval.approved import ApprovedAnswers, Proposal


def topic_of(report: GapReport, topic_id: int) -> GapTopic:
    for topic in report.topics:
        if topic.id == topic_id:
            return topic
    raise InputError(
        msg(
            f"{report.month} 没有编号为 {topic_id} 的知识缺口",
            f"{report.month} has no gap topic {topic_id}",
        ),
        where="topic",
        hint=msg(f"可选编号：1–{len(report.topics)}", f"topics: 1–{len(report.topics)}")
        if report.topics
        else msg("本月没有知识缺口", "this month has no knowledge gaps"),
    )


def propose_answer(
    approved: ApprovedAnswers, topic: GapTopic, *, answer: str = "", actor: str
) -> Proposal:
    """Queue the topic's central question with `answer`, or else with the agents' edited
    words; with neither there is nothing to propose (the person writes the answer)."""
    text = answer.strip() or topic.suggested_answer
    if not text:
        raise InputError(
            msg("这个缺口没有坐席编辑过的回复可作起点", "no edited reply to start from"),
            where="answer",
            hint=msg(
                "写出答案（--answer）后再提议", "write the answer (--answer) and propose again"
            ),
        )
    return approved.propose(topic.label, text, actor=actor, draft_id=f"gap:{topic.id}")
