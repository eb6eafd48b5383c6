"""Records of people under supervision, their supplementary penalties and the log of changes."""

from __future__ import annotations

from datetime import date, datetime
import json

from aiosqlite import Connection, Row

from bot.clock import from_db, to_db
from bot.models import (
    Category,
    CloseReason,
    PenaltyType,
    Record,
    Supplementary,
    SupplementaryKind,
)
from bot.storage.sql import day_or_none, iso_or_none, db_value, fetch_all, fetch_one
from bot.textnorm import fold

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
        date_of_birth=day_or_none(row["date_of_birth"]),
        village=row["village"],
        category=Category(row["category"]),
        penalty_type=PenaltyType(row["penalty_type"]),
        penalty_months=row["penalty_months"],
        release_date=day_or_none(row["release_date"]),
        probation_start=day_or_none(row["probation_start"]),
        probation_end=day_or_none(row["probation_end"]),
        family_name=row["family_name"],
        family_relation=row["family_relation"],
        family_phone=row["family_phone"],
        note=row["note"],
        cadence_rule=row["cadence_rule"],
        enrolled_on=day_or_none(row["enrolled_on"]),
        closed_on=day_or_none(row["closed_on"]),
        closed_reason=CloseReason(row["closed_reason"]) if row["closed_reason"] else None,
        supplementary=supplementary,
        last_contact=day_or_none(row["last_contact_on"]),
    )


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
    async def matching(conn: Connection, commune_id: int, full_name: str, date_of_birth: date,
                       village: str) -> tuple[int | None, list[int]]:
        """The record of this commune that is this person (the exact name, born the same day, same
        village), and the records whose name differs only in accents ("Hùng" and "Hưng": maybe
        the same person, maybe not — someone must say). Other communes' records are never looked
        at: whether someone is managed elsewhere is not this commune's to learn."""
        rows = await fetch_all(
            conn, "SELECT r.person_id, p.full_name FROM records r JOIN people p ON p.id = r.person_id "
                  "WHERE p.commune_id = ? AND r.name_folded = ? AND r.date_of_birth = ? AND r.village = ?",
            (commune_id, fold(full_name), date_of_birth.isoformat(), village),
        )
        same = next((r["person_id"] for r in rows if r["full_name"] == full_name), None)
        return same, [r["person_id"] for r in rows if r["full_name"] != full_name]

    @staticmethod
    async def by_name(conn: Connection, commune_id: int, full_name: str) -> list[int]:
        """The open records of a commune with this name (with or without diacritics)."""
        rows = await fetch_all(conn, "SELECT r.person_id FROM records r JOIN people p ON p.id = r.person_id "
                                     "WHERE p.commune_id = ? AND r.name_folded = ? AND r.closed_on IS NULL",
                               (commune_id, fold(full_name)))
        return [r["person_id"] for r in rows]

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
        allowed = {k: v for k, v in fields.items()
                   if k in RECORD_FIELDS + ("closed_on", "closed_reason", "closed_note", "completion_certified_on")}
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
        return tuple(Supplementary(SupplementaryKind(r["kind"]), day_or_none(r["ends_on"])) for r in rows)

    @staticmethod
    async def replace(conn: Connection, person_id: int, items: list[Supplementary]) -> None:
        await conn.execute("DELETE FROM supplementary_penalties WHERE person_id = ?", (person_id,))
        await conn.executemany(
            "INSERT INTO supplementary_penalties (person_id, kind, ends_on) VALUES (?, ?, ?)",
            [(person_id, s.kind.value, iso_or_none(s.ends_on)) for s in items],
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
