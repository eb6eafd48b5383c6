"""Appointments with the commune officer."""

from __future__ import annotations

from datetime import datetime

from aiosqlite import Connection

from bot.clock import from_db, to_db
from bot.storage.sql import fetch_all, fetch_one


class Appointments:
    @staticmethod
    async def add(conn: Connection, *, person_id: int, at: datetime, place: str, created_by: int,
                  now: datetime) -> int:
        cur = await conn.execute(
            "INSERT INTO appointments (person_id, at, place, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
            (person_id, to_db(at), place, created_by, to_db(now)),
        )
        return cur.lastrowid

    @staticmethod
    async def between(conn: Connection, commune_id: int, start: datetime, end: datetime
                      ) -> list[tuple[int, int, datetime, str]]:
        """(id, person_id, at, place) of a commune's appointments from ``start`` to ``end``."""
        rows = await fetch_all(
            conn,
            """SELECT a.id, a.person_id, a.at, a.place FROM appointments a JOIN people p ON p.id = a.person_id
               WHERE a.cancelled_at IS NULL AND a.at >= ? AND a.at < ? AND p.commune_id = ? ORDER BY a.at""",
            (to_db(start), to_db(end), commune_id),
        )
        return [(r["id"], r["person_id"], from_db(r["at"]), r["place"]) for r in rows]

    @staticmethod
    async def next_for(conn: Connection, person_id: int, now: datetime) -> tuple[datetime, str] | None:
        row = await fetch_one(
            conn,
            "SELECT at, place FROM appointments WHERE person_id = ? AND cancelled_at IS NULL AND at >= ? ORDER BY at",
            (person_id, to_db(now)),
        )
        return (from_db(row["at"]), row["place"]) if row else None
