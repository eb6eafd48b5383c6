"""What people report about themselves."""

from __future__ import annotations

from datetime import datetime

from aiosqlite import Connection

from bot.clock import from_db, to_db
from bot.models import (
    SelfReport,
)
from bot.storage.sql import fetch_all


class SelfReports:
    @staticmethod
    async def add(conn: Connection, *, person_id: int, wellbeing: str, work: str, help_needed: str,
                  now: datetime) -> int:
        cur = await conn.execute(
            "INSERT INTO self_reports (person_id, wellbeing, work, help_needed, created_at) VALUES (?, ?, ?, ?, ?)",
            (person_id, wellbeing, work, help_needed, to_db(now)),
        )
        return cur.lastrowid

    @staticmethod
    async def of_person(conn: Connection, person_id: int, limit: int = 3) -> list[SelfReport]:
        rows = await fetch_all(conn, "SELECT * FROM self_reports WHERE person_id = ? ORDER BY id DESC LIMIT ?",
                          (person_id, limit))
        return [SelfReport(r["id"], r["person_id"], r["wellbeing"], r["work"], r["help_needed"], from_db(r["created_at"]))
                for r in rows]
