"""Photos kept in the database (a check-in refers to one as ``media:<id>``): a messenger's
links to them do not last."""

from __future__ import annotations

from datetime import datetime

from aiosqlite import Connection

from bot.clock import to_db
from bot.storage.sql import fetch_one


class Media:
    """Photos kept in the database (a check-in refers to one as ``media:<id>``)."""

    PREFIX = "media:"

    @staticmethod
    async def add(conn: Connection, mime: str, content: bytes, now: datetime) -> str:
        rows = await conn.execute_fetchall("INSERT INTO media (mime, content, created_at) VALUES (?, ?, ?) RETURNING id",
                                           (mime, content, to_db(now)))
        return f"{Media.PREFIX}{rows[0]['id']}"

    @staticmethod
    async def get(conn: Connection, ref: str) -> tuple[str, bytes] | None:
        if not ref.startswith(Media.PREFIX) or not ref[len(Media.PREFIX):].isdigit():
            return None
        row = await fetch_one(conn, "SELECT mime, content FROM media WHERE id = ?", (int(ref[len(Media.PREFIX):]),))
        return (row["mime"], bytes(row["content"])) if row else None

    @staticmethod
    async def prune(conn: Connection, before: datetime) -> int:
        """Photos no check-in or roll call refers to, older than ``before`` (sent, then cancelled)."""
        cursor = await conn.execute(
            "DELETE FROM media WHERE created_at < ? AND NOT EXISTS "
            "(SELECT 1 FROM checkins WHERE checkins.photo = 'media:' || media.id) AND NOT EXISTS "
            "(SELECT 1 FROM roll_calls WHERE roll_calls.photo = 'media:' || media.id)", (to_db(before),))
        return cursor.rowcount

    @staticmethod
    async def forget_of_person(conn: Connection, person_id: int) -> None:
        """Delete the photos of a person's check-ins (before the check-ins forget them)."""
        await conn.execute("DELETE FROM media WHERE 'media:' || id IN "
                           "(SELECT photo FROM checkins WHERE person_id = ? AND photo LIKE 'media:%')", (person_id,))
