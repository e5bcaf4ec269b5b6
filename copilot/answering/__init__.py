"""Extractive answering for customer replies: split, hand over, select, apply, calibrate."""

from copilot.answering.compose import reply_items
from copilot.answering.passages import Passage, passage_of
from copilot.answering.selection import ScoredPassage, score_passages

__all__ = ["Passage", "ScoredPassage", "passage_of", "reply_items", "score_passages"]
