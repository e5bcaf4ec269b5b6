"""One ``Database`` built from a SQLAlchemy URL: SQLite under SIYU_HOME or PostgreSQL."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Engine, Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from copilot.errors import StoreError
from copilot.filelock import file_lock
from copilot.messages import msg
from copilot.store.migrations import migrate

BATCH_ROWS = 5000


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        "busy_timeout=10000",
        "cache_size=-131072",  # up to 128 MB of page cache: 1M-row imports and scans stay fast
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _database_error(exc: SQLAlchemyError) -> StoreError:
    return StoreError(
        msg("数据库操作失败", "database error") + f": {exc.__class__.__name__}: {exc.args[0]}",
        hint=msg(
            "检查数据库连接与磁盘空间后重试",
            "check the database connection and disk space, then retry",
        ),
    )


class Database:
    """Engine, migrations and the few write shapes the store needs (upsert, insert-ignore)."""

    def __init__(self, url: str, *, auto_migrate: bool = True) -> None:
        self.url = url
        self._upserts: dict[tuple[str, tuple[str, ...], tuple[str, ...]], Any] = {}
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine: Engine = create_engine(url, pool_pre_ping=True)
        except (SQLAlchemyError, ImportError) as exc:
            raise StoreError(
                msg(f"无法使用数据库 URL {url!r}", f"cannot use database URL {url!r}") + f": {exc}",
                hint=msg(
                    "检查 SIYU_DATABASE_URL；PostgreSQL 需安装 siyu-copilot[postgres]",
                    "check SIYU_DATABASE_URL; PostgreSQL needs siyu-copilot[postgres]",
                ),
            ) from exc
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        if auto_migrate:
            self.migrate()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def migrate(self) -> list[str]:
        """Apply pending migrations; replicas starting together apply them once, in turn."""
        try:
            with self.exclusive("migrate"), self.engine.begin() as conn:
                return migrate(conn)
        except SQLAlchemyError as exc:
            raise StoreError(
                msg("数据库迁移失败", "migration failed") + f" ({self.engine.url!r}): {exc}",
                hint=msg(
                    "确认数据库可连接且当前用户有建表权限",
                    "make sure the database is reachable and the user may create tables",
                ),
            ) from exc

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction: committed on success, rolled back on error (errors become StoreError)."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise _database_error(exc) from exc

    def _insert(self, table: Table) -> Any:
        dialect = postgresql if self.dialect == "postgresql" else sqlite
        return dialect.insert(table)

    def upsert(
        self, conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], keys: Iterable[str]
    ) -> None:
        """Insert rows, replacing every non-key column of rows whose keys already exist."""
        if not rows:
            return
        shape = (table.name, tuple(keys), tuple(rows[0]))
        stmt = self._upserts.get(shape)
        if stmt is None:  # building `excluded` columns is costly; one statement per shape
            insert = self._insert(table)
            updates = {c: insert.excluded[c] for c in rows[0] if c not in shape[1]}
            stmt = insert.on_conflict_do_update(index_elements=list(shape[1]), set_=updates)
            self._upserts[shape] = stmt
        for start in range(0, len(rows), BATCH_ROWS):
            conn.execute(stmt, list(rows[start : start + BATCH_ROWS]))

    def insert_ignore(
        self, conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]
    ) -> None:
        """Insert rows, silently keeping the stored row when a unique key already exists."""
        if not rows:
            return
        stmt = self._insert(table).on_conflict_do_nothing()
        for start in range(0, len(rows), BATCH_ROWS):
            conn.execute(stmt, list(rows[start : start + BATCH_ROWS]))

    def insert_new(
        self, conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], key: Column[Any]
    ) -> list[Any]:
        """Insert rows, skipping those whose unique key already exists (also when another
        process inserts them at the same moment); returns `key` of the rows inserted here."""
        if not rows:
            return []
        stmt = self._insert(table).on_conflict_do_nothing().returning(key)
        return list(conn.execute(stmt, list(rows)).scalars())

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Run the block while holding the lock `name`, shared by every process on this
        database (a PostgreSQL advisory lock; a file lock beside a SQLite file). A process that
        dies releases it. Used where two server replicas must not do the same work at once."""
        if self.dialect == "postgresql":
            key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
            try:
                conn = self.engine.connect()
            except SQLAlchemyError as exc:
                raise _database_error(exc) from exc
            with conn:
                try:
                    conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                    conn.commit()
                except SQLAlchemyError as exc:
                    raise _database_error(exc) from exc
                try:
                    yield
                finally:  # closing the session would release it too; the pool keeps it open
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    conn.commit()
            return
        path = self.url.removeprefix("sqlite:///")
        if path in ("", ":memory:") or path == self.url:
            yield  # one process owns an in-memory database
            return
        safe = re.sub(r"[^\w.-]", "_", name)
        with file_lock(Path(f"{path}.{safe}.lock")):
            yield

    def dispose(self) -> None:
        self.engine.dispose()
