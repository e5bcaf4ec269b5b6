"""Login: password hashes, users from settings, and the rule that a non-loopback bind needs users."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.config import UISettings
from copilot.errors import ConfigError
from copilot.messages import render
from copilot.ui import auth
from copilot.ui.auth import authenticator, hash_password, load_users, parse_users, verify_password


@pytest.mark.parametrize(
    ("password", "attempt", "expected"),
    [("s3cret", "s3cret", True), ("s3cret", "S3cret", False), ("口令", "口令", True)],
)
def test_verify_password(password: str, attempt: str, expected: bool) -> None:
    assert verify_password(attempt, hash_password(password, iterations=1000)) is expected


@pytest.mark.parametrize("stored", ["", "plain", "md5$1$a$b", "pbkdf2_sha256$x$a$b"])
def test_malformed_hash_never_verifies(stored: str) -> None:
    assert verify_password("anything", stored) is False


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("alice", "第 1 个用户条目"),
        ("alice:plaintext", "第 1 个用户条目"),
        (":pbkdf2_sha256$1$a$b", "第 1 个用户条目"),
    ],
)
def test_parse_users_rejects_malformed_entries(text: str, error: str) -> None:
    with pytest.raises(ConfigError, match=error) as info:
        parse_users(text, "SIYU_UI_USERS")
    for lang in ("zh", "en"):
        assert "siyu serve --hash-password" in render(info.value.hint, lang)


def test_users_from_env_and_file(tmp_path: Path) -> None:
    users_file = tmp_path / "users.txt"
    users_file.write_text(f"# team\nbob:{hash_password('b', iterations=1000)}\n", encoding="utf-8")
    settings = UISettings(
        users=f"alice:{hash_password('a', iterations=1000)}", users_file=users_file
    )
    assert sorted(load_users(settings)) == ["alice", "bob"]


def test_missing_users_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_users(UISettings(users_file=tmp_path / "nope.txt"))
    assert "nope.txt" in info.value.where


@pytest.mark.parametrize(
    ("host", "has_users", "outcome"),
    [
        ("127.0.0.1", False, "open"),
        ("localhost", False, "open"),
        ("::1", False, "open"),
        ("0.0.0.0", False, "error"),
        ("192.168.1.5", False, "error"),
        ("0.0.0.0", True, "login"),
    ],
)
def test_login_required_beyond_loopback(host: str, has_users: bool, outcome: str) -> None:
    users = {"alice": hash_password("pw", iterations=1000)} if has_users else {}
    if outcome == "error":
        with pytest.raises(ConfigError, match="登录"):
            authenticator(host, users)
        return
    check = authenticator(host, users)
    if outcome == "open":
        assert check is None
    else:
        assert check is not None
        assert check("alice", "pw") and not check("alice", "wrong") and not check("eve", "pw")


def test_unknown_users_cost_one_password_check_like_known_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    users = {"alice": hash_password("pw", iterations=1000)}
    checked: list[str] = []

    def counting(password: str, stored: str) -> bool:
        checked.append(stored)
        return verify_password(password, stored)

    monkeypatch.setattr(auth, "verify_password", counting)
    check = authenticator("0.0.0.0", users)
    assert check is not None
    assert not check("eve", "pw")
    assert checked == [auth.dummy_hash()]
    assert int(auth.dummy_hash().split("$")[1]) == auth.ITERATIONS
    assert not check("alice", "wrong") and check("alice", "pw")
    assert checked[1:] == [users["alice"], users["alice"]]


def test_the_dummy_password_is_not_guessable() -> None:
    """Checking an unknown name never succeeds, whatever the password."""
    check = authenticator("0.0.0.0", {"alice": hash_password("pw", iterations=1000)})
    assert check is not None
    assert not check("eve", "") and not check("", "pw")
