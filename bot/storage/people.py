"""People: everyone the bot knows, with their role and commune."""

from __future__ import annotations

from datetime import datetime

from aiosqlite import Connection, Row

from bot.clock import to_db
from bot.models import Person, Role
from bot.storage.sql import fetch_all, fetch_one


def _person(row: Row) -> Person:
    return Person(
        id=row["id"],
        commune_id=row["commune_id"],
        role=Role(row["role"]),
        full_name=row["full_name"],
        locale=row["locale"],
        active=bool(row["active"]),
        is_head=bool(row["is_head"]),
        reminders=bool(row["reminders"]) and row["consent_at"] is not None,
        unreachable=row["unreachable_at"] is not None,
    )


class People:
    @staticmethod
    async def move(conn: Connection, person_id: int, commune_id: int) -> None:
        """The person now belongs to another commune (a transfer of their record)."""
        await conn.execute("UPDATE people SET commune_id = ? WHERE id = ?", (commune_id, person_id))

    @staticmethod
    async def add(
        conn: Connection, *, commune_id: int, role: Role, full_name: str, locale: str | None, now: datetime
    ) -> Person:
        cur = await conn.execute(
            "INSERT INTO people (commune_id, role, full_name, locale, created_at) VALUES (?, ?, ?, ?, ?)",
            (commune_id, role.value, full_name, locale, to_db(now)),
        )
        return Person(cur.lastrowid, commune_id, role, full_name, locale, True)

    @staticmethod
    async def get(conn: Connection, person_id: int) -> Person | None:
        row = await fetch_one(conn, "SELECT * FROM people WHERE id = ?", (person_id,))
        return _person(row) if row else None

    @staticmethod
    async def set_flags(conn: Connection, person_id: int, **flags) -> None:
        """``is_head``/``reminders`` as booleans, ``unreachable_at``/``consent_at`` as instants (or None)."""
        allowed = {"is_head", "reminders", "unreachable_at", "consent_at", "active", "deactivated_at"}
        if not flags or set(flags) - allowed:
            raise ValueError(f"unknown flags: {sorted(set(flags) - allowed)}")
        await conn.execute(f"UPDATE people SET {', '.join(f'{k} = ?' for k in flags)} WHERE id = ?",
                           (*(_stored(v) for v in flags.values()), person_id))

    @staticmethod
    async def set_name(conn: Connection, person_id: int, name: str) -> None:
        await conn.execute("UPDATE people SET full_name = ? WHERE id = ?", (name, person_id))

    @staticmethod
    async def set_locale(conn: Connection, person_id: int, locale: str) -> None:
        await conn.execute("UPDATE people SET locale = ? WHERE id = ?", (locale, person_id))

    @staticmethod
    async def deactivate(conn: Connection, person_id: int, now: datetime) -> None:
        """The person no longer uses the bot (their record, if any, stays)."""
        await conn.execute("UPDATE people SET active = 0, is_head = 0, deactivated_at = ? WHERE id = ?",
                           (to_db(now), person_id))

    @staticmethod
    async def with_access(conn: Connection, commune_id: int) -> list[tuple[Person, int]]:
        """Everyone of the commune who may use the bot, with how many messenger accounts they have."""
        rows = await fetch_all(conn, "SELECT p.*, (SELECT count(*) FROM identities i WHERE i.person_id = p.id) AS "
                                     "accounts FROM people p WHERE p.commune_id = ? AND p.active = 1 AND EXISTS "
                                     "(SELECT 1 FROM identities i WHERE i.person_id = p.id) ORDER BY p.role, p.full_name",
                               (commune_id,))
        return [(_person(r), r["accounts"]) for r in rows]

    @staticmethod
    async def in_commune(conn: Connection, commune_id: int, role: Role) -> list[Person]:
        rows = await fetch_all(
            conn,
            "SELECT * FROM people WHERE commune_id = ? AND role = ? AND active = 1 ORDER BY id",
            (commune_id, role.value),
        )
        return [_person(r) for r in rows]


def _stored(value):
    """A flag as the people table stores it."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return to_db(value)
    return value
