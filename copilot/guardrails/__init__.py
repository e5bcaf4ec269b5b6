"""Guardrails: one pipeline that returns pass / warn / block with findings that say which rule,
which span, why, and how to fix it; plus PII scanning and redaction for customer text."""

from __future__ import annotations

from copilot.guardrails.injection import InjectionScan, scan_injection
from copilot.guardrails.models import (
    CheckInput,
    Finding,
    HistoryPost,
    MarketingSummary,
    PiiEntity,
    RedactionResult,
    Verdict,
)
from copilot.guardrails.pii import redact, redact_parts, scan_pii
from copilot.guardrails.pipeline import check

__all__ = [
    "CheckInput",
    "Finding",
    "HistoryPost",
    "InjectionScan",
    "MarketingSummary",
    "PiiEntity",
    "RedactionResult",
    "Verdict",
    "check",
    "redact",
    "redact_parts",
    "scan_injection",
    "scan_pii",
]
