"""`siyu keys`: a key is shown once, works against the store, lists without its secret, and
stops working when revoked; errors name what is wrong in one language."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from copilot.access.keys import KeyRing
from copilot.app import Copilot
from copilot.cli import app
from copilot.config import Settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def _home(fake_settings: Settings) -> None:
    """Every command uses the test's own SIYU_HOME."""


def test_create_list_revoke(fake_settings: Settings) -> None:
    created = runner.invoke(
        app, ["keys", "create", "agent-1", "--scopes", "draft,feedback", "--json"]
    )
    assert created.exit_code == 0, created.output
    token = json.loads(created.stdout)["key"]
    ring = KeyRing(
        Copilot.from_settings(fake_settings).db, Copilot.from_settings(fake_settings).audit
    )
    key = ring.authenticate(token)
    assert key is not None and key.scopes == ("draft", "feedback")
    listed = runner.invoke(app, ["keys", "list", "--json"])
    assert token.split("_", 2)[2] not in listed.stdout
    assert json.loads(listed.stdout)[0]["name"] == "agent-1"
    assert runner.invoke(app, ["keys", "revoke", "agent-1"]).exit_code == 0
    assert ring.authenticate(token) is None


def test_bad_scope_and_duplicate_name_are_clear_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIYU_LANGUAGE", "en")
    bad = runner.invoke(app, ["keys", "create", "x", "--scopes", "everything"])
    assert bad.exit_code == 1 and "unknown scope 'everything'" in bad.output
    assert runner.invoke(app, ["keys", "create", "dup", "--scopes", "draft"]).exit_code == 0
    again = runner.invoke(app, ["keys", "create", "dup", "--scopes", "draft"])
    assert again.exit_code == 1 and "a key with this name exists" in again.output
