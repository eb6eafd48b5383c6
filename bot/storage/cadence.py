"""Contact cadence rules per commune and category."""

from __future__ import annotations

from aiosqlite import Connection

from bot.storage.sql import fetch_all


class CadenceRules:
    @staticmethod
    async def seed(conn: Connection, defaults: dict[str, tuple[str, str]]) -> None:
        """Insert the default rule of each category that has none yet (an edited rule is kept)."""
        for category, (rule, source) in defaults.items():
            await conn.execute(
                """INSERT INTO cadence_rules (commune_id, category, rule, source)
                   SELECT NULL, ?, ?, ? WHERE NOT EXISTS
                   (SELECT 1 FROM cadence_rules WHERE commune_id IS NULL AND category = ?)""",
                (category, rule, source, category),
            )

    @staticmethod
    async def for_commune(conn: Connection, commune_id: int) -> dict[str, str]:
        """category → rule, the commune's own rule winning over the default."""
        rows = await fetch_all(
            conn,
            "SELECT category, rule, commune_id FROM cadence_rules WHERE commune_id IS NULL OR commune_id = ? "
            "ORDER BY commune_id IS NOT NULL",
            (commune_id,),
        )
        return {r["category"]: r["rule"] for r in rows}

    @staticmethod
    async def set_for_commune(conn: Connection, commune_id: int, category: str, rule: str) -> None:
        await conn.execute(
            """INSERT INTO cadence_rules (commune_id, category, rule, source) VALUES (?, ?, ?, 'commune')
               ON CONFLICT (COALESCE(commune_id, 0), category) DO UPDATE SET rule = excluded.rule""",
            (commune_id, category, rule),
        )
