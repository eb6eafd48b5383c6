"""The import journal's SQL: which people an import created or changed, so that it can be undone."""

from __future__ import annotations

import json
from datetime import datetime

from aiosqlite import Connection

from bot.clock import to_db
from bot.storage.sql import fetch_all
from bot.storage.records import Records
from bot.storage.sql import db_value


class Imports:
    @staticmethod
    async def begin(conn: Connection, commune_id: int, pid: int, now: datetime) -> int:
        rows = await conn.execute_fetchall(
            "INSERT INTO imports (commune_id, state, pid, started_at) VALUES (?, 'running', ?, ?) RETURNING id",
            (commune_id, pid, to_db(now)))
        return rows[0][0]

    @staticmethod
    async def created(conn: Connection, import_id: int, person_id: int) -> None:
        await conn.execute("INSERT INTO import_journal (import_id, person_id, kind) VALUES (?, ?, 'created')",
                           (import_id, person_id))

    @staticmethod
    async def updated(conn: Connection, import_id: int, person_id: int, before: dict) -> None:
        await conn.execute(
            "INSERT OR IGNORE INTO import_journal (import_id, person_id, kind, before) VALUES (?, ?, 'updated', ?)",
            (import_id, person_id, json.dumps({k: db_value(v) for k, v in before.items()}, ensure_ascii=False)))

    @staticmethod
    async def finish(conn: Connection, import_id: int, now: datetime) -> None:
        await conn.execute("DELETE FROM import_journal WHERE import_id = ?", (import_id,))
        await conn.execute("UPDATE imports SET state = 'done', finished_at = ? WHERE id = ?", (to_db(now), import_id))

    @staticmethod
    async def running(conn: Connection) -> list[tuple[int, int]]:
        """(import id, process id) of imports not finished."""
        rows = await fetch_all(conn, "SELECT id, pid FROM imports WHERE state = 'running'")
        return [(r["id"], r["pid"]) for r in rows]

    @staticmethod
    async def undo(conn: Connection, import_id: int, now: datetime) -> int:
        """Take back everything the import wrote; returns how many people it touched."""
        started = (await fetch_all(conn, "SELECT started_at FROM imports WHERE id = ?", (import_id,)))[0][0]
        entries = await fetch_all(conn, "SELECT person_id, kind, before FROM import_journal WHERE import_id = ?",
                                  (import_id,))
        for entry in entries:
            person = entry["person_id"]
            if entry["kind"] == "updated":
                await Records.update(conn, person, json.loads(entry["before"]), now)
                await conn.execute("DELETE FROM record_changes WHERE person_id = ? AND reason = 'import' AND at >= ?",
                                   (person, started))
            else:
                await conn.execute("DELETE FROM audit_log WHERE subject_id = ? AND action = 'record.import'", (person,))
                await conn.execute("DELETE FROM record_changes WHERE person_id = ?", (person,))
                await conn.execute("DELETE FROM records WHERE person_id = ?", (person,))
                await conn.execute("DELETE FROM people WHERE id = ?", (person,))
        await conn.execute("DELETE FROM import_journal WHERE import_id = ?", (import_id,))
        await conn.execute("UPDATE imports SET state = 'undone', finished_at = ? WHERE id = ?", (to_db(now), import_id))
        return len(entries)
