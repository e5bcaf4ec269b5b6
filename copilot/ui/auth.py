"""Optional login: users with PBKDF2-hashed passwords, required whenever the UI binds beyond
loopback. Users come from ``SIYU_UI_USERS`` (``user:hash,user:hash``) or a users file (one
``user:hash`` line each; ``#`` comments allowed)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Callable
from functools import cache

import gradio as gr

from copilot.config import UISettings
from copilot.errors import ConfigError
from copilot.messages import msg

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 240_000
LOCAL_ACTOR = "本机用户"


def hash_password(password: str, *, salt: str | None = None, iterations: int = ITERATIONS) -> str:
    """``pbkdf2_sha256$iterations$salt$hex`` for a users file or SIYU_UI_USERS."""
    salt = salt or secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations).hex()
    return f"{ALGORITHM}${iterations}${salt}${digest}"


def verify_password(password: str, stored: str) -> bool:
    try:
        algorithm, iterations, salt, _ = stored.split("$")
        expected = hash_password(password, salt=salt, iterations=int(iterations))
    except ValueError:
        return False
    return algorithm == ALGORITHM and hmac.compare_digest(expected, stored)


@cache
def dummy_hash() -> str:
    """A hash of a random password at the default cost: unknown users are checked against it,
    so a login takes as long for a name that does not exist as for one that does."""
    return hash_password(secrets.token_hex(16))


def check_login(users: dict[str, str], name: str, password: str) -> bool:
    """One password check whatever the name; hash digests compared in constant time."""
    stored = users.get(name)
    matches = verify_password(password, dummy_hash() if stored is None else stored)
    return stored is not None and matches


def parse_users(text: str, where: str) -> dict[str, str]:
    """user -> stored hash from ``user:hash`` entries separated by commas or new lines."""
    users: dict[str, str] = {}
    entries = [e.strip() for line in text.splitlines() for e in line.split(",")]
    for number, entry in enumerate(entries, start=1):
        if not entry or entry.startswith("#"):
            continue
        name, sep, stored = entry.partition(":")
        if not sep or not name.strip() or not stored.startswith(ALGORITHM + "$"):
            raise ConfigError(
                msg(f"第 {number} 个用户条目格式不对", f"user entry {number} is malformed"),
                where=where,
                hint=msg(
                    "每个条目写成 user:pbkdf2_sha256$…,哈希用 `siyu serve --hash-password` 生成",
                    "write each entry as user:pbkdf2_sha256$…; make the hash with "
                    "`siyu serve --hash-password`",
                ),
            )
        users[name.strip()] = stored.strip()
    return users


def load_users(settings: UISettings) -> dict[str, str]:
    users: dict[str, str] = {}
    if settings.users:
        users.update(parse_users(settings.users, "SIYU_UI_USERS"))
    if settings.users_file:
        try:
            text = settings.users_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                msg("读不到用户文件", "cannot read the users file") + f": {exc.strerror}",
                where=str(settings.users_file),
                hint=msg("检查 SIYU_UI_USERS_FILE 路径", "check the SIYU_UI_USERS_FILE path"),
            ) from None
        users.update(parse_users(text, str(settings.users_file)))
    return users


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def authenticator(host: str, users: dict[str, str]) -> Callable[[str, str], bool] | None:
    """The login check for Gradio, or None on loopback without users; refuses an open bind."""
    if not users:
        if is_loopback(host):
            return None
        raise ConfigError(
            msg(
                f"绑定到 {host} 时必须配置登录用户",
                f"a login is required when binding to {host} (beyond loopback)",
            ),
            where="--host",
            hint=msg(
                "设置 SIYU_UI_USERS 或 SIYU_UI_USERS_FILE(哈希用 `siyu serve --hash-password`"
                "生成),或绑定 127.0.0.1",
                "set SIYU_UI_USERS or SIYU_UI_USERS_FILE (make hashes with "
                "`siyu serve --hash-password`), or bind to 127.0.0.1",
            ),
        )
    return lambda name, password: check_login(users, name, password)


def actor_of(request: gr.Request | None) -> str:
    """Who is acting: the logged-in user, or the local user when there is no login."""
    return (request.username if request is not None else None) or LOCAL_ACTOR
