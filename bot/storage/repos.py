"""Repositories: all the SQL of the bot, one class per aggregate, returning dataclasses.

Each method takes the connection it runs on; transactions are opened by the service that owns
the use case (``async with db.transaction() as tx``), never here.
"""

from __future__ import annotations

import json
from datetime import datetime
from dataclasses import dataclass
from typing import Any

from aiosqlite import Connection, Row

from bot.clock import from_db, to_db
from bot.models import Commune, CommuneSettings, Identity, Invite, Messenger, Person, Role
from bot.textnorm import fold


async def fetch_one(conn: Connection, sql: str, params: tuple = ()) -> Row | None:
    rows = await conn.execute_fetchall(sql, params)  # one round trip to SQLite's thread, not three
    return rows[0] if rows else None


async def fetch_all(conn: Connection, sql: str, params: tuple = ()) -> list[Row]:
    return list(await conn.execute_fetchall(sql, params))


async def fetch_for_ids(conn: Connection, sql: str, ids: list[int], before: tuple = (), chunk: int = 500) -> list[Row]:
    """Run ``sql`` (whose ``{ids}`` stands for ``?, ?, …``) for ``ids`` in chunks (SQLite caps the
    number of parameters), ``before`` being the parameters that come first."""
    rows: list[Row] = []
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        rows += await fetch_all(conn, sql.format(ids=",".join("?" * len(part))), (*before, *part))
    return rows


