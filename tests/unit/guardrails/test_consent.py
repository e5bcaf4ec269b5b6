from __future__ import annotations

import pytest

from copilot.messages import render
from tests.unit.guardrails.conftest import rules_fired, run

TEXT = "王芳您好，祝您生日快乐！回复TD退订"


@pytest.mark.parametrize(
    ("purpose", "consents", "fields", "severities"),
    [
        ("birthday_greeting", ["birthday_greeting"], {"name": "王芳"}, []),
        ("birthday_greeting", [], {"name": "王芳"}, ["block", "block"]),  # no consent, no fields
        ("birthday_greeting", ["birthday_greeting"], {"name": "王芳", "city": "您好"}, ["block"]),
        ("location_use", ["location_use"], {"name": "王芳"}, ["block"]),
        ("no_such_purpose", ["no_such_purpose"], {}, ["block"]),
        (None, [], {}, []),
    ],
)
def test_consent_table(
    purpose: str | None, consents: list[str], fields: dict[str, str], severities: list[str]
) -> None:
    verdict = run(
        TEXT, "consent", task="message", purpose=purpose, consents=consents, fields=fields
    )
    assert rules_fired(verdict, "consent") == severities


def test_unpermitted_field_finding_points_at_value() -> None:
    verdict = run(TEXT, "consent", task="message", purpose="location_use",
                  consents=["location_use"], fields={"name": "王芳"})  # fmt: skip
    finding = verdict.findings[0]
    assert (finding.start, finding.end, finding.text) == (0, 2, "王芳")
    assert render(finding.message, "en") == (
        "the draft uses field 'name', which no consented purpose permits"
    )
    assert render(finding.message, "zh") == "草稿使用了字段 name,但客户同意的用途不包含它"
    assert render(finding.fix, "en") == (
        "remove «王芳», or get consent for a purpose that permits name"
    )
