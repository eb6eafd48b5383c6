"""Communes (and provinces, the unit a provincial officer belongs to) and a commune's reminder and
alert settings."""

from __future__ import annotations

from datetime import datetime

from aiosqlite import Connection

from bot.clock import to_db
from bot.models import Commune, CommuneSettings
from bot.storage.sql import fetch_all, fetch_one
from bot.textnorm import fold

COMMUNE = "commune"
PROVINCE = "province"


class Communes:
    @staticmethod
    async def get_or_create(conn: Connection, name: str, now: datetime, *, kind: str = COMMUNE) -> Commune:
        """The commune (or, with ``kind=PROVINCE``, the province) of this name, created if new.
        Raises ValueError when the name belongs to a unit of the other kind."""
        name = " ".join(name.split())
        row = await fetch_one(conn, "SELECT id, name, kind FROM communes WHERE name_folded = ?", (fold(name),))
        if row:
            if row["kind"] != kind:
                raise ValueError(f"{row['name']!r} is a {row['kind']}, not a {kind}")
            return Commune(row["id"], row["name"])
        cur = await conn.execute(
            "INSERT INTO communes (name, name_folded, created_at, kind) VALUES (?, ?, ?, ?)",
            (name, fold(name), to_db(now), kind),
        )
        return Commune(cur.lastrowid, name)

    @staticmethod
    async def get(conn: Connection, commune_id: int) -> Commune | None:
        """A commune or a province, by id (a person's unit)."""
        row = await fetch_one(conn, "SELECT id, name FROM communes WHERE id = ?", (commune_id,))
        return Commune(row["id"], row["name"]) if row else None

    @staticmethod
    async def find(conn: Connection, name: str, *, kind: str = COMMUNE) -> Commune | None:
        row = await fetch_one(conn, "SELECT id, name FROM communes WHERE name_folded = ? AND kind = ?",
                              (fold(name), kind))
        return Commune(row["id"], row["name"]) if row else None

    @staticmethod
    async def all(conn: Connection) -> list[Commune]:
        """Every commune (never a province)."""
        return [Commune(r["id"], r["name"]) for r in await fetch_all(
            conn, "SELECT id, name FROM communes WHERE kind = 'commune' ORDER BY id")]

    @staticmethod
    async def in_province(conn: Connection, province_id: int) -> list[Commune]:
        return [Commune(r["id"], r["name"]) for r in await fetch_all(
            conn, "SELECT id, name FROM communes WHERE kind = 'commune' AND province_id = ? ORDER BY id",
            (province_id,))]

    @staticmethod
    async def province_of(conn: Connection, commune_id: int) -> Commune | None:
        row = await fetch_one(conn, "SELECT p.id, p.name FROM communes c JOIN communes p ON p.id = c.province_id "
                                    "WHERE c.id = ?", (commune_id,))
        return Commune(row["id"], row["name"]) if row else None

    @staticmethod
    async def attach(conn: Connection, commune_id: int, province_id: int) -> None:
        await conn.execute("UPDATE communes SET province_id = ? WHERE id = ?", (province_id, commune_id))

    @staticmethod
    async def settings(conn: Connection, commune_id: int) -> CommuneSettings:
        row = await fetch_one(conn, "SELECT * FROM communes WHERE id = ?", (commune_id,))
        return CommuneSettings(row["quiet_start"], row["quiet_end"], bool(row["urgent_bypasses_quiet"]),
                               row["escalate_after_minutes"], row["missed_grace_days"], row["digest_threshold"])

    @staticmethod
    async def update_settings(conn: Connection, commune_id: int, **values) -> None:
        """``values`` named as the fields of :class:`CommuneSettings` (booleans as booleans)."""
        allowed = {"quiet_start", "quiet_end", "urgent_bypasses_quiet", "escalate_after_minutes", "rollcall_by_bot",
                   "rollcall_days",
                   "missed_grace_days", "digest_threshold"}
        if not values or set(values) - allowed:
            raise ValueError(f"unknown commune settings: {sorted(set(values) - allowed)}")
        await conn.execute(f"UPDATE communes SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                           (*(int(v) if isinstance(v, bool) else v for v in values.values()), commune_id))

    @staticmethod
    async def rollcall_by_bot(conn: Connection, commune_id: int) -> int:
        """0 when the commune does the roll call in person; else how many first days of the month
        the person may do it through the bot (at most 5)."""
        row = await fetch_one(conn, "SELECT rollcall_by_bot, rollcall_days FROM communes WHERE id = ?", (commune_id,))
        return min(5, row["rollcall_days"]) if row and row["rollcall_by_bot"] else 0
