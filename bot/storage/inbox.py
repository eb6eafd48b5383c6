"""The inbox's SQL: what arrived, idempotent on the platform's id, until it is handled and answered.

A row moves new (``payload``) → handled (``replies``; committed with the turn) → done (nothing but
its ids, kept a few days so a redelivery is recognised). Transactions belong to the caller.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from aiosqlite import Connection

from bot.clock import from_db, to_db
from bot.storage.sql import fetch_all, fetch_one


@dataclass(frozen=True)
class InboxRow:
    id: int
    channel: str
    external_id: str
    chat_key: str
    payload: dict | None  # None once handled
    replies: list | None  # set while handled and not yet delivered


def _row(r) -> InboxRow:
    return InboxRow(r["id"], r["channel"], r["external_id"], r["chat_key"],
                    json.loads(r["payload"]) if r["payload"] else None,
                    json.loads(r["replies"]) if r["replies"] else None)


class Inbox:
    @staticmethod
    async def add(conn: Connection, channel: str, external_id: str, chat_key: str, payload: dict,
                  now: datetime) -> int | None:
        """Store an event; its row id, or None when this id was received before (a redelivery)."""
        rows = await conn.execute_fetchall(
            """
            INSERT INTO inbox (channel, external_id, chat_key, payload, received_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (channel, external_id) DO NOTHING
            RETURNING id
            """,
            (channel, external_id, chat_key, json.dumps(payload, ensure_ascii=False), to_db(now)),
        )
        return rows[0][0] if rows else None

    @staticmethod
    async def save_turn(conn: Connection, *, row_id: int, channel: str, chat_key: str,
                        dialog: tuple[str | None, dict] | None, replies: list, now: datetime) -> None:
        """The turn, atomically in one statement: the conversation (None: leave it as it was; no
        state and an empty draft: none left) and the row handled, with the replies to deliver."""
        if dialog is None:
            drop, state, data = None, None, None
        elif dialog == (None, {}):
            drop, state, data = 1, None, None
        else:
            drop, state, data = 0, dialog[0], json.dumps(dialog[1], ensure_ascii=False)
        await conn.execute(
            "INSERT INTO turns (channel, chat_key, state, data, drop_dialog, row_id, replies, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (channel, chat_key, state, data, drop, row_id,
             json.dumps(replies, ensure_ascii=False) if replies else None, to_db(now)))

    @staticmethod
    async def done(conn: Connection, row_ids: list[int], now: datetime) -> None:
        for start in range(0, len(row_ids), 500):
            part = row_ids[start:start + 500]
            await conn.execute(
                f"UPDATE inbox SET payload = NULL, replies = NULL, done_at = ?, handled_at = COALESCE(handled_at, ?)"
                f" WHERE id IN ({','.join('?' * len(part))})",
                (to_db(now), to_db(now), *part),
            )

    @staticmethod
    async def unfinished(conn: Connection) -> list[InboxRow]:
        """Rows a stopped process left: not handled yet, or handled and not answered; in arrival order."""
        rows = await fetch_all(conn, "SELECT * FROM inbox WHERE done_at IS NULL ORDER BY id")
        return [_row(r) for r in rows]

    @staticmethod
    async def undelivered(conn: Connection, handled_before: datetime) -> list[InboxRow]:
        """Rows whose turn was committed before ``handled_before`` and whose replies are not known to
        have gone out (a messenger failed for longer than its retries)."""
        rows = await fetch_all(conn, "SELECT * FROM inbox WHERE done_at IS NULL AND payload IS NULL "
                                     "AND handled_at < ? ORDER BY id", (to_db(handled_before),))
        return [_row(r) for r in rows]

    @staticmethod
    async def backlog(conn: Connection) -> tuple[int, datetime | None]:
        """(events not finished, when the oldest of them arrived)."""
        row = await fetch_one(conn, "SELECT COUNT(*) AS n, MIN(received_at) AS oldest FROM inbox WHERE done_at IS NULL")
        return int(row["n"]), from_db(row["oldest"]) if row["oldest"] else None

    @staticmethod
    async def prune(conn: Connection, before: datetime) -> int:
        """Forget finished rows received before ``before`` (long past any redelivery)."""
        cursor = await conn.execute("DELETE FROM inbox WHERE done_at IS NOT NULL AND received_at < ?", (to_db(before),))
        return cursor.rowcount
