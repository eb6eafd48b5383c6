"""Each conversation's state and draft, for every messenger."""

from __future__ import annotations

from datetime import datetime
import json

from aiosqlite import Connection

from bot.clock import from_db, to_db
from bot.storage.sql import fetch_one


class Dialogs:
    """Each conversation's state and draft, for every messenger (keyed by messenger and chat)."""

    @staticmethod
    async def get(conn: Connection, channel: str, chat_key: str) -> tuple[str | None, dict, datetime | None]:
        """(state, draft, when it was last saved)."""
        row = await fetch_one(conn, "SELECT state, data, updated_at FROM dialogs WHERE channel = ? AND chat_key = ?",
                              (channel, chat_key))
        if not row:
            return None, {}, None
        return row["state"], json.loads(row["data"]), from_db(row["updated_at"]) if row["updated_at"] else None

    @staticmethod
    async def expire_strangers(conn: Connection, before: datetime) -> int:
        """Forget idle conversations of people with no role (strangers who wrote once)."""
        cursor = await conn.execute(
            """DELETE FROM dialogs WHERE updated_at < ? AND NOT EXISTS (
                   SELECT 1 FROM identities i JOIN people p ON p.id = i.person_id
                   WHERE i.messenger = dialogs.channel AND i.chat_id = dialogs.chat_key)""",
            (to_db(before),))
        return cursor.rowcount

    @staticmethod
    async def expire(conn: Connection, before: datetime) -> int:
        """Forget every conversation untouched since ``before`` (an abandoned draft holds personal data)."""
        cursor = await conn.execute("DELETE FROM dialogs WHERE updated_at < ?", (to_db(before),))
        return cursor.rowcount
