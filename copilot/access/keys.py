"""API keys: created once (the secret is shown only then), stored as a hash, scoped, revocable.

A key reads ``siyu_<id>_<secret>``: the id finds the row, the sha256 of the secret is compared
in constant time. Secrets are 256-bit random, so a plain hash is enough (no password stretching
needed); the secret itself is never stored, logged or recorded in the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, update

from copilot.audit.log import ApiKeyChange, AuditLog
from copilot.errors import InputError
from copilot.messages import msg
from copilot.store.engine import Database
from copilot.store.schema import api_keys

Scope = Literal["draft", "check", "feedback", "admin"]
SCOPES: tuple[str, ...] = get_args(Scope)
PREFIX = "siyu"
_TOKEN = re.compile(rf"^{PREFIX}_([0-9a-f]{{8}})_([A-Za-z0-9_-]{{20,128}})$")
_NAME = re.compile(r"^[\w.@-]{1,64}$")


class ApiKey(BaseModel):
    """A stored key, without its secret."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    scopes: tuple[Scope, ...]
    created_at: datetime
    revoked_at: datetime | None = None

    def allows(self, scope: Scope) -> bool:
        return scope in self.scopes or "admin" in self.scopes


class IssuedKey(BaseModel):
    """A new key: `token` is shown to the person once and never again."""

    model_config = ConfigDict(extra="forbid")

    key: ApiKey
    token: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_scopes(values: Iterable[str]) -> tuple[Scope, ...]:
    """Scopes from "draft,check" style values; an unknown one is an InputError naming it."""
    scopes: list[Scope] = []
    for value in values:
        for part in value.split(","):
            name = part.strip()
            if not name:
                continue
            if name not in SCOPES:
                raise InputError(
                    msg(f"未知的权限范围 {name!r}", f"unknown scope {name!r}"),
                    hint=msg(f"可用:{', '.join(SCOPES)}", f"available: {', '.join(SCOPES)}"),
                )
            if name not in scopes:
                scopes.append(name)  # type: ignore[arg-type]
    if not scopes:
        raise InputError(
            msg("至少需要一个权限范围", "at least one scope is needed"),
            hint=msg(
                f"例如 --scopes draft,feedback(可用:{', '.join(SCOPES)})",
                f"e.g. --scopes draft,feedback (available: {', '.join(SCOPES)})",
            ),
        )
    return tuple(scopes)


class KeyRing:
    """Creates, lists, revokes and checks API keys in the database."""

    def __init__(
        self, db: Database, audit: AuditLog, *, clock: Callable[[], datetime] = datetime.now
    ) -> None:
        self.db = db
        self.audit = audit
        self.clock = clock

    def create(self, name: str, scopes: tuple[Scope, ...], *, actor: str = "cli") -> IssuedKey:
        if not _NAME.match(name):
            raise InputError(
                msg(
                    "密钥名只能包含字母、数字、_ . @ -,最长 64 个字符",
                    "a key name has letters, digits, _ . @ - only, at most 64 characters",
                ),
                where=name,
            )
        key_id, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
        key = ApiKey(id=key_id, name=name, scopes=scopes, created_at=self.clock())
        row = {
            "id": key_id,
            "name": name,
            "secret_hash": _digest(secret),
            "scopes": ",".join(scopes),
            "created_at": key.created_at,
        }
        with self.db.begin() as conn:
            taken = conn.execute(select(api_keys.c.id).where(api_keys.c.name == name)).first()
            if taken is not None:
                raise InputError(
                    msg("已有同名密钥", "a key with this name exists"),
                    where=name,
                    hint=msg(
                        "换个名字(吊销的密钥名也不会再用)",
                        "pick another name (names of revoked keys stay taken)",
                    ),
                )
            conn.execute(api_keys.insert().values(**row))
            self.audit.record(
                ApiKeyChange(key_id=key_id, name=name, action="created", scopes=list(scopes)),
                actor=actor,
                conn=conn,
            )
        return IssuedKey(key=key, token=f"{PREFIX}_{key_id}_{secret}")

    def list(self) -> list[ApiKey]:
        with self.db.begin() as conn:
            rows = conn.execute(select(api_keys).order_by(api_keys.c.created_at)).mappings().all()
        return [self._key(row) for row in rows]

    def revoke(self, name_or_id: str, *, actor: str = "cli") -> ApiKey:
        """Revoke a key by name or id; revoking twice is a no-op that returns the key."""
        with self.db.begin() as conn:
            row = (
                conn.execute(
                    select(api_keys).where(
                        (api_keys.c.name == name_or_id) | (api_keys.c.id == name_or_id)
                    )
                )
                .mappings()
                .first()
            )
            if row is None:
                raise InputError(
                    msg("没有这个密钥", "no such key"),
                    where=name_or_id,
                    hint=msg("用 siyu keys list 查看", "see siyu keys list"),
                )
            found = dict(row)
            if found["revoked_at"] is None:
                now = self.clock()
                conn.execute(
                    update(api_keys).where(api_keys.c.id == found["id"]).values(revoked_at=now)
                )
                self.audit.record(
                    ApiKeyChange(key_id=found["id"], name=found["name"], action="revoked"),
                    actor=actor,
                    conn=conn,
                )
                found["revoked_at"] = now
        return self._key(found)

    def authenticate(self, token: str) -> ApiKey | None:
        """The live key a token belongs to, or None (unknown, malformed, wrong or revoked)."""
        match = _TOKEN.match(token.strip())
        if match is None:
            _digest(token)  # same work either way
            return None
        key_id, secret = match.groups()
        with self.db.begin() as conn:
            row = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).mappings().first()
        expected = row["secret_hash"] if row is not None else "0" * 64
        if not hmac.compare_digest(_digest(secret), expected) or row is None:
            return None
        if row["revoked_at"] is not None:
            return None
        return self._key(row)

    def any(self) -> bool:
        with self.db.begin() as conn:
            return conn.execute(select(api_keys.c.id).limit(1)).first() is not None

    @staticmethod
    def _key(row: object) -> ApiKey:
        data = dict(row)  # type: ignore[call-overload]
        return ApiKey(
            id=data["id"],
            name=data["name"],
            scopes=tuple(s for s in data["scopes"].split(",") if s),
            created_at=data["created_at"],
            revoked_at=data["revoked_at"],
        )
