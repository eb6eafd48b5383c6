"""Family members linked to a person, and what is shared with them."""

from __future__ import annotations

from datetime import datetime
import json

from aiosqlite import Connection

from bot.clock import to_db
from bot.storage.sql import fetch_all


class FamilyLinks:
    @staticmethod
    async def add(conn: Connection, family_id: int, person_id: int, now: datetime) -> None:
        await conn.execute(
            "INSERT OR IGNORE INTO family_links (family_id, person_id, created_at) VALUES (?, ?, ?)",
            (family_id, person_id, to_db(now)),
        )

    @staticmethod
    async def of_family(conn: Connection, family_id: int) -> list[tuple[int, list[str]]]:
        rows = await fetch_all(conn, "SELECT person_id, shares FROM family_links WHERE family_id = ?", (family_id,))
        return [(r["person_id"], json.loads(r["shares"])) for r in rows]

    @staticmethod
    async def of_person(conn: Connection, person_id: int) -> list[tuple[int, list[str]]]:
        rows = await fetch_all(conn, "SELECT family_id, shares FROM family_links WHERE person_id = ?", (person_id,))
        return [(r["family_id"], json.loads(r["shares"])) for r in rows]

    @staticmethod
    async def set_shares(conn: Connection, person_id: int, shares: list[str]) -> None:
        await conn.execute("UPDATE family_links SET shares = ? WHERE person_id = ?", (json.dumps(shares), person_id))
