"""Alerts to commune police, and where each copy of an alert was sent (to update it)."""

from __future__ import annotations

from datetime import datetime

from aiosqlite import Connection, Row

from bot.clock import from_db, to_db
from bot.models import (
    Alert,
    AlertReason,
)
from bot.storage.sql import moment_or_none, fetch_all, fetch_one


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


def _alert(r: Row) -> Alert:
    return Alert(r["id"], r["commune_id"], r["person_id"], AlertReason(r["reason"]), r["source"], r["state"],
                 from_db(r["created_at"]), r["claimed_by"], moment_or_none(r["claimed_at"]), moment_or_none(r["resolved_at"]), r["note"],
                 moment_or_none(r["snoozed_until"]), moment_or_none(r["escalated_at"]))


class Alerts:
    @staticmethod
    async def move_open(conn: Connection, person_id: int, commune_id: int) -> None:
        """The person's unresolved alerts follow them to their new commune."""
        await conn.execute("UPDATE alerts SET commune_id = ? WHERE person_id = ? AND state <> 'resolved'",
                           (commune_id, person_id))

    @staticmethod
    async def get(conn: Connection, alert_id: int) -> Alert | None:
        row = await fetch_one(conn, "SELECT * FROM alerts WHERE id = ?", (alert_id,))
        return _alert(row) if row else None

    @staticmethod
    async def unresolved_in_commune(conn: Connection, commune_id: int) -> list[Alert]:
        rows = await fetch_all(conn, "SELECT * FROM alerts WHERE commune_id = ? AND state <> 'resolved' ORDER BY id",
                               (commune_id,))
        return [_alert(r) for r in rows]

    @staticmethod
    async def claim(conn: Connection, alert_id: int, by: int, now: datetime) -> bool:
        """Only one officer wins: the update applies only while nobody has claimed it."""
        cur = await conn.execute(
            """UPDATE alerts SET state = 'claimed', claimed_by = ?, claimed_at = ?, updated_at = ?
               WHERE id = ? AND state IN ('open', 'snoozed')""",
            (by, to_db(now), to_db(now), alert_id),
        )
        return cur.rowcount == 1

    @staticmethod
    async def resolve(conn: Connection, alert_id: int, by: int, note: str, now: datetime) -> None:
        await conn.execute(
            """UPDATE alerts SET state = 'resolved', resolved_by = ?, resolved_at = ?, note = ?, updated_at = ?,
                      claimed_by = COALESCE(claimed_by, ?), claimed_at = COALESCE(claimed_at, ?)
               WHERE id = ? AND state <> 'resolved'""",
            (by, to_db(now), note, to_db(now), by, to_db(now), alert_id),
        )

    @staticmethod
    async def snooze(conn: Connection, alert_id: int, by: int, reason: str, until: datetime, now: datetime) -> None:
        await conn.execute(
            """UPDATE alerts SET state = 'snoozed', snoozed_until = ?, note = ?, updated_at = ?,
                      claimed_by = COALESCE(claimed_by, ?)
               WHERE id = ? AND state <> 'resolved'""",
            (to_db(until), reason, to_db(now), by, alert_id),
        )

    @staticmethod
    async def snoozed_until_before(conn: Connection, now: datetime) -> list[Alert]:
        rows = await fetch_all(conn, "SELECT * FROM alerts WHERE state = 'snoozed' AND snoozed_until <= ?", (to_db(now),))
        return [_alert(r) for r in rows]

    @staticmethod
    async def reopen(conn: Connection, alert_id: int, now: datetime) -> None:
        """A snooze has ended: the alert is new again (unclaimed, to be shown and escalated anew)."""
        await conn.execute(
            """UPDATE alerts SET state = 'open', claimed_by = NULL, claimed_at = NULL, snoozed_until = NULL,
                      notified_at = NULL, escalated_at = NULL, created_at = ?, updated_at = ? WHERE id = ?""",
            (to_db(now), to_db(now), alert_id),
        )

    @staticmethod
    async def open_unescalated(conn: Connection) -> list[Alert]:
        rows = await fetch_all(conn, "SELECT * FROM alerts WHERE state = 'open' AND escalated_at IS NULL ORDER BY id")
        return [_alert(r) for r in rows]

    @staticmethod
    async def mark_escalated(conn: Connection, alert_id: int, now: datetime) -> None:
        await conn.execute("UPDATE alerts SET escalated_at = ? WHERE id = ?", (to_db(now), alert_id))

    @staticmethod
    async def mark_notified(conn: Connection, alert_id: int, now: datetime) -> None:
        await conn.execute("UPDATE alerts SET notified_at = ? WHERE id = ?", (to_db(now), alert_id))

    @staticmethod
    async def raise_(conn: Connection, *, commune_id: int, person_id: int | None, reason: AlertReason, source: str,
                     now: datetime) -> tuple[Alert, bool]:
        """Open an alert, unless one is already open for this person and reason."""
        cur = await conn.execute(
            """INSERT OR IGNORE INTO alerts (commune_id, person_id, reason, source, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (commune_id, person_id, reason.value, source, to_db(now), to_db(now)),
        )
        row = await fetch_one(
            conn, "SELECT * FROM alerts WHERE person_id IS ? AND reason = ? AND state <> 'resolved' ORDER BY id DESC",
            (person_id, reason.value),
        )
        return _alert(row), cur.rowcount == 1

    @staticmethod
    async def resolve_reason(conn: Connection, person_id: int, reason: AlertReason, now: datetime) -> None:
        await conn.execute(
            "UPDATE alerts SET state = 'resolved', updated_at = ? WHERE person_id = ? AND reason = ? AND state <> 'resolved'",
            (to_db(now), person_id, reason.value),
        )

    @staticmethod
    async def open_for_person(conn: Connection, person_id: int) -> list[Alert]:
        rows = await fetch_all(conn, "SELECT * FROM alerts WHERE person_id = ? AND state <> 'resolved' ORDER BY id",
                          (person_id,))
        return [_alert(r) for r in rows]

    @staticmethod
    async def of_commune(conn: Connection, commune_id: int) -> list[Alert]:
        rows = await fetch_all(conn, "SELECT * FROM alerts WHERE commune_id = ? ORDER BY id", (commune_id,))
        return [_alert(r) for r in rows]
