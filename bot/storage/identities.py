"""Messenger accounts: who writes from which chat, reachable or not."""

from __future__ import annotations

from datetime import datetime

from aiosqlite import Connection, Row

from bot.clock import to_db
from bot.models import Identity, Messenger, Person
from bot.storage.people import People, _person
from bot.storage.sql import fetch_all, fetch_one


def _identity(row: Row) -> Identity:
    return Identity(
        id=row["id"],
        messenger=Messenger(row["messenger"]),
        external_id=row["external_id"],
        chat_id=row["chat_id"],
        person_id=row["person_id"],
        locale=row["locale"],
        unreachable=row["unreachable_at"] is not None,
    )


class Identities:
    @staticmethod
    async def find_with_person(conn: Connection, messenger: Messenger, external_id: str
                               ) -> tuple[Identity | None, Person | None]:
        """Who writes: their identity and, when linked, the person — one query (every update asks)."""
        row = await fetch_one(
            conn,
            """SELECT p.*, i.id AS identity_id, i.messenger, i.external_id, i.chat_id, i.person_id,
                      i.locale AS identity_locale, i.unreachable_at AS identity_unreachable_at
               FROM identities i LEFT JOIN people p ON p.id = i.person_id
               WHERE i.messenger = ? AND i.external_id = ?""",
            (messenger.value, external_id),
        )
        if row is None:
            return None, None
        identity = Identity(id=row["identity_id"], messenger=Messenger(row["messenger"]),
                            external_id=row["external_id"], chat_id=row["chat_id"], person_id=row["person_id"],
                            locale=row["identity_locale"], unreachable=row["identity_unreachable_at"] is not None)
        return identity, (_person(row) if row["id"] is not None else None)

    @staticmethod
    async def set_reachable(conn: Connection, messenger: Messenger, external_id: str, reachable: bool,
                            now: datetime) -> int | None:
        """Mark one account (un)reachable; the person is unreachable only while every account is.
        Returns the person's id (None for someone with no role)."""
        rows = await conn.execute_fetchall(
            "UPDATE identities SET unreachable_at = ? WHERE messenger = ? AND external_id = ? RETURNING person_id",
            (None if reachable else to_db(now), messenger.value, external_id),
        )
        person_id = rows[0][0] if rows else None
        if person_id is not None:
            await conn.execute(
                """UPDATE people SET unreachable_at = CASE
                       WHEN EXISTS (SELECT 1 FROM identities WHERE person_id = ? AND unreachable_at IS NULL) THEN NULL
                       ELSE COALESCE(unreachable_at, ?) END
                   WHERE id = ?""",
                (person_id, to_db(now), person_id),
            )
        return person_id

    @staticmethod
    async def find(conn: Connection, messenger: Messenger, external_id: str) -> Identity | None:
        row = await fetch_one(
            conn,
            "SELECT * FROM identities WHERE messenger = ? AND external_id = ?",
            (messenger.value, external_id),
        )
        return _identity(row) if row else None

    @staticmethod
    async def upsert(
        conn: Connection,
        *,
        messenger: Messenger,
        external_id: str,
        chat_id: str,
        now: datetime,
        person_id: int | None = None,
        locale: str | None = None,
    ) -> Identity:
        """Create the identity, or update the fields given (``None`` keeps what is stored)."""
        await conn.execute(
            """
            INSERT INTO identities (messenger, external_id, chat_id, person_id, locale, created_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (messenger, external_id) DO UPDATE SET
                chat_id = excluded.chat_id,
                person_id = COALESCE(excluded.person_id, identities.person_id),
                locale = COALESCE(excluded.locale, identities.locale)
            """,
            (messenger.value, external_id, chat_id, person_id, locale, to_db(now)),
        )
        found = await Identities.find(conn, messenger, external_id)
        assert found is not None
        return found

    @staticmethod
    async def by_chat(conn: Connection, messenger: str, chat_id: str) -> tuple[Identity | None, Person | None]:
        """The identity writing from ``chat_id`` and its person (to render in that person's language)."""
        row = await fetch_one(conn, "SELECT * FROM identities WHERE messenger = ? AND chat_id = ?", (messenger, chat_id))
        if row is None:
            return None, None
        identity = _identity(row)
        person = await People.get(conn, identity.person_id) if identity.person_id else None
        return identity, person

    @staticmethod
    async def by_chat_id(conn: Connection, messenger: Messenger, chat_id: str) -> Identity | None:
        row = await fetch_one(conn, "SELECT * FROM identities WHERE messenger = ? AND chat_id = ?",
                              (messenger.value, chat_id))
        return _identity(row) if row else None

    @staticmethod
    async def of_person(conn: Connection, person_id: int) -> list[Identity]:
        rows = await fetch_all(conn, "SELECT * FROM identities WHERE person_id = ? ORDER BY id", (person_id,))
        return [_identity(r) for r in rows]

    @staticmethod
    async def unlink(conn: Connection, identity_id: int) -> None:
        """This messenger account no longer belongs to anyone: it gets a stranger's answers."""
        await conn.execute("DELETE FROM identities WHERE id = ?", (identity_id,))
