"""The supervision cycle's records: breaches and their reviews, roll calls, monthly grades, a
commune's days off. (One module: they are read together to assess a month.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from aiosqlite import Connection

from bot.clock import to_db
from bot.storage.sql import fetch_all, fetch_one


@dataclass(frozen=True)
class Breach:
    id: int
    person_id: int
    kind: str  # "breach", "fine", "review_absence"
    on_date: date
    what: str
    intentional: bool
    review_due: date | None
    review_on: date | None
    review_outcome: str | None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _breach(r) -> Breach:
    return Breach(r["id"], r["person_id"], r["kind"], date.fromisoformat(r["on_date"]), r["what"],
                  bool(r["intentional"]), _day(r["review_due"]), _day(r["review_on"]), r["review_outcome"])


class Breaches:
    @staticmethod
    async def add(conn: Connection, *, person_id: int, kind: str, on_date: date, what: str, intentional: bool,
                  review_due: date | None, by: int | None, now: datetime) -> int:
        cur = await conn.execute(
            "INSERT INTO breaches (person_id, kind, on_date, what, intentional, review_due, recorded_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (person_id, kind, on_date.isoformat(), what, int(intentional),
             review_due.isoformat() if review_due else None, by, to_db(now)))
        return cur.lastrowid

    @staticmethod
    async def get(conn: Connection, breach_id: int) -> Breach | None:
        row = await fetch_one(conn, "SELECT * FROM breaches WHERE id = ?", (breach_id,))
        return _breach(row) if row else None

    @staticmethod
    async def of_person(conn: Connection, person_id: int) -> list[Breach]:
        rows = await fetch_all(conn, "SELECT * FROM breaches WHERE person_id = ? ORDER BY on_date, id", (person_id,))
        return [_breach(r) for r in rows]

    @staticmethod
    async def reviews_open(conn: Connection, commune_id: int) -> list[Breach]:
        """Breaches of the commune's people whose review has not been recorded, soonest first."""
        rows = await fetch_all(conn, "SELECT b.* FROM breaches b JOIN people p ON p.id = b.person_id WHERE "
                                     "p.commune_id = ? AND b.review_due IS NOT NULL AND b.review_outcome IS NULL "
                                     "ORDER BY b.review_due, b.id", (commune_id,))
        return [_breach(r) for r in rows]

    @staticmethod
    async def record_review(conn: Connection, breach_id: int, on: date, outcome: str) -> bool:
        cur = await conn.execute("UPDATE breaches SET review_on = ?, review_outcome = ? WHERE id = ? AND "
                                 "review_outcome IS NULL", (on.isoformat(), outcome, breach_id))
        return cur.rowcount == 1


class RollCalls:
    @staticmethod
    async def record(conn: Connection, *, person_id: int, month: str, on: date, how: str, by: int | None,
                     now: datetime, photo: str | None = None, location: tuple[float, float] | None = None) -> bool:
        cur = await conn.execute("INSERT OR IGNORE INTO roll_calls (person_id, month, on_date, how, recorded_by, "
                                 "created_at, photo, latitude, longitude) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 (person_id, month, on.isoformat(), how, by, to_db(now), photo,
                                  location[0] if location else None, location[1] if location else None))
        return cur.rowcount == 1

    @staticmethod
    async def done(conn: Connection, person_id: int, month: str) -> date | None:
        """The month's roll call (in person or through the bot; a spot check does not replace it)."""
        row = await fetch_one(conn, "SELECT on_date FROM roll_calls WHERE person_id = ? AND month = ? AND how <> 'spot'",
                              (person_id, month))
        return date.fromisoformat(row["on_date"]) if row else None


@dataclass(frozen=True)
class Grade:
    person_id: int
    month: str
    proposed: str
    reasons: tuple[str, ...]
    grade: str | None
    signed: bool


class Grades:
    @staticmethod
    async def propose(conn: Connection, person_id: int, month: str, proposed: str, reasons: tuple[str, ...]) -> None:
        """Store (or refresh, while nobody has set a grade) the proposal for a month."""
        await conn.execute(
            "INSERT INTO monthly_grades (person_id, month, proposed, reasons) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (person_id, month) DO UPDATE SET proposed = excluded.proposed, reasons = excluded.reasons "
            "WHERE monthly_grades.signed_at IS NULL", (person_id, month, proposed, ",".join(reasons)))

    @staticmethod
    async def set(conn: Connection, person_id: int, month: str, grade: str, by: int, now: datetime) -> bool:
        cur = await conn.execute("UPDATE monthly_grades SET grade = ?, set_by = ?, set_at = ? WHERE person_id = ? "
                                 "AND month = ? AND signed_at IS NULL", (grade, by, to_db(now), person_id, month))
        return cur.rowcount == 1

    @staticmethod
    async def of_month(conn: Connection, person_ids: list[int], month: str) -> dict[int, Grade]:
        if not person_ids:
            return {}
        marks = ",".join("?" for _ in person_ids)
        rows = await fetch_all(conn, f"SELECT * FROM monthly_grades WHERE month = ? AND person_id IN ({marks})",
                               (month, *person_ids))
        return {r["person_id"]: Grade(r["person_id"], r["month"], r["proposed"],
                                      tuple(x for x in r["reasons"].split(",") if x), r["grade"],
                                      r["signed_at"] is not None) for r in rows}

    @staticmethod
    async def history(conn: Connection, person_id: int) -> list[Grade]:
        rows = await fetch_all(conn, "SELECT * FROM monthly_grades WHERE person_id = ? ORDER BY month", (person_id,))
        return [Grade(r["person_id"], r["month"], r["proposed"], tuple(x for x in r["reasons"].split(",") if x),
                      r["grade"], r["signed_at"] is not None) for r in rows]

    @staticmethod
    async def sign(conn: Connection, person_ids: list[int], month: str, by: int, now: datetime) -> int:
        """The head signs the month: every grade set (or, where none was changed, the proposal)."""
        if not person_ids:
            return 0
        marks = ",".join("?" for _ in person_ids)
        cur = await conn.execute(
            f"UPDATE monthly_grades SET grade = COALESCE(grade, proposed), signed_by = ?, signed_at = ? "
            f"WHERE month = ? AND signed_at IS NULL AND person_id IN ({marks})", (by, to_db(now), month, *person_ids))
        return cur.rowcount

    @staticmethod
    async def signed_on(conn: Connection, person_ids: list[int], month: str) -> datetime | None:
        if not person_ids:
            return None
        marks = ",".join("?" for _ in person_ids)
        row = await fetch_one(conn, f"SELECT max(signed_at) AS at FROM monthly_grades WHERE month = ? AND "
                                    f"person_id IN ({marks})", (month, *person_ids))
        from bot.clock import from_db

        return from_db(row["at"]) if row and row["at"] else None


