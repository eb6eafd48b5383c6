"""SQL for the reports: the figures of a period for some communes, read in bulk."""

from __future__ import annotations

from datetime import date, datetime

from aiosqlite import Connection

from bot.clock import from_db, to_db
from bot.storage.sql import fetch_all, fetch_one


def _in(ids: list[int]) -> str:
    return ",".join("?" * len(ids))


class ReportData:
    @staticmethod
    async def people(conn: Connection, commune_ids: list[int] | None, *, names: bool) -> list[tuple]:
        """Every record of these communes (``None``: all), closed ones too, as tuples: (person_id,
        commune_id, category, cadence_rule, enrolled_on, closed_on, closed_reason, last_contact_on,
        full_name, village, supervisor's name). Names and villages only with ``names`` (police of the
        commune)."""
        who = ("p.full_name, r.village, COALESCE(s.full_name, '')" if names else "'', '', ''")
        supervisor = ("""LEFT JOIN assignments a ON a.person_id = r.person_id AND a.ended_at IS NULL
                         LEFT JOIN people s ON s.id = a.supervisor_id""" if names else "")
        communes = "1" if commune_ids is None else f"p.commune_id IN ({_in(commune_ids)})"
        async with conn.execute(
            f"""SELECT r.person_id, p.commune_id, r.category, r.cadence_rule, r.enrolled_on, r.closed_on,
                       r.closed_reason, r.last_contact_on, {who}
                FROM records r JOIN people p ON p.id = r.person_id {supervisor}
                WHERE {communes} AND p.role = 'returnee'""",
            commune_ids or (),
        ) as cur:
            cur.row_factory = None
            return await cur.fetchall()

    @staticmethod
    async def contact_days(conn: Connection, commune_ids: list[int] | None, until: date) -> dict[int, list[date]]:
        """Every recorded contact up to ``until``, per person, in order (``None``: every commune)."""
        if commune_ids is None:  # the whole province: one pass over the (person, day) index
            sql, args = ("""SELECT person_id, group_concat(happened_on) FROM checkins
                            WHERE withdrawn_at IS NULL AND happened_on <= ? GROUP BY person_id""", (until.isoformat(),))
        else:
            sql, args = (f"""SELECT c.person_id, group_concat(c.happened_on) FROM people p
                             JOIN checkins c ON c.person_id = p.id
                             WHERE p.commune_id IN ({_in(commune_ids)}) AND p.role = 'returnee'
                               AND c.withdrawn_at IS NULL AND c.happened_on <= ? GROUP BY c.person_id""",
                         (*commune_ids, until.isoformat()))
        async with conn.execute(sql, args) as cur:
            cur.row_factory = None
            rows = await cur.fetchall()
        parse = date.fromisoformat
        return {person_id: sorted(map(parse, days.split(","))) for person_id, days in rows}

    @staticmethod
    async def checkins_between(conn: Connection, commune_ids: list[int] | None, start: date, end: date) -> int:
        """Check-ins of the period (``None``: every commune, straight from the day index)."""
        if commune_ids is None:
            sql, args = ("SELECT COUNT(*) FROM checkins WHERE withdrawn_at IS NULL AND happened_on BETWEEN ? AND ?",
                         (start.isoformat(), end.isoformat()))
        else:  # CROSS JOIN: from the communes' people to their check-ins, never the other way round
            sql, args = (f"""SELECT COUNT(*) FROM people p CROSS JOIN checkins c ON c.person_id = p.id
                             WHERE p.commune_id IN ({_in(commune_ids)}) AND p.role = 'returnee'
                               AND c.withdrawn_at IS NULL AND c.happened_on BETWEEN ? AND ?""",
                         (*commune_ids, start.isoformat(), end.isoformat()))
        async with conn.execute(sql, args) as cur:
            return (await cur.fetchone())[0]

    @staticmethod
    async def alerts_between(conn: Connection, commune_ids: list[int], start: datetime, end: datetime
                             ) -> list[tuple[str, datetime, datetime | None, datetime | None]]:
        rows = await fetch_all(
            conn,
            f"""SELECT reason, created_at, claimed_at, resolved_at FROM alerts
                WHERE created_at >= ? AND created_at < ? AND commune_id IN ({_in(commune_ids)})""",
            (to_db(start), to_db(end), *commune_ids),
        )
        return [(r["reason"], from_db(r["created_at"]), from_db(r["claimed_at"]) if r["claimed_at"] else None,
                 from_db(r["resolved_at"]) if r["resolved_at"] else None) for r in rows]

    @staticmethod
    async def help_threads_between(conn: Connection, commune_ids: list[int], start: datetime, end: datetime
                                   ) -> list[str]:
        rows = await fetch_all(
            conn,
            f"""SELECT topic FROM help_threads WHERE opened_at >= ? AND opened_at < ?
                AND commune_id IN ({_in(commune_ids)})""",
            (to_db(start), to_db(end), *commune_ids),
        )
        return [r["topic"] for r in rows]

    @staticmethod
    async def job_support_between(conn: Connection, commune_ids: list[int], start: datetime, end: datetime
                                  ) -> tuple[int, int]:
        """(postings published, expressions of interest) in the period."""
        posted = await fetch_one(
            conn, f"SELECT COUNT(*) AS n FROM postings WHERE created_at >= ? AND created_at < ? "
                  f"AND commune_id IN ({_in(commune_ids)})", (to_db(start), to_db(end), *commune_ids))
        interest = await fetch_one(
            conn,
            f"""SELECT COUNT(*) AS n FROM posting_interest i JOIN postings p ON p.id = i.posting_id
                WHERE i.created_at >= ? AND i.created_at < ? AND p.commune_id IN ({_in(commune_ids)})""",
            (to_db(start), to_db(end), *commune_ids))
        return posted["n"], interest["n"]

    @staticmethod
    async def cycle_between(conn: Connection, commune_ids: list[int], start: date, end: date) -> tuple[list, int]:
        """The monthly grades of months in the period ((month, signed_at or None)) and the breach
        records and fines dated in it."""
        marks = _in(commune_ids)
        grades = await fetch_all(
            conn, f"""SELECT g.month, g.signed_at FROM monthly_grades g JOIN people p ON p.id = g.person_id
                      WHERE p.commune_id IN ({marks}) AND g.month BETWEEN ? AND ?""",
            (*commune_ids, start.strftime("%Y-%m"), end.strftime("%Y-%m")))
        row = await fetch_one(
            conn, f"""SELECT count(*) AS n FROM breaches b JOIN people p ON p.id = b.person_id
                      WHERE p.commune_id IN ({marks}) AND b.on_date BETWEEN ? AND ?""",
            (*commune_ids, start.isoformat(), end.isoformat()))
        return [(r["month"], r["signed_at"]) for r in grades], row["n"]

    @staticmethod
    async def outreach_between(conn: Connection, commune_ids: list[int], start: date, end: date
                               ) -> tuple[int, int, int]:
        """(meetings, participants, tips) in the period."""
        row = await fetch_one(
            conn,
            f"""SELECT SUM(kind = 'meeting') AS meetings, SUM(CASE WHEN kind = 'meeting' THEN participants END) AS people,
                       SUM(kind = 'tip') AS tips FROM outreach
                WHERE on_date BETWEEN ? AND ? AND commune_id IN ({_in(commune_ids)})""",
            (start.isoformat(), end.isoformat(), *commune_ids),
        )
        return row["meetings"] or 0, row["people"] or 0, row["tips"] or 0

    @staticmethod
    async def add_outreach(conn: Connection, *, commune_id: int, kind: str, on_date: date, place: str, topic: str,
                           participants: int, created_by: int, now: datetime) -> int:
        cur = await conn.execute(
            """INSERT INTO outreach (commune_id, kind, on_date, place, topic, participants, created_by, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (commune_id, kind, on_date.isoformat(), place, topic, participants, created_by, to_db(now)),
        )
        return cur.lastrowid
