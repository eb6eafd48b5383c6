"""SQL for supervision: records, assignments, check-ins, assessments, self-reports, cadence, alerts."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import NamedTuple

from aiosqlite import Connection, Row

from bot.clock import from_db, to_db
from bot.models import (
    Alert,
    AlertReason,
    Assessment,
    Category,
    Checkin,
    CloseReason,
    Contact,
    PenaltyType,
    Record,
    SelfReport,
    Status,
    Supplementary,
    SupplementaryKind,
)
from bot.storage.repos import fetch_all, fetch_one
from bot.textnorm import fold


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


RECORD_FIELDS = (
    "date_of_birth", "village", "category", "penalty_type", "penalty_months", "release_date",
    "probation_start", "probation_end", "family_name", "family_relation", "family_phone", "note",
    "cadence_rule",
)
_RECORD_SELECT = """
    SELECT r.*, p.full_name, p.commune_id FROM records r JOIN people p ON p.id = r.person_id
"""


def _record(row: Row, supplementary: tuple[Supplementary, ...] = ()) -> Record:
    return Record(
        person_id=row["person_id"],
        commune_id=row["commune_id"],
        full_name=row["full_name"],
        date_of_birth=_d(row["date_of_birth"]),
        village=row["village"],
        category=Category(row["category"]),
        penalty_type=PenaltyType(row["penalty_type"]),
        penalty_months=row["penalty_months"],
        release_date=_d(row["release_date"]),
        probation_start=_d(row["probation_start"]),
        probation_end=_d(row["probation_end"]),
        family_name=row["family_name"],
        family_relation=row["family_relation"],
        family_phone=row["family_phone"],
        note=row["note"],
        cadence_rule=row["cadence_rule"],
        enrolled_on=_d(row["enrolled_on"]),
        closed_on=_d(row["closed_on"]),
        closed_reason=CloseReason(row["closed_reason"]) if row["closed_reason"] else None,
        supplementary=supplementary,
        last_contact=_d(row["last_contact_on"]),
    )


def db_value(value):
    """Python values to what the records table stores."""
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


class Records:
    @staticmethod
    async def add(conn: Connection, *, person_id: int, full_name: str, fields: dict, enrolled_on: date,
                  created_by: int | None, now: datetime) -> None:
        columns = ["person_id", "name_folded", "enrolled_on", "created_by", "updated_at", *RECORD_FIELDS]
        values = [person_id, fold(full_name), enrolled_on.isoformat(), created_by, to_db(now),
                  *(db_value(fields.get(f)) if fields.get(f) is not None else _default(f) for f in RECORD_FIELDS)]
        await conn.execute(
            f"INSERT INTO records ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})", values
        )

    @staticmethod
    async def find_natural(conn: Connection, full_name: str, date_of_birth: date, village: str) -> int | None:
        row = await fetch_one(
            conn, "SELECT person_id FROM records WHERE name_folded = ? AND date_of_birth = ? AND village = ?",
            (fold(full_name), date_of_birth.isoformat(), village),
        )
        return row["person_id"] if row else None

    @staticmethod
    async def get(conn: Connection, person_id: int) -> Record | None:
        row = await fetch_one(conn, _RECORD_SELECT + " WHERE r.person_id = ?", (person_id,))
        if row is None:
            return None
        return _record(row, await Supplementaries.of(conn, person_id))

    @staticmethod
    async def in_commune(conn: Connection, commune_id: int, *, include_closed: bool = False) -> list[Record]:
        where = " WHERE p.commune_id = ?" + ("" if include_closed else " AND r.closed_on IS NULL")
        rows = await fetch_all(conn, _RECORD_SELECT + where + " ORDER BY r.name_folded", (commune_id,))
        return [_record(r) for r in rows]

    @staticmethod
    async def of_supervisor(conn: Connection, supervisor_id: int) -> list[Record]:
        rows = await fetch_all(
            conn,
            _RECORD_SELECT + """
            JOIN assignments a ON a.person_id = r.person_id AND a.ended_at IS NULL
            WHERE a.supervisor_id = ? AND r.closed_on IS NULL ORDER BY r.name_folded
            """,
            (supervisor_id,),
        )
        return [_record(r) for r in rows]

    @staticmethod
    async def update(conn: Connection, person_id: int, fields: dict, now: datetime) -> None:
        allowed = {k: v for k, v in fields.items() if k in RECORD_FIELDS + ("closed_on", "closed_reason", "closed_note")}
        if not allowed:
            return
        assignments = ", ".join(f"{k} = ?" for k in allowed)
        await conn.execute(
            f"UPDATE records SET {assignments}, updated_at = ? WHERE person_id = ?",
            (*(db_value(v) for v in allowed.values()), to_db(now), person_id),
        )

    @staticmethod
    async def rename(conn: Connection, person_id: int, full_name: str) -> None:
        await conn.execute("UPDATE people SET full_name = ? WHERE id = ?", (full_name, person_id))
        await conn.execute("UPDATE records SET name_folded = ? WHERE person_id = ?", (fold(full_name), person_id))


def _default(field: str):
    return "" if field in ("family_name", "family_relation", "family_phone", "note", "village") else None


class Supplementaries:
    @staticmethod
    async def of(conn: Connection, person_id: int) -> tuple[Supplementary, ...]:
        rows = await fetch_all(conn, "SELECT kind, ends_on FROM supplementary_penalties WHERE person_id = ? ORDER BY id",
                          (person_id,))
        return tuple(Supplementary(SupplementaryKind(r["kind"]), _d(r["ends_on"])) for r in rows)

    @staticmethod
    async def replace(conn: Connection, person_id: int, items: list[Supplementary]) -> None:
        await conn.execute("DELETE FROM supplementary_penalties WHERE person_id = ?", (person_id,))
        await conn.executemany(
            "INSERT INTO supplementary_penalties (person_id, kind, ends_on) VALUES (?, ?, ?)",
            [(person_id, s.kind.value, _iso(s.ends_on)) for s in items],
        )


class RecordChanges:
    @staticmethod
    async def add(conn: Connection, *, person_id: int, actor_id: int | None, reason: str, changes: dict,
                  now: datetime) -> None:
        await conn.execute(
            "INSERT INTO record_changes (person_id, at, actor_id, reason, changes) VALUES (?, ?, ?, ?, ?)",
            (person_id, to_db(now), actor_id, reason, json.dumps(changes, ensure_ascii=False, default=str)),
        )

    @staticmethod
    async def of(conn: Connection, person_id: int) -> list[dict]:
        rows = await fetch_all(conn, "SELECT at, actor_id, reason, changes FROM record_changes WHERE person_id = ? ORDER BY id",
                          (person_id,))
        return [{"at": from_db(r["at"]), "actor_id": r["actor_id"], "reason": r["reason"],
                 "changes": json.loads(r["changes"])} for r in rows]


class Assignments:
    @staticmethod
    async def current(conn: Connection, person_id: int) -> int | None:
        row = await fetch_one(conn, "SELECT supervisor_id FROM assignments WHERE person_id = ? AND ended_at IS NULL",
                         (person_id,))
        return row["supervisor_id"] if row else None

    @staticmethod
    async def assign(conn: Connection, *, person_id: int, supervisor_id: int, assigned_by: int | None,
                     now: datetime) -> None:
        await conn.execute("UPDATE assignments SET ended_at = ? WHERE person_id = ? AND ended_at IS NULL",
                           (to_db(now), person_id))
        await conn.execute(
            "INSERT INTO assignments (person_id, supervisor_id, assigned_by, started_at) VALUES (?, ?, ?, ?)",
            (person_id, supervisor_id, assigned_by, to_db(now)),
        )

    @staticmethod
    async def end(conn: Connection, person_id: int, now: datetime) -> None:
        await conn.execute("UPDATE assignments SET ended_at = ? WHERE person_id = ? AND ended_at IS NULL",
                           (to_db(now), person_id))

    @staticmethod
    async def history(conn: Connection, person_id: int) -> list[tuple[int, datetime, datetime | None]]:
        rows = await fetch_all(conn, "SELECT supervisor_id, started_at, ended_at FROM assignments WHERE person_id = ? ORDER BY id",
                          (person_id,))
        return [(r["supervisor_id"], from_db(r["started_at"]), from_db(r["ended_at"]) if r["ended_at"] else None)
                for r in rows]

    @staticmethod
    async def supervisors_of_commune(conn: Connection, commune_id: int) -> dict[int, int]:
        """person_id → current supervisor_id, for the commune's open records."""
        rows = await fetch_all(
            conn,
            """SELECT a.person_id, a.supervisor_id FROM assignments a JOIN people p ON p.id = a.person_id
               WHERE p.commune_id = ? AND a.ended_at IS NULL""",
            (commune_id,),
        )
        return {r["person_id"]: r["supervisor_id"] for r in rows}


