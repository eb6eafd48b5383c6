"""Bulk enrolment from a spreadsheet (CSV or XLSX), all or nothing, safe to repeat.

Columns (the header row names them; order does not matter; empty cells are allowed where a
value is optional) — see ``data/import-sample.csv``:

full_name, date_of_birth, village, category, penalty_type, penalty_term, release_date,
probation_start, probation_end, family_name, family_relation, family_phone, note

- ``category``: a code (suspended, non_custodial, parole, deferred, released, amnesty) or the
  Vietnamese name, with or without diacritics ("án treo", "cai tao khong giam giu"…).
- ``penalty_type``: a code or a Vietnamese name ("phạt tù", "tù chung thân"…); may be empty when
  the category implies it.
- dates: dd/mm/yyyy (or yyyy-mm-dd, or a spreadsheet date); ``penalty_term``: "2 năm 6 tháng",
  "18 tháng", "30".

Every bad row is reported with its row number, column and reason, and then nothing is imported.
A good file is written 100 rows per transaction (the bot keeps answering meanwhile) and stays
all-or-nothing: a failure, or a process killed half-way (undone at the next start), takes every
chunk back.
A row whose person (same name, date of birth and village) is already enrolled changes nothing
if it is the same, and updates the record (with the change in its history) if it differs.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from bot.i18n import _
from bot.models import Category, PenaltyType, Role
from bot.rules.dates import DateProblem, parse_date, parse_term
from bot.rules.categories import REQUIRED_DATES, needs_term
from bot.rules.phones import normalise_phone
from bot.services.supervision import RecordInput
from bot.storage.imports import Imports
from bot.storage.audit import Audit
from bot.storage.communes import Communes
from bot.storage.people import People
from bot.storage.records import RecordChanges, Records
from bot.textnorm import clean_name, fold

COLUMNS = ("full_name", "date_of_birth", "village", "category", "penalty_type", "penalty_term", "release_date",
           "probation_start", "probation_end", "family_name", "family_relation", "family_phone", "note",
           "new_person")
# "new_person" (optional): "yes" when a row's name differs only in accents from a record of the
# commune (same birth date and village) and it is someone else.
YES = {"yes", "y", "x", "co", "1", "true"}
REQUIRED = ("full_name", "date_of_birth", "village", "category")
CHUNK = 100  # rows per transaction: the write lock is never held for long

CATEGORY_NAMES = {
    "an treo": Category.SUSPENDED, "cai tao khong giam giu": Category.NON_CUSTODIAL,
    "tha tu truoc thoi han co dieu kien": Category.PAROLE, "tha tu truoc thoi han": Category.PAROLE,
    "hoan chap hanh an phat tu": Category.DEFERRED, "tam dinh chi chap hanh an phat tu": Category.DEFERRED,
    "hoan, tam dinh chi chap hanh an phat tu": Category.DEFERRED, "hoan": Category.DEFERRED,
    "chap hanh xong an phat tu": Category.RELEASED, "nguoi chap hanh xong an phat tu": Category.RELEASED,
    "dac xa": Category.AMNESTY, "nguoi duoc dac xa": Category.AMNESTY,
}
PENALTY_NAMES = {
    "canh cao": PenaltyType.WARNING, "phat tien": PenaltyType.FINE,
    "cai tao khong giam giu": PenaltyType.NON_CUSTODIAL_REFORM, "tu cho huong an treo": PenaltyType.SUSPENDED,
    "phat tu cho huong an treo": PenaltyType.SUSPENDED, "an treo": PenaltyType.SUSPENDED,
    "phat tu": PenaltyType.PRISON, "tu": PenaltyType.PRISON, "tu co thoi han": PenaltyType.PRISON,
    "tu chung than": PenaltyType.LIFE, "tu hinh duoc giam an": PenaltyType.DEATH_COMMUTED,
    "mien hinh phat": PenaltyType.EXEMPTED,
}
IMPLIED_PENALTY = {
    Category.SUSPENDED: PenaltyType.SUSPENDED, Category.NON_CUSTODIAL: PenaltyType.NON_CUSTODIAL_REFORM,
    Category.PAROLE: PenaltyType.PRISON, Category.DEFERRED: PenaltyType.PRISON,
}


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    reason: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def read_rows(path: Path) -> list[dict[str, object]]:
    """The file's rows as {column: value}; the header row is matched case- and accent-blind."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            rows = list(sheet.iter_rows(values_only=True))
        finally:
            book.close()
        if not rows:
            return []
        header = [fold(str(h or "")).replace(" ", "_") for h in rows[0]]
        return [dict(zip(header, row)) for row in rows[1:] if any(c not in (None, "") for c in row)]
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        rows = list(reader)
    if not rows:
        return []
    header = [fold(h).replace(" ", "_") for h in rows[0]]
    return [dict(zip(header, row)) for row in rows[1:] if any(c.strip() for c in row)]


