"""One long-lived aiosqlite connection, migrations, transactions and online backups."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import stat
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations(folder=None) -> list[tuple[int, str, str]]:
    """(version, file name, SQL) for every migration in ``folder`` (the package's own by default),
    in order; a gap in the numbers is refused."""
    found = []
    for entry in (folder or resources.files("bot.storage").joinpath("migrations")).iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


def _statements(script: str) -> list[str]:
    """Split a migration into statements (complete_statement knows about strings and triggers)."""
    import sqlite3

    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip() and not all(
        ln.strip().startswith("--") or not ln.strip() for ln in current.splitlines()
    ):
        raise RuntimeError("a migration ends with an incomplete statement")
    return statements


class CorruptDatabase(Exception):
    """The database (or its copy) fails ``PRAGMA integrity_check``."""


def owner_only(path: Path, *, create: bool = False) -> None:
    """The database holds sensitive personal data: readable and writable by its owner only (0600),
    created so, and tightened if it already exists (with its -wal and -shm files)."""
    if create or not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and stat.S_IMODE(file.stat().st_mode) != 0o600:
            file.chmod(0o600)


class Database:
    """The bot's connection. Services own transactions through :meth:`transaction`."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task | None = None  # the task inside transaction() or reading()
        self.committed_messages = 0  # outbox rows committed by this process: the sender wakes on a change
        conn.queued_messages = 0

    @classmethod
    async def open(cls, path: Path | str) -> "Database":
        path = Path(path)
        owner_only(path)  # SQLite gives the -wal and -shm files the database file's mode
        conn = await aiosqlite.connect(path, isolation_level=None)  # we issue BEGIN ourselves
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA secure_delete=ON")  # what is deleted or blanked is overwritten, not left in free pages
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        await conn.execute("PRAGMA cache_size=-32000")  # 32 MB of pages (the default 2 MB thrashes on reports)
        db = cls(conn, path)
        await db.migrate()
        return db

    @classmethod
    async def open_readonly(cls, path: Path | str) -> "Database":
        """A read-only connection (reports in the worker process): no migrations, no writes; it reads
        the last committed state beside the bot's own connection (WAL)."""
        path = Path(path)
        connecting = aiosqlite.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        # Kept open by the report worker: its thread must not keep that process alive at exit.
        connecting._thread.daemon = True  # noqa: SLF001 - aiosqlite has no public switch for this
        conn = await connecting
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA query_only=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        await conn.execute("PRAGMA cache_size=-32000")
        return cls(conn, path)

    async def close(self) -> None:
        await self.conn.close()

    async def schema_version(self) -> int:
        async with self.conn.execute("PRAGMA user_version") as cur:
            return (await cur.fetchone())[0]

    async def migrate(self) -> int:
        """Apply every migration newer than ``PRAGMA user_version``, each in its own transaction."""
        current = await self.schema_version()
        for version, name, script in migrations():
            if version <= current:
                continue
            async with self._held():
                await self.conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _statements(script):
                        await self.conn.execute(statement)
                    await self.conn.execute(f"PRAGMA user_version = {version}")
                    await self.conn.execute("COMMIT")
                except BaseException:
                    await self.conn.execute("ROLLBACK")
                    raise
            log.info("applied migration %s", name)
        return await self.schema_version()

    @contextlib.asynccontextmanager
    async def _held(self) -> AsyncIterator[None]:
        async with self._lock:
            self._owner = asyncio.current_task()
            try:
                yield
            finally:
                self._owner = None

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; serialised, since the connection is shared."""
        if self._owner is not None and self._owner is asyncio.current_task():
            raise RuntimeError("a transaction cannot be opened inside another one")
        async with self._held():
            await self.conn.execute("BEGIN IMMEDIATE")
            self.conn.queued_messages = 0  # set by the outbox's inserts during this transaction
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")
                self.committed_messages += self.conn.queued_messages
            finally:
                self.conn.queued_messages = 0

    @contextlib.asynccontextmanager
    async def single_statement(self) -> AsyncIterator[aiosqlite.Connection]:
        """For one writing statement, atomic on its own (autocommit): no BEGIN/COMMIT round trips."""
        if self._owner is not None and self._owner is asyncio.current_task():
            raise RuntimeError("a single statement runs outside any transaction")
        async with self._held():
            yield self.conn

    @contextlib.asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """For reads: waits for any transaction in progress, so it never sees half of one.

        Inside the caller's own transaction it reads there (no second wait, no deadlock)."""
        if self._owner is not None and self._owner is asyncio.current_task():
            yield self.conn
            return
        async with self._held():
            yield self.conn

    async def backup(self, target: Path | str) -> None:
        """A consistent copy through SQLite's online backup API, safe while the bot runs."""
        target = Path(target)
        if target.exists():
            raise FileExistsError(f"{target} already exists")
        owner_only(target, create=True)
        dest = await aiosqlite.connect(target)
        try:
            try:
                async with self._held():
                    await self.conn.backup(dest)
                async with dest.execute("PRAGMA integrity_check") as cur:
                    problems = [row[0] for row in await cur.fetchall()]
            except aiosqlite.DatabaseError as error:
                problems = [str(error)]
        finally:
            await dest.close()
        if problems != ["ok"]:
            target.unlink(missing_ok=True)
            raise CorruptDatabase(problems[0] if problems else "no answer from integrity_check")

    async def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file and empty it (after anonymising: the old
        pages must not linger in the -wal file)."""
        async with self._held():
            await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
