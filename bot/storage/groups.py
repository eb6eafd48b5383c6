"""Police group chats linked to a commune."""

from __future__ import annotations

from datetime import datetime

from aiosqlite import Connection

from bot.clock import to_db
from bot.storage.sql import fetch_all


class Groups:
    @staticmethod
    async def link(conn: Connection, commune_id: int, messenger: str, chat_id: str, by: int, now: datetime) -> None:
        await conn.execute(
            "INSERT OR IGNORE INTO commune_groups (commune_id, messenger, chat_id, linked_by, linked_at) VALUES (?, ?, ?, ?, ?)",
            (commune_id, messenger, chat_id, by, to_db(now)),
        )

    @staticmethod
    async def move(conn: Connection, messenger: str, old_chat_id: str, new_chat_id: str) -> int:
        """A group got a new id (Telegram: upgraded to a supergroup): its links and alert copies follow."""
        cursor = await conn.execute(
            "UPDATE OR REPLACE commune_groups SET chat_id = ? WHERE messenger = ? AND chat_id = ?",
            (new_chat_id, messenger, old_chat_id))
        await conn.execute("UPDATE outbox SET chat_id = ? WHERE messenger = ? AND chat_id = ? AND sent_at IS NULL",
                           (new_chat_id, messenger, old_chat_id))
        return cursor.rowcount

    @staticmethod
    async def of_commune(conn: Connection, commune_id: int) -> list[tuple[str, str]]:
        rows = await fetch_all(conn, "SELECT messenger, chat_id FROM commune_groups WHERE commune_id = ?", (commune_id,))
        return [(r["messenger"], r["chat_id"]) for r in rows]
