from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from copilot.cli import app

runner = CliRunner()
CONSENT = ["--consent", "birthday_greeting", "--json"]


@pytest.fixture(autouse=True)
def _fake_embedder(fake_settings) -> None:
    """The bundled knowledge base is ingested with the fast deterministic embedder."""


def _message(*args: str) -> str:
    result = runner.invoke(app, ["message", "--playbook", "birthday", *args, *CONSENT])
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["drafts"][0]["text"])


def test_message_without_a_brief_quotes_the_playbook_offer_for_the_tier() -> None:
    gold = _message("--fields", "name=王女士,tier=金禾会员")
    sprout = _message("--fields", "name=王女士,tier=禾苗")
    assert "8折券" in gold and "满199减30" not in gold
    assert "满199减30券" in sprout and "8折" not in sprout
    assert gold.endswith("回复TD退订") and sprout.endswith("回复TD退订")


def test_an_operator_brief_replaces_the_playbook_offer() -> None:
    text = _message("--fields", "name=王女士,tier=金禾", "--brief", "生日当月专享礼盒1份")
    assert "生日当月专享礼盒1份" in text and "8折" not in text
