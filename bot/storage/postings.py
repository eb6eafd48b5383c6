"""The jobs and training board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from aiosqlite import Connection, Row

from bot.clock import to_db
from bot.storage.sql import fetch_all, fetch_one


@dataclass(frozen=True)
class Posting:
    id: int
    commune_id: int
    kind: str
    title: str
    employer: str
    place: str
    pay: str
    contact: str
    closes_on: date
    created_by: int


def _posting(r: Row) -> Posting:
    return Posting(r["id"], r["commune_id"], r["kind"], r["title"], r["employer"], r["place"], r["pay"], r["contact"],
                   date.fromisoformat(r["closes_on"]), r["created_by"])


class Postings:
    @staticmethod
    async def add(conn: Connection, *, commune_id: int, kind: str, title: str, employer: str, place: str, pay: str,
                  contact: str, closes_on: date, created_by: int, now: datetime) -> int:
        cur = await conn.execute(
            """INSERT INTO postings (commune_id, kind, title, employer, place, pay, contact, closes_on, created_by,
                                     created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (commune_id, kind, title, employer, place, pay, contact, closes_on.isoformat(), created_by, to_db(now)),
        )
        return cur.lastrowid

    @staticmethod
    async def open_in_commune(conn: Connection, commune_id: int, today: date) -> list[Posting]:
        rows = await fetch_all(
            conn,
            """SELECT * FROM postings WHERE commune_id = ? AND closed_at IS NULL AND closes_on >= ?
               ORDER BY closes_on, id""",
            (commune_id, today.isoformat()),
        )
        return [_posting(r) for r in rows]

    @staticmethod
    async def get(conn: Connection, posting_id: int) -> Posting | None:
        row = await fetch_one(conn, "SELECT * FROM postings WHERE id = ?", (posting_id,))
        return _posting(row) if row else None

    @staticmethod
    async def close(conn: Connection, posting_id: int, now: datetime) -> None:
        await conn.execute("UPDATE postings SET closed_at = ? WHERE id = ?", (to_db(now), posting_id))

    @staticmethod
    async def interest(conn: Connection, posting_id: int, person_id: int, now: datetime) -> bool:
        cur = await conn.execute(
            "INSERT OR IGNORE INTO posting_interest (posting_id, person_id, created_at) VALUES (?, ?, ?)",
            (posting_id, person_id, to_db(now)),
        )
        return cur.rowcount == 1
