"""Drafting: replies, group posts and 1:1 messages from evidence, fields and versioned prompts."""

from copilot.drafting.drafter import Drafter
from copilot.drafting.message import PLAYBOOKS, MessageRequest
from copilot.drafting.models import Citation, Draft, DraftResult, PromptRef
from copilot.drafting.post import PostRequest
from copilot.drafting.reply import ReplyRequest

__all__ = [
    "PLAYBOOKS",
    "Citation",
    "Draft",
    "DraftResult",
    "Drafter",
    "MessageRequest",
    "PostRequest",
    "PromptRef",
    "ReplyRequest",
]
