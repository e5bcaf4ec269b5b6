from __future__ import annotations

from pathlib import Path

import pytest

from copilot.campaigns.playbooks import find_playbook, load_playbook, load_playbooks
from copilot.config import Settings
from copilot.errors import ConfigError
from tests.conftest import REPO

GUARD = Settings().guardrails
BOOKS = REPO / "knowledge" / "playbooks"
BROKEN = Path(__file__).parent / "fixtures" / "broken_playbook.yaml"


def test_bundled_playbooks_load_with_their_purposes() -> None:
    books = load_playbooks(BOOKS, GUARD.purpose_fields, GUARD)
    assert {k: v.purpose for k, v in books.items()} == {
        "birthday": "birthday_greeting",
        "dormant": "marketing_personalisation",
        "member_day": "marketing_personalisation",
        "koc": "marketing_personalisation",
        "post_purchase": "order_history_use",
    }
    for spec in books.values():
        assert spec.prompt.id == "message"
        assert bool(spec.offers) == (spec.drafting != "post_purchase")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (BROKEN.read_text(encoding="utf-8"), "segment.birthday_within_day"),
        (
            "id: x\nname: x\ndrafting: birthday\npurpose: spying\nsegment: {}\n",
            "未知授权用途",
        ),
        (
            "id: x\nname: x\ndrafting: birthday\npurpose: birthday_greeting\nsegment: {}\n"
            "guardrails: {customer_marketing_cap: -1}\n",
            "guardrails",
        ),
        (
            "id: x\nname: x\ndrafting: lottery\npurpose: birthday_greeting\nsegment: {}\n",
            "drafting",
        ),
        ("id: [unclosed\n", "无法读取剧本"),
        (
            "id: x\nname: x\ndrafting: birthday\npurpose: birthday_greeting\nsegment: {}\n"
            "offers: {金禾: 8折券}\n",
            "offers needs a 'default' entry",
        ),
    ],
)
def test_broken_playbooks_fail_naming_file_and_field(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=match) as info:
        load_playbook(path, GUARD.purpose_fields, GUARD)
    assert "bad.yaml" in info.value.render()


def test_unknown_playbook_lists_the_available_ones() -> None:
    with pytest.raises(ConfigError, match="birthday"):
        find_playbook(BOOKS, "lottery", GUARD.purpose_fields, GUARD)
