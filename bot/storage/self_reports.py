"""What people report about themselves."""

from __future__ import annotations

from datetime import datetime

from aiosqlite import Connection

from bot.clock import from_db, to_db
from bot.models import (
    SelfReport,
)
from bot.storage.sql import fetch_all, fetch_one


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

    @staticmethod
    async def unreviewed(conn: Connection, commune_id: int) -> list[tuple[SelfReport, str]]:
        """The commune's reports no officer has accepted or sent back yet, oldest first, with the name."""
        rows = await fetch_all(conn, "SELECT s.*, p.full_name FROM self_reports s JOIN people p ON p.id = s.person_id "
                                     "WHERE p.commune_id = ? AND s.outcome IS NULL ORDER BY s.id", (commune_id,))
        return [(SelfReport(r["id"], r["person_id"], r["wellbeing"], r["work"], r["help_needed"],
                            from_db(r["created_at"])), r["full_name"]) for r in rows]

    @staticmethod
    async def get(conn: Connection, report_id: int) -> SelfReport | None:
        row = await fetch_one(conn, "SELECT * FROM self_reports WHERE id = ?", (report_id,))
        return SelfReport(row["id"], row["person_id"], row["wellbeing"], row["work"], row["help_needed"],
                          from_db(row["created_at"])) if row else None

    @staticmethod
    async def review(conn: Connection, report_id: int, *, by: int, outcome: str, note: str, now: datetime) -> bool:
        cur = await conn.execute("UPDATE self_reports SET reviewed_by = ?, reviewed_at = ?, outcome = ?, outcome_note = ? "
                                 "WHERE id = ? AND outcome IS NULL", (by, to_db(now), outcome, note, report_id))
        return cur.rowcount == 1

    @staticmethod
    async def sent_back(conn: Connection, person_id: int, first: str, last: str) -> int:
        """Reports of the person created between two ISO instants that the officer sent back."""
        row = await fetch_one(conn, "SELECT count(*) AS n FROM self_reports WHERE person_id = ? AND outcome = 'redo' "
                                    "AND created_at BETWEEN ? AND ?", (person_id, first, last))
        return row["n"]
