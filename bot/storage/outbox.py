"""The outbox: messages the bot sends on its own, claimed, sent, retried or given up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import json

from aiosqlite import Connection, Row

from bot.clock import from_db, to_db
from bot.storage.sql import fetch_all, fetch_one


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
    @staticmethod
    def _count(conn: Connection, rows: int) -> None:
        """Tell the transaction it queued messages (counted for the sender only once committed)."""
        conn.queued_messages = getattr(conn, "queued_messages", 0) + rows

    @staticmethod
    async def health(conn: Connection, failed_since: datetime) -> tuple[int, datetime | None, int]:
        """(messages waiting, when the oldest was queued, messages given up since ``failed_since``)."""
        row = await fetch_one(conn, """
            SELECT (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL) AS n,
                   (SELECT MIN(created_at) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL) AS oldest,
                   (SELECT COUNT(*) FROM outbox WHERE failed_at > ?) AS failed""", (to_db(failed_since),))
        return int(row["n"]), from_db(row["oldest"]) if row["oldest"] else None, int(row["failed"])

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
        Outbox._count(conn, cur.rowcount)
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
        Outbox._count(conn, conn.total_changes - before)
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

    @staticmethod
    async def forget_texts(conn: Connection, before: datetime) -> int:
        """Drop the text of messages sent (or given up) and created before ``before``; the row stays
        (kind, times, delivery, the dedupe key reminders rely on)."""
        cursor = await conn.execute("UPDATE outbox SET params = '{}' WHERE created_at < ? AND params != '{}' AND "
                                    "(sent_at IS NOT NULL OR failed_at IS NOT NULL)", (to_db(before),))
        return cursor.rowcount
