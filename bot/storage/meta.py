"""The bot's own small facts (e.g. its Telegram username)."""

from __future__ import annotations

from aiosqlite import Connection

from bot.storage.sql import fetch_one


class Meta:
    @staticmethod
    async def get(conn: Connection, key: str) -> str | None:
        row = await fetch_one(conn, "SELECT value FROM bot_meta WHERE key = ?", (key,))
        return row["value"] if row else None

    @staticmethod
    async def put(conn: Connection, key: str, value: str) -> None:
        await conn.execute(
            "INSERT INTO bot_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
