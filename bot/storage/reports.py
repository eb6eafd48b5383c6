"""SQL for the reports: the figures of a period for some communes, read in bulk."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from aiosqlite import Connection

from bot.clock import from_db, to_db
from bot.storage.repos import fetch_all, fetch_one


def _in(ids: list[int]) -> str:
    return ",".join("?" * len(ids))


class ReportData:
    @staticmethod
    async def contact_days(conn: Connection, commune_ids: list[int], until: date) -> dict[int, list[date]]:
        """Every recorded contact up to ``until``, per person, in order."""
        out: dict[int, list[date]] = defaultdict(list)
        async with conn.execute(
            f"""SELECT c.person_id, c.happened_on FROM checkins c JOIN people p ON p.id = c.person_id
                WHERE c.withdrawn_at IS NULL AND c.happened_on <= ? AND p.commune_id IN ({_in(commune_ids)})
                ORDER BY c.person_id, c.happened_on""",
            (until.isoformat(), *commune_ids),
        ) as cur:
            cur.row_factory = None
            for person_id, day in await cur.fetchall():
                out[person_id].append(date.fromisoformat(day))
        return out

    @staticmethod
    async def checkins_between(conn: Connection, commune_ids: list[int], start: date, end: date) -> int:
        row = await fetch_one(
            conn,
            f"""SELECT COUNT(*) AS n FROM checkins c JOIN people p ON p.id = c.person_id
                WHERE c.withdrawn_at IS NULL AND c.happened_on BETWEEN ? AND ? AND p.commune_id IN ({_in(commune_ids)})""",
            (start.isoformat(), end.isoformat(), *commune_ids),
        )
        return row["n"]

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
