"""The reminder schedule: what the tick reads (each person's next look) and the reminders already given.

The contract the tick relies on lives in the triggers of migration 0008: ``records.look_on`` is
the day the tick means to look at a person again ('' = at the next tick), and is cleared to ''
whenever anything that can change what is due changes:

- a check-in added, changed (day, withdrawn, person) or removed — which also recomputes
  ``records.last_contact_on`` (the latest contact not withdrawn);
- the record's category, penalty, dates or own cadence rule;
- an assignment added or changed (for both people it concerns);
- a messenger account added or removed (the person becomes reachable or not);
- the person's reminders choice, consent, reachability, commune or active flag;
- an officer joining, leaving or moving (every record of the commune: police reminders);
- an alert opened or changing state for the person;
- the commune's settings, or its cadence rules (every record of the commune).

The tick writes back ``look_on`` (``Schedule.set_look_on``) after planning each person.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from aiosqlite import Connection

from bot.clock import to_db


class Marks:
    """Keys of reminders already given (for digests that name several people)."""

    @staticmethod
    async def add(conn: Connection, key: str, now: datetime) -> bool:
        cur = await conn.execute("INSERT OR IGNORE INTO reminder_marks (key, at) VALUES (?, ?)", (key, to_db(now)))
        return cur.rowcount == 1


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
    async def grades_unsigned(conn: Connection, commune_id: int, categories: list[str], month: str
                              ) -> tuple[int, int]:
        """(people of these categories under supervision in ``month``, those without a signed grade)."""
        first = month + "-01"
        async with conn.execute(
            f"""SELECT COUNT(*), SUM(NOT EXISTS (SELECT 1 FROM monthly_grades g WHERE g.person_id = r.person_id
                                                AND g.month = ? AND g.signed_at IS NOT NULL))
                FROM people p JOIN records r ON r.person_id = p.id
                WHERE p.commune_id = ? AND p.role = 'returnee' AND (r.closed_on IS NULL OR r.closed_on >= ?)
                  AND r.category IN ({",".join("?" * len(categories))})""",
            (month, commune_id, first, *categories),
        ) as cur:
            total, pending = await cur.fetchone()
            return total, pending or 0

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
