"""Who supervises whom, and since when."""

from __future__ import annotations

from datetime import datetime

from aiosqlite import Connection

from bot.clock import to_db
from bot.storage.sql import fetch_all, fetch_one


class Assignments:
    @staticmethod
    async def current(conn: Connection, person_id: int) -> int | None:
        row = await fetch_one(conn, "SELECT supervisor_id FROM assignments WHERE person_id = ? AND ended_at IS NULL",
                         (person_id,))
        return row["supervisor_id"] if row else None

    @staticmethod
    async def assign(conn: Connection, *, person_id: int, supervisor_id: int, assigned_by: int | None,
                     now: datetime) -> None:
        await conn.execute("UPDATE assignments SET ended_at = ? WHERE person_id = ? AND ended_at IS NULL",
                           (to_db(now), person_id))
        await conn.execute(
            "INSERT INTO assignments (person_id, supervisor_id, assigned_by, started_at) VALUES (?, ?, ?, ?)",
            (person_id, supervisor_id, assigned_by, to_db(now)),
        )

    @staticmethod
    async def end(conn: Connection, person_id: int, now: datetime) -> None:
        await conn.execute("UPDATE assignments SET ended_at = ? WHERE person_id = ? AND ended_at IS NULL",
                           (to_db(now), person_id))

    @staticmethod
    async def supervisors_of_commune(conn: Connection, commune_id: int) -> dict[int, int]:
        """person_id → current supervisor_id, for the commune's open records."""
        rows = await fetch_all(
            conn,
            """SELECT a.person_id, a.supervisor_id FROM assignments a JOIN people p ON p.id = a.person_id
               WHERE p.commune_id = ? AND a.ended_at IS NULL""",
            (commune_id,),
        )
        return {r["person_id"]: r["supervisor_id"] for r in rows}
