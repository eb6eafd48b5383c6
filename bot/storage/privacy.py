"""SQL for privacy: what is kept about a person (for their copy), and anonymising a record."""

from __future__ import annotations

from datetime import datetime

from aiosqlite import Connection

from bot.clock import to_db
from bot.storage.media import Media
from bot.storage.sql import fetch_all, fetch_one


def _rows(rows) -> list[dict]:
    return [dict(r) for r in rows]


class PrivacyData:
    @staticmethod
    async def everything_about(conn: Connection, person_id: int) -> dict:
        person = await fetch_one(conn, "SELECT id, role, full_name, locale, created_at, reminders, consent_at "
                                       "FROM people WHERE id = ?", (person_id,))
        return {
            "person": dict(person) if person else None,
            "messenger_accounts": _rows(await fetch_all(
                conn, "SELECT messenger, created_at FROM identities WHERE person_id = ?", (person_id,))),
            "record": dict(r) if (r := await fetch_one(
                conn, "SELECT date_of_birth, village, category, penalty_type, penalty_months, release_date, "
                      "probation_start, probation_end, family_name, family_relation, family_phone, note, enrolled_on, "
                      "closed_on, closed_reason FROM records WHERE person_id = ?", (person_id,))) else None,
            "check_ins": _rows(await fetch_all(
                conn, "SELECT happened_on, contact, status, note FROM checkins WHERE person_id = ? "
                      "AND withdrawn_at IS NULL ORDER BY happened_on", (person_id,))),
            "assessments": _rows(await fetch_all(
                conn, "SELECT period, conduct, work, family, needs FROM assessments WHERE person_id = ?", (person_id,))),
            "self_reports": _rows(await fetch_all(
                conn, "SELECT created_at, wellbeing, work, help_needed FROM self_reports WHERE person_id = ?",
                (person_id,))),
            "help_messages": _rows(await fetch_all(
                conn, "SELECT m.created_at, m.body FROM help_messages m JOIN help_threads t ON t.id = m.thread_id "
                      "WHERE t.person_id = ? ORDER BY m.id", (person_id,))),
            "appointments": _rows(await fetch_all(
                conn, "SELECT at, place FROM appointments WHERE person_id = ? AND cancelled_at IS NULL", (person_id,))),
            "who_looked_at_my_record": _rows(await fetch_all(
                conn, "SELECT a.at, p.role FROM audit_log a LEFT JOIN people p ON p.id = a.actor_id "
                      "WHERE a.subject_id = ? AND a.action = 'record.view' ORDER BY a.id", (person_id,))),
        }

    @staticmethod
    async def closed_before(conn: Connection, cutoff: str) -> list[int]:
        rows = await fetch_all(conn, "SELECT person_id FROM records WHERE closed_on IS NOT NULL AND closed_on < ? "
                                     "AND anonymised_at IS NULL", (cutoff,))
        return [r["person_id"] for r in rows]

    @staticmethod
    async def anonymise(conn: Connection, person_id: int, now: datetime) -> None:
        """Keep the figures (category, dates of management, counts); drop who the person is."""
        label = f"#{person_id}"
        await conn.execute("UPDATE people SET full_name = ?, locale = NULL WHERE id = ?", (label, person_id))
        await conn.execute(
            """UPDATE records SET name_folded = ?, date_of_birth = substr(date_of_birth, 1, 4) || '-01-01',
                      family_name = '', family_relation = '', family_phone = '', note = '', closed_note = '',
                      anonymised_at = ? WHERE person_id = ?""",
            (f"anon {person_id}", to_db(now), person_id),
        )
        await Media.forget_of_person(conn, person_id)  # the kept photos, before the check-ins forget them
        await conn.execute("UPDATE checkins SET note = '', photo = NULL, latitude = NULL, longitude = NULL "
                           "WHERE person_id = ?", (person_id,))
        await conn.execute("UPDATE self_reports SET help_needed = '' WHERE person_id = ?", (person_id,))
        await conn.execute("UPDATE assessments SET needs = '' WHERE person_id = ?", (person_id,))
        await conn.execute("UPDATE help_messages SET body = '' WHERE thread_id IN "
                           "(SELECT id FROM help_threads WHERE person_id = ?)", (person_id,))
        await conn.execute("UPDATE outbox SET params = '{}' WHERE person_id = ?", (person_id,))
        await conn.execute("DELETE FROM zalo_oa_users WHERE app_id || ':' || user_id IN "
                           "(SELECT external_id FROM identities WHERE person_id = ? AND messenger = 'zalo_oa')",
                           (person_id,))
        await conn.execute("DELETE FROM identities WHERE person_id = ?", (person_id,))
        await conn.execute("DELETE FROM family_links WHERE person_id = ?", (person_id,))