class DaysOff:
    @staticmethod
    async def of_commune(conn: Connection, commune_id: int) -> set[date]:
        rows = await fetch_all(conn, "SELECT day FROM commune_days_off WHERE commune_id = ?", (commune_id,))
        return {date.fromisoformat(r["day"]) for r in rows}

    @staticmethod
    async def add(conn: Connection, commune_id: int, day: date) -> None:
        await conn.execute("INSERT OR IGNORE INTO commune_days_off (commune_id, day) VALUES (?, ?)",
                           (commune_id, day.isoformat()))


@dataclass(frozen=True)
class Absence:
    id: int
    person_id: int
    first_day: date
    last_day: date
    place: str
    reason: str
    for_work: bool
    state: str
    decision_ref: str
    returned_on: date | None

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def _absence(r) -> Absence:
    return Absence(r["id"], r["person_id"], date.fromisoformat(r["first_day"]), date.fromisoformat(r["last_day"]),
                   r["place"], r["reason"], bool(r["for_work"]), r["state"], r["decision_ref"], _day(r["returned_on"]))


class Absences:
    @staticmethod
    async def add(conn: Connection, *, person_id: int, first: date, last: date, place: str, reason: str,
                  for_work: bool, now: datetime) -> int:
        cur = await conn.execute("INSERT INTO absences (person_id, first_day, last_day, place, reason, for_work, "
                                 "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 (person_id, first.isoformat(), last.isoformat(), place, reason, int(for_work),
                                  to_db(now)))
        return cur.lastrowid

    @staticmethod
    async def get(conn: Connection, absence_id: int) -> Absence | None:
        row = await fetch_one(conn, "SELECT * FROM absences WHERE id = ?", (absence_id,))
        return _absence(row) if row else None

    @staticmethod
    async def of_person(conn: Connection, person_id: int) -> list[Absence]:
        rows = await fetch_all(conn, "SELECT * FROM absences WHERE person_id = ? ORDER BY first_day", (person_id,))
        return [_absence(r) for r in rows]

    @staticmethod
    async def to_handle(conn: Connection, commune_id: int) -> list[Absence]:
        """Requests to decide, and approved absences whose return is not recorded."""
        rows = await fetch_all(conn, "SELECT a.* FROM absences a JOIN people p ON p.id = a.person_id WHERE "
                                     "p.commune_id = ? AND (a.state = 'requested' OR (a.state = 'approved' AND "
                                     "a.returned_on IS NULL)) ORDER BY a.first_day", (commune_id,))
        return [_absence(r) for r in rows]

    @staticmethod
    async def decide(conn: Connection, absence_id: int, *, approved: bool, ref: str, by: int, now: datetime) -> bool:
        cur = await conn.execute("UPDATE absences SET state = ?, decision_ref = ?, decided_by = ?, decided_at = ? "
                                 "WHERE id = ? AND state = 'requested'",
                                 ("approved" if approved else "refused", ref, by, to_db(now), absence_id))
        return cur.rowcount == 1

    @staticmethod
    async def returned(conn: Connection, absence_id: int, day: date) -> bool:
        cur = await conn.execute("UPDATE absences SET returned_on = ? WHERE id = ? AND state = 'approved' AND "
                                 "returned_on IS NULL", (day.isoformat(), absence_id))
        return cur.rowcount == 1

    @staticmethod
    async def overdue(conn: Connection, commune_id: int, today: date) -> list[tuple[Absence, str]]:
        """Approved absences past their last day with no return recorded, with the person's name."""
        rows = await fetch_all(conn, "SELECT a.*, p.full_name FROM absences a JOIN people p ON p.id = a.person_id "
                                     "WHERE p.commune_id = ? AND a.state = 'approved' AND a.returned_on IS NULL AND "
                                     "a.last_day < ? ORDER BY a.last_day", (commune_id, today.isoformat()))
        return [(_absence(r), r["full_name"]) for r in rows]
