"""Requests to correct or delete one's personal data, and the decisions on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiosqlite import Connection, Row

from bot.clock import from_db, to_db
from bot.storage.sql import fetch_all, fetch_one


@dataclass(frozen=True)
class DataRequest:
    id: int
    person_id: int
    commune_id: int
    kind: str  # "correct" or "delete"
    body: str
    created_at: datetime
    outcome: str | None
    answer: str


def _request(row: Row) -> DataRequest:
    return DataRequest(row["id"], row["person_id"], row["commune_id"], row["kind"], row["body"],
                       from_db(row["created_at"]), row["outcome"], row["answer"])


class DataRequests:
    @staticmethod
    async def add(conn: Connection, *, person_id: int, commune_id: int, kind: str, body: str, now: datetime) -> int:
        cur = await conn.execute("INSERT INTO data_requests (person_id, commune_id, kind, body, created_at) "
                                 "VALUES (?, ?, ?, ?, ?)", (person_id, commune_id, kind, body, to_db(now)))
        return cur.lastrowid

    @staticmethod
    async def open_in_commune(conn: Connection, commune_id: int) -> list[DataRequest]:
        rows = await fetch_all(conn, "SELECT * FROM data_requests WHERE commune_id = ? AND decided_at IS NULL "
                                     "ORDER BY id", (commune_id,))
        return [_request(r) for r in rows]

    @staticmethod
    async def get(conn: Connection, request_id: int) -> DataRequest | None:
        row = await fetch_one(conn, "SELECT * FROM data_requests WHERE id = ?", (request_id,))
        return _request(row) if row else None

    @staticmethod
    async def decide(conn: Connection, request_id: int, *, by: int, outcome: str, answer: str, now: datetime) -> bool:
        """Record the decision; False if it was decided meanwhile."""
        cur = await conn.execute("UPDATE data_requests SET decided_by = ?, decided_at = ?, outcome = ?, answer = ? "
                                 "WHERE id = ? AND decided_at IS NULL", (by, to_db(now), outcome, answer, request_id))
        return cur.rowcount == 1

    @staticmethod
    async def of_person(conn: Connection, person_id: int) -> list[dict]:
        rows = await fetch_all(conn, "SELECT kind, body, created_at, decided_at, outcome, answer FROM data_requests "
                                     "WHERE person_id = ? ORDER BY id", (person_id,))
        return [dict(r) for r in rows]
