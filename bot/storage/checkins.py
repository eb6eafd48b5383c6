"""Check-ins: each contact a supervisor records."""

from __future__ import annotations

from datetime import date, datetime

from aiosqlite import Connection, Row

from bot.clock import from_db, to_db
from bot.models import (
    Checkin,
    Contact,
    Status,
)
from bot.storage.sql import day_or_none, fetch_all, fetch_one


def _checkin(row: Row) -> Checkin:
    return Checkin(
        id=row["id"], person_id=row["person_id"], supervisor_id=row["supervisor_id"],
        contact=Contact(row["contact"]), status=Status(row["status"]), note=row["note"], photo=row["photo"],
        latitude=row["latitude"], longitude=row["longitude"], happened_on=day_or_none(row["happened_on"]),
        created_at=from_db(row["created_at"]),
        withdrawn_at=from_db(row["withdrawn_at"]) if row["withdrawn_at"] else None,
    )


class Checkins:
    @staticmethod
    async def add(conn: Connection, *, client_key: str, person_id: int, supervisor_id: int, contact: Contact,
                  status: Status, note: str, photo: str | None, latitude: float | None, longitude: float | None,
                  happened_on: date, now: datetime) -> tuple[Checkin, bool]:
        """Insert once per ``client_key``; returns the check-in and whether it is new."""
        cur = await conn.execute(
            """
            INSERT OR IGNORE INTO checkins (client_key, person_id, supervisor_id, contact, status, note, photo,
                                            latitude, longitude, happened_on, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (client_key, person_id, supervisor_id, contact.value, status.value, note, photo, latitude, longitude,
             happened_on.isoformat(), to_db(now), to_db(now)),
        )
        row = await fetch_one(conn, "SELECT * FROM checkins WHERE client_key = ?", (client_key,))
        return _checkin(row), cur.rowcount == 1

    @staticmethod
    async def count_between(conn: Connection, person_id: int, first: date, last: date) -> int:
        """Contacts (not withdrawn) that happened between two days, both included."""
        row = await fetch_one(conn, "SELECT count(*) AS n FROM checkins WHERE person_id = ? AND withdrawn_at IS NULL "
                                    "AND happened_on BETWEEN ? AND ?", (person_id, first.isoformat(), last.isoformat()))
        return row["n"]

    @staticmethod
    async def get(conn: Connection, checkin_id: int) -> Checkin | None:
        row = await fetch_one(conn, "SELECT * FROM checkins WHERE id = ?", (checkin_id,))
        return _checkin(row) if row else None

    @staticmethod
    async def of_person(conn: Connection, person_id: int, limit: int = 10) -> list[Checkin]:
        rows = await fetch_all(
            conn,
            "SELECT * FROM checkins WHERE person_id = ? AND withdrawn_at IS NULL ORDER BY happened_on DESC, id DESC LIMIT ?",
            (person_id, limit),
        )
        return [_checkin(r) for r in rows]

    @staticmethod
    async def by_supervisor_since(conn: Connection, supervisor_id: int, since: datetime) -> list[Checkin]:
        rows = await fetch_all(
            conn,
            """SELECT * FROM checkins WHERE supervisor_id = ? AND created_at >= ? AND withdrawn_at IS NULL
               ORDER BY created_at DESC""",
            (supervisor_id, to_db(since)),
        )
        return [_checkin(r) for r in rows]

    @staticmethod
    async def correct(conn: Connection, checkin_id: int, *, status: Status | None, note: str | None,
                      now: datetime) -> None:
        if status is not None:
            await conn.execute("UPDATE checkins SET status = ?, updated_at = ? WHERE id = ?",
                               (status.value, to_db(now), checkin_id))
        if note is not None:
            await conn.execute("UPDATE checkins SET note = ?, updated_at = ? WHERE id = ?",
                               (note, to_db(now), checkin_id))

    @staticmethod
    async def withdraw(conn: Connection, checkin_id: int, reason: str, now: datetime) -> None:
        await conn.execute(
            "UPDATE checkins SET withdrawn_at = ?, withdrawn_reason = ?, updated_at = ? WHERE id = ? AND withdrawn_at IS NULL",
            (to_db(now), reason, to_db(now), checkin_id),
        )