def _text(value: object) -> str:
    """A cell's text cleaned as typed text is (NFC, no invisible or bidi-control characters, single
    spaces): a zero-width space must not make the same person someone new."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_name(str(value))


def _date(value: object, today: date, *, future_ok: bool = False) -> date | str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        if not future_ok and value > today:
            return _("in the future")
        return value
    day = parse_date(_text(value), today, past_only=not future_ok, year_required=True)
    if isinstance(day, DateProblem):
        return {DateProblem.IN_FUTURE: _("in the future"), DateProblem.IMPOSSIBLE: _("no such date")}.get(
            day, _("not a date (use dd/mm/yyyy)"))
    return day


def parse_row(number: int, row: dict[str, object], today: date) -> tuple[RecordInput | None, list[RowError]]:
    errors: list[RowError] = []

    def bad(column: str, reason: str) -> None:
        errors.append(RowError(number, column, reason))

    missing = {column for column in REQUIRED if not _text(row.get(column))}
    for column in REQUIRED:  # every problem of the row is reported, not only the first
        if column in missing:
            bad(column, _("missing"))
    name = _text(row.get("full_name"))
    if name and not 2 <= len(name) <= 100:
        bad("full_name", _("a name has 2 to 100 characters"))
    dob = _date(row["date_of_birth"], today) if "date_of_birth" not in missing else None
    if isinstance(dob, str):
        bad("date_of_birth", dob)
    raw_category = fold(_text(row.get("category")))
    category = CATEGORY_NAMES.get(raw_category) or next((c for c in Category if c.value == raw_category), None)
    if category is None and "category" not in missing:
        bad("category", _("unknown category"))
    raw_penalty = fold(_text(row.get("penalty_type")))
    if raw_penalty:
        penalty = PENALTY_NAMES.get(raw_penalty) or next((p for p in PenaltyType if p.value == raw_penalty), None)
        if penalty is None:
            bad("penalty_type", _("unknown penalty"))
    else:
        penalty = IMPLIED_PENALTY.get(category)
        if penalty is None and category is not None:
            bad("penalty_type", _("missing"))
    months = None
    if _text(row.get("penalty_term")):
        months = parse_term(_text(row["penalty_term"]))
        if months is None:
            bad("penalty_term", _("not a term (for example 2 năm 6 tháng)"))
    dates = {}
    for column in ("release_date", "probation_start", "probation_end"):
        if _text(row.get(column)) or isinstance(row.get(column), (date, datetime)):
            value = _date(row[column], today, future_ok=column == "probation_end")
            if isinstance(value, str):
                bad(column, value)
            else:
                dates[column] = value
    if dates.get("probation_start") and dates.get("probation_end") and dates["probation_end"] <= dates["probation_start"]:
        bad("probation_end", _("before the start of probation"))
    for column in REQUIRED_DATES.get(category, ()):  # the dates this category's supervision is counted from
        if column not in dates and not any(e.column == column for e in errors):
            bad(column, _("needed for this category"))
    if needs_term(penalty) and months is None and not any(e.column == "penalty_term" for e in errors):
        bad("penalty_term", _("needed for this penalty (for example 2 năm 6 tháng)"))
    phone = _text(row.get("family_phone"))
    if phone:
        phone = normalise_phone(phone) or ""
        if not phone:
            bad("family_phone", _("not a Vietnamese phone number"))
    if errors:
        return None, errors
    return RecordInput(
        full_name=name, date_of_birth=dob, village=_text(row["village"]), category=category, penalty_type=penalty,
        penalty_months=months, family_name=_text(row.get("family_name")),
        family_relation=_text(row.get("family_relation")), family_phone=phone, note=_text(row.get("note"))[:500],
        **dates,
    ), []


async def import_file(services, path: Path, commune_name: str, *, dry_run: bool = False) -> ImportResult:
    today = services.supervision.today()
    rows = read_rows(path)
    result = ImportResult()
    inputs: list[tuple[int, RecordInput, bool]] = []
    unknown = [c for c in (rows[0].keys() if rows else ()) if c and c not in COLUMNS]
    for column in unknown:
        result.errors.append(RowError(1, column, _("unknown column")))
    for column in REQUIRED:
        if rows and column not in rows[0]:
            result.errors.append(RowError(1, column, _("missing column")))
    if result.errors:
        return result
    seen: dict[tuple, int] = {}
    for number, row in enumerate(rows, start=2):
        data, errors = parse_row(number, row, today)
        result.errors += errors
        if data is not None:
            key = (data.full_name, data.date_of_birth, data.village)
            if key in seen:
                result.errors.append(RowError(number, "full_name", _("the same person as row {row}", row=seen[key])))
            seen[key] = number
            inputs.append((number, data, fold(_text(row.get("new_person"))) in YES))
    if result.errors:
        return result
    now = services.clock.now()
    if dry_run:  # one transaction, always rolled back: the counts of what would happen
        try:
            async with services.db.transaction() as tx:
                await _store(tx, result, inputs, await Communes.get_or_create(tx, commune_name, now), today, now)
                raise _Rollback
        except _Rollback:
            if result.errors:
                result.created = result.updated = result.unchanged = 0
        return result
    await recover_abandoned(services)
    async with services.db.transaction() as tx:
        commune = await Communes.get_or_create(tx, commune_name, now)
        import_id = await Imports.begin(tx, commune.id, os.getpid(), now)
    # In chunks, each its own short transaction, so the bot (another process, too) keeps writing
    # meanwhile; the journal makes it all-or-nothing: any failure undoes every chunk.
    try:
        for start in range(0, len(inputs), CHUNK):
            async with services.db.transaction() as tx:
                await _store(tx, result, inputs[start:start + CHUNK], commune, today, now, journal=import_id)
            if result.errors:
                raise _Rollback
        async with services.db.transaction() as tx:
            await Imports.finish(tx, import_id, services.clock.now())
    except BaseException as failure:
        async with services.db.transaction() as tx:
            await Imports.undo(tx, import_id, services.clock.now())
        result.created = result.updated = result.unchanged = 0
        if not isinstance(failure, _Rollback):
            raise
    return result


async def recover_abandoned(services) -> int:
    """Undo imports left half-done by a process that died (its chunks are taken back)."""
    async with services.db.reading() as conn:
        running = await Imports.running(conn)
    undone = 0
    for import_id, pid in running:
        if pid != os.getpid() and _alive(pid):
            continue  # another process is importing right now
        async with services.db.transaction() as tx:
            await Imports.undo(tx, import_id, services.clock.now())
        undone += 1
    return undone


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Rollback(Exception):
    """Undo the whole import (a conflict found while storing, or a dry run)."""


async def _store(tx, result: ImportResult, inputs, commune, today: date, now: datetime,
                 journal: int | None = None) -> None:
    for number, data, someone_else in inputs:
        existing, similar = await Records.matching(tx, commune.id, data.full_name, data.date_of_birth, data.village)
        if existing is None and similar and not someone_else:
            record = await Records.get(tx, similar[0])
            result.errors.append(RowError(number, "full_name", _(
                "differs only in accents from {name} (same birth date and village): write the name as in the "
                "record if it is the same person, or “yes” in a new_person column if it is someone else",
                name=record.full_name)))
            continue
        if existing is None:
            person = await People.add(tx, commune_id=commune.id, role=Role.RETURNEE, full_name=data.full_name,
                                      locale=None, now=now)
            await Records.add(tx, person_id=person.id, full_name=data.full_name, fields=data.fields(),
                              enrolled_on=today, created_by=None, now=now)
            await Audit.record(tx, now=now, actor_id=None, action="record.import", subject_id=person.id)
            if journal is not None:
                await Imports.created(tx, journal, person.id)
            result.created += 1
            continue
        record = await Records.get(tx, existing)
        diff = {f: [getattr(record, f), v] for f, v in data.fields().items() if getattr(record, f) != v}
        if not diff:
            result.unchanged += 1
            continue
        if journal is not None:
            await Imports.updated(tx, journal, existing, {f: old for f, (old, _new) in diff.items()})
        await Records.update(tx, existing, {f: data.fields()[f] for f in diff}, now)
        await RecordChanges.add(tx, person_id=existing, actor_id=None, reason="import", changes=diff, now=now)
        result.updated += 1


