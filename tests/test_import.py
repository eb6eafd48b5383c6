"""Bulk enrolment from a spreadsheet: the sample file, a broken file, XLSX, and repeating it."""

from __future__ import annotations

import csv
from pathlib import Path

from bot.services.importer import import_file
from bot.storage.supervision import RecordChanges, Records
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
        from bot.storage.repos import Communes

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
    assert records["Hà Văn Sơn"].family_phone == "0987654321"


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