def _checkin(row: Row) -> Checkin:
    return Checkin(
        id=row["id"], person_id=row["person_id"], supervisor_id=row["supervisor_id"],
        contact=Contact(row["contact"]), status=Status(row["status"]), note=row["note"], photo=row["photo"],
        latitude=row["latitude"], longitude=row["longitude"], happened_on=_d(row["happened_on"]),
        created_at=from_db(row["created_at"]),
        withdrawn_at=from_db(row["withdrawn_at"]) if row["withdrawn_at"] else None,
    )


class Checkins:
    @staticmethod
    async def add(conn: Connection, *, client_key: str, person_id: int, supervisor_id: int, contact: Contact,
                  status: Status, note: str, photo: str | None, latitude: float | None, longitude: float | None,
                  happened_on: date, now: datetime) -> tuple[Checkin, bool]:
        """Insert once per ``client_key``; returns the check-in and whether it is new."""
        cur = await conn.execute(
            """
            INSERT OR IGNORE INTO checkins (client_key, person_id, supervisor_id, contact, status, note, photo,
                                            latitude, longitude, happened_on, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (client_key, person_id, supervisor_id, contact.value, status.value, note, photo, latitude, longitude,
             happened_on.isoformat(), to_db(now), to_db(now)),
        )
        row = await fetch_one(conn, "SELECT * FROM checkins WHERE client_key = ?", (client_key,))
        return _checkin(row), cur.rowcount == 1

    @staticmethod
    async def get(conn: Connection, checkin_id: int) -> Checkin | None:
        row = await fetch_one(conn, "SELECT * FROM checkins WHERE id = ?", (checkin_id,))
        return _checkin(row) if row else None

    @staticmethod
    async def of_person(conn: Connection, person_id: int, limit: int = 10) -> list[Checkin]:
        rows = await fetch_all(
            conn,
            "SELECT * FROM checkins WHERE person_id = ? AND withdrawn_at IS NULL ORDER BY happened_on DESC, id DESC LIMIT ?",
            (person_id, limit),
        )
        return [_checkin(r) for r in rows]

    @staticmethod
    async def by_supervisor_since(conn: Connection, supervisor_id: int, since: datetime) -> list[Checkin]:
        rows = await fetch_all(
            conn,
            """SELECT * FROM checkins WHERE supervisor_id = ? AND created_at >= ? AND withdrawn_at IS NULL
               ORDER BY created_at DESC""",
            (supervisor_id, to_db(since)),
        )
        return [_checkin(r) for r in rows]

    @staticmethod
    async def correct(conn: Connection, checkin_id: int, *, status: Status | None, note: str | None,
                      now: datetime) -> None:
        if status is not None:
            await conn.execute("UPDATE checkins SET status = ?, updated_at = ? WHERE id = ?",
                               (status.value, to_db(now), checkin_id))
        if note is not None:
            await conn.execute("UPDATE checkins SET note = ?, updated_at = ? WHERE id = ?",
                               (note, to_db(now), checkin_id))

    @staticmethod
    async def withdraw(conn: Connection, checkin_id: int, reason: str, now: datetime) -> None:
        await conn.execute(
            "UPDATE checkins SET withdrawn_at = ?, withdrawn_reason = ?, updated_at = ? WHERE id = ? AND withdrawn_at IS NULL",
            (to_db(now), reason, to_db(now), checkin_id),
        )


def _assessment(r: Row) -> Assessment:
    return Assessment(r["id"], r["person_id"], r["author_id"], r["period"], r["conduct"], r["work"], r["family"],
                      r["needs"], from_db(r["created_at"]))


class Assessments:
    @staticmethod
    async def put(conn: Connection, *, person_id: int, author_id: int, period: str, conduct: str, work: str,
                  family: str, needs: str, now: datetime) -> None:
        await conn.execute(
            """
            INSERT INTO assessments (person_id, author_id, period, conduct, work, family, needs, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (person_id, period) DO UPDATE SET author_id = excluded.author_id,
                conduct = excluded.conduct, work = excluded.work, family = excluded.family,
                needs = excluded.needs, created_at = excluded.created_at
            """,
            (person_id, author_id, period, conduct, work, family, needs, to_db(now)),
        )

    @staticmethod
    async def of_person(conn: Connection, person_id: int, limit: int = 6) -> list[Assessment]:
        rows = await fetch_all(conn, "SELECT * FROM assessments WHERE person_id = ? ORDER BY period DESC LIMIT ?",
                          (person_id, limit))
        return [_assessment(r) for r in rows]


class SelfReports:
    @staticmethod
    async def add(conn: Connection, *, person_id: int, wellbeing: str, work: str, help_needed: str,
                  now: datetime) -> int:
        cur = await conn.execute(
            "INSERT INTO self_reports (person_id, wellbeing, work, help_needed, created_at) VALUES (?, ?, ?, ?, ?)",
            (person_id, wellbeing, work, help_needed, to_db(now)),
        )
        return cur.lastrowid

    @staticmethod
    async def of_person(conn: Connection, person_id: int, limit: int = 3) -> list[SelfReport]:
        rows = await fetch_all(conn, "SELECT * FROM self_reports WHERE person_id = ? ORDER BY id DESC LIMIT ?",
                          (person_id, limit))
        return [SelfReport(r["id"], r["person_id"], r["wellbeing"], r["work"], r["help_needed"], from_db(r["created_at"]))
                for r in rows]


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


def _when(text: str | None) -> datetime | None:
    return from_db(text) if text else None


def _alert(r: Row) -> Alert:
    return Alert(r["id"], r["commune_id"], r["person_id"], AlertReason(r["reason"]), r["source"], r["state"],
                 from_db(r["created_at"]), r["claimed_by"], _when(r["claimed_at"]), _when(r["resolved_at"]), r["note"],
                 _when(r["snoozed_until"]), _when(r["escalated_at"]))


class Alerts:
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


class Appointments:
    @staticmethod
    async def add(conn: Connection, *, person_id: int, at: datetime, place: str, created_by: int,
                  now: datetime) -> int:
        cur = await conn.execute(
            "INSERT INTO appointments (person_id, at, place, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
            (person_id, to_db(at), place, created_by, to_db(now)),
        )
        return cur.lastrowid

    @staticmethod
    async def between(conn: Connection, commune_id: int, start: datetime, end: datetime
                      ) -> list[tuple[int, int, datetime, str]]:
        """(id, person_id, at, place) of a commune's appointments from ``start`` to ``end``."""
        rows = await fetch_all(
            conn,
            """SELECT a.id, a.person_id, a.at, a.place FROM appointments a JOIN people p ON p.id = a.person_id
               WHERE a.cancelled_at IS NULL AND a.at >= ? AND a.at < ? AND p.commune_id = ? ORDER BY a.at""",
            (to_db(start), to_db(end), commune_id),
        )
        return [(r["id"], r["person_id"], from_db(r["at"]), r["place"]) for r in rows]

    @staticmethod
    async def next_for(conn: Connection, person_id: int, now: datetime) -> tuple[datetime, str] | None:
        row = await fetch_one(
            conn,
            "SELECT at, place FROM appointments WHERE person_id = ? AND cancelled_at IS NULL AND at >= ? ORDER BY at",
            (person_id, to_db(now)),
        )
        return (from_db(row["at"]), row["place"]) if row else None


class TickRow(NamedTuple):
    """One open record as the reminder tick sees it (dates as ISO text, parsed only when used)."""
    person_id: int
    full_name: str
    village: str
    category: str
    cadence_rule: str | None
    enrolled_on: str
    probation_end: str | None
    release_date: str | None
    penalty_type: str
    penalty_months: int | None
    last_contact_on: str | None
    supervisor_id: int | None
    reachable: int  # linked to some messenger
    opted_in: int  # accepts optional reminders
    missed_open: int  # a missed check-in alert is open
    look_on: str  # when the tick meant to look again ('' = now)


class Schedule:
    """What the reminder tick reads and writes: the open records whose ``look_on`` has come (all of
    them with ``everyone``), and the next date to look at each (migration 0008 keeps both honest)."""

    @staticmethod
    async def communes_to_look_at(conn: Connection, today: date) -> set[int]:
        """The communes with someone to look at today (by the ``look_on`` index: instant when few)."""
        async with conn.execute(
            """SELECT DISTINCT p.commune_id FROM records r INDEXED BY records_look_on JOIN people p ON p.id = r.person_id
               WHERE r.look_on <= ? AND r.closed_on IS NULL""", (today.isoformat(),)) as cur:
            return {commune_id for (commune_id,) in await cur.fetchall()}

    @staticmethod
    async def to_look_at(conn: Connection, commune_id: int, today: date, *, everyone: bool = False) -> list[TickRow]:
        # Everyone: walk the commune's people. Otherwise walk the look_on index (the few whose day has
        # come) and keep the commune's; SQLite would rather walk the name index to skip the sort.
        records, where = (("records r", "p.commune_id = ?") if everyone else
                          ("records r INDEXED BY records_look_on", "r.look_on <= ? AND +p.commune_id = ?"))
        async with conn.execute(
            f"""SELECT r.person_id, p.full_name, r.village, r.category, r.cadence_rule, r.enrolled_on, r.probation_end,
                       r.release_date, r.penalty_type, r.penalty_months, r.last_contact_on, a.supervisor_id,
                       EXISTS (SELECT 1 FROM identities i WHERE i.person_id = r.person_id),
                       p.reminders = 1 AND p.consent_at IS NOT NULL AND p.unreachable_at IS NULL,
                       EXISTS (SELECT 1 FROM alerts al WHERE al.person_id = r.person_id
                               AND al.reason = 'missed_checkin' AND al.state <> 'resolved'),
                       r.look_on
                FROM {records} JOIN people p ON p.id = r.person_id
                LEFT JOIN assignments a ON a.person_id = r.person_id AND a.ended_at IS NULL
                WHERE {where} AND p.role = 'returnee' AND r.closed_on IS NULL""",
            (commune_id,) if everyone else (today.isoformat(), commune_id),
        ) as cur:
            cur.row_factory = None
            return [TickRow._make(row) for row in await cur.fetchall()]

    @staticmethod
    async def set_look_on(conn: Connection, looks: list[tuple[str, int]]) -> None:
        """(next date to look, person_id) pairs."""
        await conn.executemany("UPDATE records SET look_on = ? WHERE person_id = ?", looks)

    @staticmethod
    async def monthly_not_assessed(conn: Connection, commune_id: int, categories: list[str], period: str
                                   ) -> tuple[int, int]:
        """(open records of these categories, those of them without an assessment for ``period``)."""
        async with conn.execute(
            f"""SELECT COUNT(*), SUM(NOT EXISTS (SELECT 1 FROM assessments s
                                                WHERE s.person_id = r.person_id AND s.period = ?))
                FROM people p JOIN records r ON r.person_id = p.id
                WHERE p.commune_id = ? AND p.role = 'returnee' AND r.closed_on IS NULL
                  AND r.category IN ({",".join("?" * len(categories))})""",
            (period, commune_id, *categories),
        ) as cur:
            total, pending = await cur.fetchone()
            return total, pending or 0
