"""Bulk enrolment from a spreadsheet: the sample file, a broken file, XLSX, and repeating it."""

from __future__ import annotations

import csv
from pathlib import Path

from bot.services.importer import import_file
from bot.storage.records import RecordChanges, Records
from tests.test_cli import hoanhap

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "import-sample.csv"


def _rows() -> list[list[str]]:
    with SAMPLE.open(encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


async def _records(services, commune="Xã Mẫu Sơn"):
    async with services.db.reading() as conn:
        from bot.storage.communes import Communes

        commune = await Communes.find(conn, commune)
        return await Records.in_commune(conn, commune.id) if commune else []


async def test_the_sample_file_is_accepted_and_importing_it_again_changes_nothing(services):
    first = await import_file(services, SAMPLE, "Xã Mẫu Sơn")
    again = await import_file(services, SAMPLE, "Xã Mẫu Sơn")

    assert (first.errors, first.created) == ([], 5)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    records = {r.full_name: r for r in await _records(services)}
    assert records["Nông Văn Bình"].penalty_type.value == "suspended"  # implied by the category
    assert records["Lý Thị Mai"].penalty_months == 42
    assert records["Hà Văn Sơn"].family_phone == "+84987654321"  # one stored form


async def test_a_broken_file_is_refused_whole_with_every_bad_row_named(services, tmp_path):
    rows = _rows()
    rows[1][1] = "31/02/1990"  # row 2: impossible date of birth
    rows[2][3] = "tù treo ngược"  # row 3: unknown category
    rows[3][5] = "mười tám tháng"  # row 4: unreadable term
    rows[4][11] = "12"  # row 5: not a phone number
    rows.append(rows[5][:])  # row 7: the same person as row 6
    broken = _write(tmp_path / "broken.csv", rows)

    result = await import_file(services, broken, "Xã Mẫu Sơn")

    assert [(e.row, e.column) for e in result.errors] == [
        (2, "date_of_birth"), (3, "category"), (4, "penalty_term"), (5, "family_phone"), (7, "full_name")]
    assert result.errors[0].reason == "ngày không có thật"
    assert await _records(services) == []  # nothing imported


async def test_an_xlsx_file_with_real_dates_is_read(services, tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    rows = _rows()
    sheet.append(rows[0])
    for row in rows[1:]:
        day, month, year = (int(x) for x in row[1].split("/"))
        sheet.append([row[0], datetime(year, month, day), *row[2:]])
    book.save(tmp_path / "people.xlsx")

    result = await import_file(services, tmp_path / "people.xlsx", "Xã Mẫu Sơn")

    assert (result.errors, result.created) == ([], 5)
    assert {r.date_of_birth.isoformat() for r in await _records(services)} >= {"1990-05-17", "1985-09-03"}


async def test_a_corrected_file_updates_the_record_and_keeps_the_change(services, tmp_path):
    await import_file(services, SAMPLE, "Xã Mẫu Sơn")
    rows = _rows()
    rows[2][12] = "Đã có việc làm"
    result = await import_file(services, _write(tmp_path / "v2.csv", rows), "Xã Mẫu Sơn")

    assert (result.created, result.updated, result.unchanged) == (0, 1, 4)
    mai = next(r for r in await _records(services) if r.full_name == "Lý Thị Mai")
    async with services.db.reading() as conn:
        changes = await RecordChanges.of(conn, mai.person_id)
    assert changes[-1]["changes"] == {"note": ["Cần hỗ trợ học nghề", "Đã có việc làm"]}


def test_the_import_command_reports_problems_and_exits_1(env, tmp_path):
    rows = _rows()
    rows[3][0] = ""
    broken = _write(tmp_path / "broken.csv", rows)

    done = hoanhap("import", str(broken), "--commune", "Xã Mẫu Sơn", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines() == ["dòng 4, cột full_name: thiếu", "1 lỗi; chưa nhập gì."]

    done = hoanhap("import", str(SAMPLE), "--commune", "Xã Mẫu Sơn", env=env, cwd=tmp_path)
    assert (done.returncode, done.stdout.strip()) == (0, "Đã tiếp nhận 5, cập nhật 0, không đổi 0.")


# ---- a large import beside the running bot ------------------------------------------------------

def _many(path: Path, count: int, *, first: int = 0) -> Path:
    header = _rows()[0]
    rows = [header]
    for n in range(first, first + count):
        row = dict.fromkeys(header, "")
        row.update(full_name=f"Người Nhập {n:05d}", date_of_birth=f"{1 + n % 28:02d}/0{1 + n % 9}/1985",
                   village=f"Thôn {n % 7}", category="chấp hành xong án phạt tù", penalty_type="phạt tù",
                   penalty_term="2 năm", release_date="01/06/2025")
        rows.append([row[c] for c in header])
    return _write(path, rows)


async def _people(services) -> list[str]:
    async with services.db.reading() as conn:
        rows = await conn.execute_fetchall("SELECT full_name FROM people ORDER BY full_name")
    return [r[0] for r in rows]


async def test_a_large_import_lets_a_supervisor_check_in_while_it_runs(services, tmp_path):
    import asyncio

    from bot.services import importer
    from tests.support.world import make_world

    world = await make_world(services)
    await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    sizes = []
    store = importer._store

    async def counting(tx, result, inputs, *args, **kwargs):
        sizes.append(len(inputs))
        return await store(tx, result, inputs, *args, **kwargs)

    importer._store = counting
    try:
        running = asyncio.create_task(import_file(services, _many(tmp_path / "big.csv", 3000), "Xã Mẫu Sơn"))
        while not sizes:  # the import is writing
            await asyncio.sleep(0)
        supervisor = world.supervisors["supervisor1"]
        asked = await supervisor.says("/checkin")
        answered_while_importing = not running.done()
        for label in ("Nông Văn Bình · Thôn Nà Lay", "Thăm tại nhà", "Ổn định"):
            await supervisor.picks(label)
        saved = await supervisor.picks("✅ Lưu")
        result = await running
    finally:
        importer._store = store

    assert asked == ["Anh/chị đã thăm hoặc gọi cho ai?"] and answered_while_importing  # no wait for the file
    assert saved[0].startswith("Đã lưu lần liên lạc với Nông Văn Bình")
    assert result.created == 3000 and max(sizes) <= importer.CHUNK  # never more than a chunk per transaction


async def test_an_import_that_fails_half_way_leaves_nothing_behind(services, tmp_path, monkeypatch):
    from bot.storage.imports import Imports

    await import_file(services, SAMPLE, "Xã Mẫu Sơn")
    before_people, before_records = await _people(services), await _records(services)
    rows = _rows()
    rows[1][rows[0].index("note")] = "đã chuyển nhà"  # an update to someone already enrolled...
    path = _many(tmp_path / "more.csv", 450)
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(rows[1])  # ...at the very end of the file
    calls = 0
    created = Imports.created

    async def fails_in_the_fourth_chunk(conn, import_id, person_id):
        nonlocal calls
        calls += 1
        if calls == 350:
            raise OSError("disk full")
        return await created(conn, import_id, person_id)

    monkeypatch.setattr(Imports, "created", staticmethod(fails_in_the_fourth_chunk))
    try:
        await import_file(services, path, "Xã Mẫu Sơn")
        raise AssertionError("the failure should reach the caller")
    except OSError:
        pass

    assert await _people(services) == before_people  # the first three chunks were taken back too
    assert [(r.full_name, r.note) for r in await _records(services)] == [(r.full_name, r.note) for r in before_records]


async def test_an_import_killed_half_way_is_undone_at_the_next_start(services, env, tmp_path):
    import asyncio
    import os
    import signal
    import sqlite3
    import sys

    from bot.services.importer import recover_abandoned

    before = await _people(services)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "import", str(_many(tmp_path / "huge.csv", 6000)), "--commune", "Xã Mẫu Sơn",
        env={**os.environ, **env}, cwd=tmp_path, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)

    def journalled() -> int:
        conn = sqlite3.connect(env["HOANHAP_DB"])
        try:
            return conn.execute("SELECT COUNT(*) FROM import_journal").fetchone()[0]
        except sqlite3.OperationalError:
            return 0
        finally:
            conn.close()

    for _ in range(600):
        if journalled() >= 300:  # some chunks are committed, the import is still running
            break
        await asyncio.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    await process.wait()
    assert len(await _people(services)) > len(before)  # half an import is in the database

    assert await recover_abandoned(services) == 1
    assert await _people(services) == before


async def test_every_rule_of_the_category_is_checked_and_every_problem_of_a_row_reported(services, tmp_path):
    rows = _rows()
    rows[1][5] = rows[1][7] = rows[1][8] = ""  # án treo without its term or its probation dates
    rows[2][0] = rows[2][1] = ""  # two required cells missing in one row
    broken = _write(tmp_path / "broken.csv", rows)

    result = await import_file(services, broken, "Xã Mẫu Sơn")

    assert [(e.row, e.column) for e in result.errors] == [
        (2, "probation_start"), (2, "probation_end"), (2, "penalty_term"), (3, "full_name"), (3, "date_of_birth")]
    assert result.errors[0].reason == "cần có với diện này"
    assert await _records(services) == []


def test_the_enrol_conversation_asks_exactly_the_dates_the_import_requires():
    from bot.flows.enrol import DATES
    from bot.rules.categories import REQUIRED_DATES

    assert {category: tuple(field for field, _question in asked) for category, asked in DATES.items()} == REQUIRED_DATES


def _one(name: str, *, new_person: str | None = None) -> list[list[str]]:
    header = _rows()[0] + ([] if new_person is None else ["new_person"])
    row = [name, "01/01/1990", "Thôn Một", "chấp hành xong án phạt tù", "phạt tù", "2 năm", "01/06/2025", "", "", "",
           "", "", ""] + ([] if new_person is None else [new_person])
    return [header, row]


async def test_names_that_differ_only_in_accents_are_not_merged_without_asking(services, tmp_path):
    assert (await import_file(services, _write(tmp_path / "a.csv", _one("Lê Văn Hùng")), "Xã Mẫu Sơn")).created == 1

    second = await import_file(services, _write(tmp_path / "b.csv", _one("Lê Văn Hưng")), "Xã Mẫu Sơn")

    assert (second.created, second.updated) == (0, 0)
    assert [(e.row, e.column) for e in second.errors] == [(2, "full_name")]
    assert "Lê Văn Hùng" in second.errors[0].reason and "new_person" in second.errors[0].reason
    assert [r.full_name for r in await _records(services)] == ["Lê Văn Hùng"]  # Hùng's record untouched
    told = await import_file(services, _write(tmp_path / "c.csv", _one("Lê Văn Hưng", new_person="có")), "Xã Mẫu Sơn")
    assert (told.errors, told.created) == ([], 1)
    assert sorted(r.full_name for r in await _records(services)) == ["Lê Văn Hùng", "Lê Văn Hưng"]


async def test_invisible_characters_and_decomposed_accents_do_not_make_a_new_person(services, tmp_path):
    import unicodedata

    await import_file(services, _write(tmp_path / "a.csv", _one("Lê Văn Hùng")), "Xã Mẫu Sơn")
    for i, disguised in enumerate(("Lê Văn\u200b Hùng", unicodedata.normalize("NFD", "Lê Văn Hùng"),
                                   "Lê\u00a0Văn  Hùng\u2060", "\ufeffLê Văn Hùng")):
        again = await import_file(services, _write(tmp_path / f"{i}.csv", _one(disguised)), "Xã Mẫu Sơn")
        assert (again.errors, again.created, again.unchanged) == ([], 0, 1), disguised
    await import_file(services, _write(tmp_path / "rlo.csv", _one("\u202eLê Văn Tú\u202c")), "Xã Mẫu Sơn")
    assert sorted(r.full_name for r in await _records(services)) == ["Lê Văn Hùng", "Lê Văn Tú"]


async def test_an_import_does_not_reveal_that_someone_is_managed_by_another_commune(services, tmp_path):
    await import_file(services, SAMPLE, "Xã Mẫu Sơn")

    elsewhere = await import_file(services, SAMPLE, "Xã Khác")

    assert (elsewhere.errors, elsewhere.created) == ([], 5)  # as for anyone new: no hint of the other commune
    assert len(await _records(services, "Xã Mẫu Sơn")) == 5
