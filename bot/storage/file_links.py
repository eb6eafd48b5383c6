"""Files offered by a single-use link where the messenger cannot carry them (15 minutes)."""

from __future__ import annotations

from datetime import datetime

from aiosqlite import Connection

from bot.clock import to_db
from bot.storage.sql import fetch_one


class FileLinks:
    @staticmethod
    async def add(conn: Connection, token_hash: str, filename: str, mime: str, content: bytes,
                  expires_at: datetime) -> None:
        await conn.execute("INSERT INTO file_links (token_hash, filename, mime, content, expires_at) "
                           "VALUES (?, ?, ?, ?, ?)", (token_hash, filename, mime, content, to_db(expires_at)))

    @staticmethod
    async def take(conn: Connection, token_hash: str, now: datetime) -> tuple[str, str, bytes] | None:
        """The file, once (run in a transaction): a used or expired link gives None; a used one
        keeps no content."""
        row = await fetch_one(conn, "SELECT filename, mime, content FROM file_links WHERE token_hash = ? "
                                    "AND used_at IS NULL AND expires_at > ?", (token_hash, to_db(now)))
        if row is None:
            return None
        await conn.execute("UPDATE file_links SET used_at = ?, content = X'' WHERE token_hash = ?",
                           (to_db(now), token_hash))
        return row["filename"], row["mime"], bytes(row["content"])

    @staticmethod
    async def prune(conn: Connection, now: datetime) -> None:
        await conn.execute("DELETE FROM file_links WHERE expires_at <= ? OR used_at IS NOT NULL", (to_db(now),))