class Communes:
    @staticmethod
    async def get_or_create(conn: Connection, name: str, now: datetime) -> Commune:
        name = " ".join(name.split())
        row = await fetch_one(conn, "SELECT id, name FROM communes WHERE name_folded = ?", (fold(name),))
        if row:
            return Commune(row["id"], row["name"])
        cur = await conn.execute(
            "INSERT INTO communes (name, name_folded, created_at) VALUES (?, ?, ?)",
            (name, fold(name), to_db(now)),
        )
        return Commune(cur.lastrowid, name)

    @staticmethod
    async def get(conn: Connection, commune_id: int) -> Commune | None:
        row = await fetch_one(conn, "SELECT id, name FROM communes WHERE id = ?", (commune_id,))
        return Commune(row["id"], row["name"]) if row else None

    @staticmethod
    async def find(conn: Connection, name: str) -> Commune | None:
        row = await fetch_one(conn, "SELECT id, name FROM communes WHERE name_folded = ?", (fold(name),))
        return Commune(row["id"], row["name"]) if row else None

    @staticmethod
    async def all(conn: Connection) -> list[Commune]:
        return [Commune(r["id"], r["name"]) for r in await fetch_all(conn, "SELECT id, name FROM communes ORDER BY id")]

    @staticmethod
    async def settings(conn: Connection, commune_id: int) -> CommuneSettings:
        row = await fetch_one(conn, "SELECT * FROM communes WHERE id = ?", (commune_id,))
        return CommuneSettings(row["quiet_start"], row["quiet_end"], bool(row["urgent_bypasses_quiet"]),
                               row["escalate_after_minutes"], row["missed_grace_days"], row["digest_threshold"])

    @staticmethod
    async def update_settings(conn: Connection, commune_id: int, **values) -> None:
        allowed = {"quiet_start", "quiet_end", "urgent_bypasses_quiet", "escalate_after_minutes",
                   "missed_grace_days", "digest_threshold"}
        if not values or set(values) - allowed:
            raise ValueError(f"unknown commune settings: {sorted(set(values) - allowed)}")
        await conn.execute(f"UPDATE communes SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                           (*values.values(), commune_id))


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
        allowed = {"is_head", "reminders", "unreachable_at", "consent_at"}
        if not flags or set(flags) - allowed:
            raise ValueError(f"unknown flags: {sorted(set(flags) - allowed)}")
        await conn.execute(f"UPDATE people SET {', '.join(f'{k} = ?' for k in flags)} WHERE id = ?",
                           (*flags.values(), person_id))

    @staticmethod
    async def set_locale(conn: Connection, person_id: int, locale: str) -> None:
        await conn.execute("UPDATE people SET locale = ? WHERE id = ?", (locale, person_id))

    @staticmethod
    async def in_commune(conn: Connection, commune_id: int, role: Role) -> list[Person]:
        rows = await fetch_all(
            conn,
            "SELECT * FROM people WHERE commune_id = ? AND role = ? AND active = 1 ORDER BY id",
            (commune_id, role.value),
        )
        return [_person(r) for r in rows]


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


class Audit:
    @staticmethod
    async def record(
        conn: Connection,
        *,
        now: datetime,
        actor_id: int | None,
        action: str,
        subject_id: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        await conn.execute(
            "INSERT INTO audit_log (at, actor_id, action, subject_id, detail) VALUES (?, ?, ?, ?, ?)",
            (to_db(now), actor_id, action, subject_id, json.dumps(detail or {}, ensure_ascii=False)),
        )



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


class Dialogs:
    """Each conversation's state and draft, for every messenger (keyed by messenger and chat)."""

    @staticmethod
    async def get(conn: Connection, channel: str, chat_key: str) -> tuple[str | None, dict]:
        row = await fetch_one(conn, "SELECT state, data FROM dialogs WHERE channel = ? AND chat_key = ?", (channel, chat_key))
        if not row:
            return None, {}
        return row["state"], json.loads(row["data"])

    @staticmethod
    async def expire_strangers(conn: Connection, before: datetime) -> int:
        """Forget idle conversations of people with no role (strangers who wrote once)."""
        cursor = await conn.execute(
            """DELETE FROM dialogs WHERE updated_at < ? AND NOT EXISTS (
                   SELECT 1 FROM identities i JOIN people p ON p.id = i.person_id
                   WHERE i.messenger = dialogs.channel AND i.chat_id = dialogs.chat_key)""",
            (to_db(before),))
        return cursor.rowcount


@dataclass(frozen=True)
class OutboxItem:
    id: int
    person_id: int | None
    messenger: str | None  # with chat_id: a group chat
    chat_id: str | None
    kind: str
    params: dict
    attempts: int
    alert_id: int | None
    urgent: bool = False
    created_at: datetime | None = None


def _outbox(r: Row) -> OutboxItem:
    return OutboxItem(r["id"], r["person_id"], r["messenger"], r["chat_id"], r["kind"], json.loads(r["params"]),
                      r["attempts"], r["alert_id"], bool(r["urgent"]), from_db(r["created_at"]))


class Outbox:
    queued = 0  # rows this process has inserted: lets the sender skip a poll when a turn queued nothing

    @staticmethod
    async def health(conn: Connection, failed_since: datetime) -> tuple[int, str | None, int]:
        """(messages waiting, when the oldest was queued, messages given up since ``failed_since``)."""
        row = await fetch_one(conn, """
            SELECT (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL) AS n,
                   (SELECT MIN(created_at) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL) AS oldest,
                   (SELECT COUNT(*) FROM outbox WHERE failed_at > ?) AS failed""", (to_db(failed_since),))
        return int(row["n"]), row["oldest"], int(row["failed"])

    @staticmethod
    async def add(conn: Connection, *, kind: str, params: dict, now: datetime, person_id: int | None = None,
                  messenger: str | None = None, chat_id: str | None = None, not_before: datetime | None = None,
                  dedupe_key: str | None = None, urgent: bool = False, alert_id: int | None = None) -> bool:
        """Queue a message; False when ``dedupe_key`` was queued before (nothing is queued twice)."""
        cur = await conn.execute(
            """INSERT OR IGNORE INTO outbox (person_id, messenger, chat_id, kind, params, dedupe_key, not_before,
                                             created_at, urgent, alert_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (person_id, messenger, chat_id, kind, json.dumps(params, ensure_ascii=False), dedupe_key,
             to_db(not_before or now), to_db(now), int(urgent), alert_id),
        )
        Outbox.queued += cur.rowcount
        return cur.rowcount == 1

    @staticmethod
    async def keys_since(conn: Connection, since: datetime) -> set[str]:
        async with conn.execute("SELECT dedupe_key FROM outbox WHERE dedupe_key IS NOT NULL AND created_at >= ?",
                                (to_db(since),)) as cur:
            cur.row_factory = None
            return {key for (key,) in await cur.fetchall()}

    @staticmethod
    async def add_many(conn: Connection, rows: list[tuple[int, str, dict, str, datetime]], now: datetime) -> int:
        """Queue many messages at once: (person_id, kind, params, dedupe_key, not_before). Returns how many
        were new (a key queued before is skipped)."""
        if not rows:
            return 0
        before = conn.total_changes
        await conn.executemany(
            """INSERT OR IGNORE INTO outbox (person_id, kind, params, dedupe_key, not_before, created_at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [(p, k, json.dumps(params, ensure_ascii=False), key, to_db(nb), to_db(now)) for p, k, params, key, nb in rows],
        )
        Outbox.queued += conn.total_changes - before
        return conn.total_changes - before

    @staticmethod
    async def due(conn: Connection, now: datetime, limit: int = 200, stale_claim: datetime | None = None) -> list[OutboxItem]:
        rows = await fetch_all(
            conn,
            """SELECT * FROM outbox
               WHERE sent_at IS NULL AND failed_at IS NULL AND not_before <= ?
                 AND (claimed_at IS NULL OR claimed_at < ?)
               ORDER BY urgent DESC, not_before, id LIMIT ?""",
            (to_db(now), to_db(stale_claim or now), limit),
        )
        return [_outbox(r) for r in rows]

    @staticmethod
    async def release_claims(conn: Connection) -> int:
        """At start-up: what a killed process had claimed but not sent is due again."""
        cur = await conn.execute("UPDATE outbox SET claimed_at = NULL WHERE claimed_at IS NOT NULL AND sent_at IS NULL "
                                 "AND failed_at IS NULL")
        return cur.rowcount

    @staticmethod
    async def claim(conn: Connection, item_id: int, now: datetime, stale_claim: datetime) -> bool:
        cur = await conn.execute(
            """UPDATE outbox SET claimed_at = ?, attempts = attempts + 1
               WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL AND (claimed_at IS NULL OR claimed_at < ?)""",
            (to_db(now), item_id, to_db(stale_claim)),
        )
        return cur.rowcount == 1

    @staticmethod
    async def sent(conn: Connection, item_id: int, now: datetime) -> None:
        await conn.execute("UPDATE outbox SET sent_at = ? WHERE id = ?", (to_db(now), item_id))

    @staticmethod
    async def retry_later(conn: Connection, item_id: int, error: str, not_before: datetime) -> None:
        await conn.execute(
            "UPDATE outbox SET claimed_at = NULL, last_error = ?, not_before = ? WHERE id = ?",
            (error[:200], to_db(not_before), item_id),
        )

    @staticmethod
    async def give_up(conn: Connection, item_id: int, error: str, now: datetime) -> None:
        await conn.execute("UPDATE outbox SET failed_at = ?, last_error = ? WHERE id = ?",
                           (to_db(now), error[:200], item_id))

    @staticmethod
    async def counts(conn: Connection) -> dict[str, int]:
        row = await fetch_one(
            conn,
            """SELECT SUM(sent_at IS NOT NULL) AS sent, SUM(failed_at IS NOT NULL) AS failed,
                      SUM(sent_at IS NULL AND failed_at IS NULL) AS pending FROM outbox""",
        )
        return {k: row[k] or 0 for k in ("sent", "failed", "pending")}


class AlertMessages:
    """Where an alert was shown, so a claim can update every officer's copy."""

    @staticmethod
    async def add(conn: Connection, alert_id: int, messenger: str, chat_id: str, message_id: str) -> None:
        await conn.execute(
            "INSERT OR IGNORE INTO alert_messages (alert_id, messenger, chat_id, message_id) VALUES (?, ?, ?, ?)",
            (alert_id, messenger, chat_id, message_id),
        )

    @staticmethod
    async def of_alert(conn: Connection, alert_id: int) -> list[tuple[str, str, str]]:
        rows = await fetch_all(conn, "SELECT messenger, chat_id, message_id FROM alert_messages WHERE alert_id = ?",
                               (alert_id,))
        return [(r["messenger"], r["chat_id"], r["message_id"]) for r in rows]


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


class Marks:
    """Keys of reminders already given (for digests that name several people)."""

    @staticmethod
    async def add(conn: Connection, key: str, now: datetime) -> bool:
        cur = await conn.execute("INSERT OR IGNORE INTO reminder_marks (key, at) VALUES (?, ?)", (key, to_db(now)))
        return cur.rowcount == 1
