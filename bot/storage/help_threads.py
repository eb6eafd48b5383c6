"""Conversations between a person and commune staff (/contact, /requests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiosqlite import Connection, Row

from bot.clock import from_db, to_db
from bot.storage.sql import fetch_all, fetch_one


@dataclass(frozen=True)
class Thread:
    id: int
    person_id: int
    commune_id: int
    topic: str
    opened_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class Message:
    id: int
    thread_id: int
    author_id: int
    body: str
    created_at: datetime


def _thread(r: Row) -> Thread:
    return Thread(r["id"], r["person_id"], r["commune_id"], r["topic"], from_db(r["opened_at"]),
                  from_db(r["closed_at"]) if r["closed_at"] else None)


class Threads:
    @staticmethod
    async def move_open(conn: Connection, person_id: int, commune_id: int) -> None:
        """The person's open requests for help follow them to their new commune."""
        await conn.execute("UPDATE help_threads SET commune_id = ? WHERE person_id = ? AND closed_at IS NULL",
                           (commune_id, person_id))

    @staticmethod
    async def open_for(conn: Connection, person_id: int) -> Thread | None:
        row = await fetch_one(conn, "SELECT * FROM help_threads WHERE person_id = ? AND closed_at IS NULL", (person_id,))
        return _thread(row) if row else None

    @staticmethod
    async def open(conn: Connection, *, person_id: int, commune_id: int, topic: str, now: datetime) -> Thread:
        cur = await conn.execute(
            "INSERT INTO help_threads (person_id, commune_id, topic, opened_at) VALUES (?, ?, ?, ?)",
            (person_id, commune_id, topic, to_db(now)),
        )
        return _thread(await fetch_one(conn, "SELECT * FROM help_threads WHERE id = ?", (cur.lastrowid,)))

    @staticmethod
    async def get(conn: Connection, thread_id: int) -> Thread | None:
        row = await fetch_one(conn, "SELECT * FROM help_threads WHERE id = ?", (thread_id,))
        return _thread(row) if row else None

    @staticmethod
    async def open_in_commune(conn: Connection, commune_id: int) -> list[Thread]:
        rows = await fetch_all(conn, "SELECT * FROM help_threads WHERE commune_id = ? AND closed_at IS NULL ORDER BY id",
                               (commune_id,))
        return [_thread(r) for r in rows]

    @staticmethod
    async def close(conn: Connection, thread_id: int, by: int, now: datetime) -> None:
        await conn.execute("UPDATE help_threads SET closed_at = ?, closed_by = ? WHERE id = ? AND closed_at IS NULL",
                           (to_db(now), by, thread_id))

    @staticmethod
    async def add_message(conn: Connection, *, thread_id: int, author_id: int, body: str, now: datetime) -> None:
        await conn.execute("INSERT INTO help_messages (thread_id, author_id, body, created_at) VALUES (?, ?, ?, ?)",
                           (thread_id, author_id, body, to_db(now)))

    @staticmethod
    async def messages(conn: Connection, thread_id: int) -> list[Message]:
        rows = await fetch_all(conn, "SELECT * FROM help_messages WHERE thread_id = ? ORDER BY id", (thread_id,))
        return [Message(r["id"], r["thread_id"], r["author_id"], r["body"], from_db(r["created_at"])) for r in rows]
