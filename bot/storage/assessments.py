"""Monthly assessments by commune police."""

from __future__ import annotations

from datetime import datetime

from aiosqlite import Connection, Row

from bot.clock import from_db, to_db
from bot.models import (
    Assessment,
)
from bot.storage.sql import fetch_all


def _assessment(r: Row) -> Assessment:
    return Assessment(r["id"], r["person_id"], r["author_id"], r["period"], r["conduct"], r["work"], r["family"],
                      r["needs"], from_db(r["created_at"]))


class Assessments:
    @staticmethod
    async def put(conn: Connection, *, person_id: int, author_id: int, period: str, conduct: str, work: str,
                  family: str, needs: str, now: datetime) -> None:
        await conn.execute(
            """
            INSERT INTO assessments (person_id, author_id, period, conduct, work, family, needs, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (person_id, period) DO UPDATE SET author_id = excluded.author_id,
                conduct = excluded.conduct, work = excluded.work, family = excluded.family,
                needs = excluded.needs, created_at = excluded.created_at
            """,
            (person_id, author_id, period, conduct, work, family, needs, to_db(now)),
        )

    @staticmethod
    async def of_person(conn: Connection, person_id: int, limit: int = 6) -> list[Assessment]:
        rows = await fetch_all(conn, "SELECT * FROM assessments WHERE person_id = ? ORDER BY period DESC LIMIT ?",
                          (person_id, limit))
        return [_assessment(r) for r in rows]
