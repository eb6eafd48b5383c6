"""Invite codes (stored as hashes)."""

from __future__ import annotations

from datetime import datetime

from aiosqlite import Connection, Row

from bot.clock import from_db, to_db
from bot.models import Invite, Role
from bot.storage.sql import fetch_all, fetch_one


def _invite(row: Row) -> Invite:
    return Invite(
        id=row["id"],
        role=Role(row["role"]),
        commune_id=row["commune_id"],
        person_id=row["person_id"],
        full_name=row["full_name"],
        created_by=row["created_by"],
        created_at=from_db(row["created_at"]),
        expires_at=from_db(row["expires_at"]),
        used_at=from_db(row["used_at"]) if row["used_at"] else None,
        family_of=row["family_of"],
        cancelled=row["cancelled_at"] is not None,
    )


class Invites:
    @staticmethod
    async def add(
        conn: Connection,
        *,
        code_hash: str,
        role: Role,
        commune_id: int,
        full_name: str,
        created_by: int | None,
        person_id: int | None,
        now: datetime,
        expires_at: datetime,
        family_of: int | None = None,
    ) -> Invite:
        cur = await conn.execute(
            """
            INSERT INTO invites (code_hash, role, commune_id, person_id, full_name, created_by,
                                 created_at, expires_at, family_of)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (code_hash, role.value, commune_id, person_id, full_name, created_by, to_db(now), to_db(expires_at),
             family_of),
        )
        row = await fetch_one(conn, "SELECT * FROM invites WHERE id = ?", (cur.lastrowid,))
        return _invite(row)

    @staticmethod
    async def by_hash(conn: Connection, code_hash: str) -> Invite | None:
        row = await fetch_one(conn, "SELECT * FROM invites WHERE code_hash = ?", (code_hash,))
        return _invite(row) if row else None

    @staticmethod
    async def mark_used(conn: Connection, invite_id: int, person_id: int, now: datetime) -> bool:
        """Claim the invite; False when someone else used it first."""
        cur = await conn.execute(
            "UPDATE invites SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
            (to_db(now), person_id, invite_id),
        )
        return cur.rowcount == 1

    @staticmethod
    async def unused(conn: Connection, commune_id: int, now: datetime) -> list[Invite]:
        """The commune's codes nobody has used yet and still valid, newest first."""
        rows = await fetch_all(conn, "SELECT * FROM invites WHERE commune_id = ? AND used_at IS NULL AND cancelled_at "
                                     "IS NULL AND expires_at > ? ORDER BY id DESC", (commune_id, to_db(now)))
        return [_invite(r) for r in rows]

    @staticmethod
    async def cancel(conn: Connection, invite_id: int, commune_id: int, now: datetime) -> bool:
        """Cancel an unused code of this commune; False if it was used, cancelled or is not theirs."""
        cur = await conn.execute("UPDATE invites SET cancelled_at = ? WHERE id = ? AND commune_id = ? AND used_at IS "
                                 "NULL AND cancelled_at IS NULL", (to_db(now), invite_id, commune_id))
        return cur.rowcount == 1

    @staticmethod
    async def cancel_for_person(conn: Connection, person_id: int, now: datetime) -> None:
        """Cancel the unused codes that would let this person (back) in."""
        await conn.execute("UPDATE invites SET cancelled_at = ? WHERE person_id = ? AND used_at IS NULL AND "
                           "cancelled_at IS NULL", (to_db(now), person_id))
