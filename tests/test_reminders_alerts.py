"""Reminders and alerts with a controllable clock: each fires once, at the right local time,
never at night, catches up after downtime, escalates, and survives a race between officers."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest

from bot.channels.errors import Unreachable
from bot.clock import VIETNAM
from bot.models import Category, Contact, Messenger, PenaltyType, Role, Status
from bot.services.supervision import CheckinInput
from bot.storage.outbox import Outbox
from tests.support.people import TextChat, onboard
from tests.support.recording import RecordingChannel
from tests.support.world import make_world


def at(clock, day: date, hour: int, minute: int = 0) -> None:
    """Set the clock to a Vietnam local time."""
    clock._at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=VIETNAM).astimezone(clock._at.tzinfo)


@pytest.fixture
async def world(services):
    world = await make_world(services)
    world.channel = RecordingChannel(Messenger.CONSOLE)
    services.notifier.register(world.channel)
    return world


async def run_tick(services) -> None:
    await services.reminders.tick()
    await services.alerting.sweep()
    await services.notifier.flush()


async def test_supervisor_reminders_fire_once_on_the_first_day_the_day_before_the_end_and_when_overdue(world, services, clock):
    await world.enrol("Nông Văn Bình", supervisor="supervisor1")  # monthly, first 5 days
    heard = lambda: world.channel.texts("supervisor1")  # noqa: E731
    before = len(heard())

    at(clock, date(2026, 11, 30), 9)
    await run_tick(services)
    assert heard()[before:] == []  # nothing before the window

    at(clock, date(2026, 12, 1), 8)
    await run_tick(services)
    await run_tick(services)  # twice: nothing twice
    assert heard()[before:] == ["Nhắc lịch: từ hôm nay đến 05/12/2026 cần liên lạc với Nông Văn Bình. Xong thì /checkin."]

    at(clock, date(2026, 12, 4), 8)
    await run_tick(services)
    assert heard()[-1] == "Nhắc lịch: ngày mai (05/12/2026) là hạn cuối liên lạc với Nông Văn Bình. Xong thì /checkin."

    at(clock, date(2026, 12, 6), 8)
    await run_tick(services)
    await run_tick(services)
    assert heard()[-1].startswith("Hạn liên lạc với Nông Văn Bình là 05/12/2026 nhưng chưa được ghi nhận.")
    assert len(heard()) - before == 3


async def test_a_check_in_stops_the_reminders_for_that_month(world, services, clock):
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    at(clock, date(2026, 12, 2), 9)
    supervisor = await world.actor("supervisor1")
    await services.supervision.record_checkin(supervisor, CheckinInput(
        client_key="k1", person_id=person, contact=Contact.HOME_VISIT, status=Status.STABLE,
        happened_on=date(2026, 12, 2)))
    before = len(world.channel.texts("supervisor1"))
    for day in (3, 4, 6, 10):
        at(clock, date(2026, 12, day), 9)
        await run_tick(services)
    assert world.channel.texts("supervisor1")[before:] == []


async def test_nothing_is_sent_at_night_it_waits_for_seven_in_the_morning(world, services, clock):
    await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    before = len(world.channel.texts("supervisor1"))

    at(clock, date(2026, 12, 1), 0, 30)  # the window opens at midnight, during quiet hours
    await run_tick(services)
    at(clock, date(2026, 12, 1), 6, 59)
    await services.notifier.flush()
    assert world.channel.texts("supervisor1")[before:] == []

    at(clock, date(2026, 12, 1), 7, 0)
    await services.notifier.flush()
    assert len(world.channel.texts("supervisor1")) - before == 1


async def test_after_an_hour_of_downtime_what_fell_due_is_sent_once(world, services, settings, clock):
    from bot.app import Services

    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1", category=Category.RELEASED,
                               release_date=date(2026, 1, 1))
    police = await world.actor("police1")
    await services.supervision.set_appointment(police, person, datetime(2026, 12, 2, 9, 0, tzinfo=VIETNAM), "")
    invite = await services.accounts.create_invite(role=Role.RETURNEE, commune_id=police.person.commune_id,
                                                   person_id=person)
    await TextChat(services, "binh").says(f"/start {invite.code}")
    at(clock, date(2026, 12, 1), 6, 30)
    await run_tick(services)
    await world.services.close()  # down from 06:30 to 07:45: the 07:00 reminder was not sent

    at(clock, date(2026, 12, 1), 7, 45)
    restarted = await Services.start(settings, clock)
    restarted.notifier.pace(rate=10_000, per_chat=0.0)
    channel = RecordingChannel(Messenger.CONSOLE)
    restarted.notifier.register(channel)
    try:
        await run_tick(restarted)
        await run_tick(restarted)
        assert channel.texts("binh") == ["Nhắc lịch: ngày mai gặp cán bộ xã lúc 09:00.\nTrả lời “OK” khi anh/chị đã đọc tin này."]
    finally:
        await restarted.close()


async def test_people_can_opt_out_of_optional_reminders_but_not_of_appointments(world, services, clock):
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")  # án treo: monthly window
    police = await world.actor("police1")
    invite = await services.accounts.create_invite(role=Role.RETURNEE, commune_id=police.person.commune_id,
                                                   person_id=person)
    binh = TextChat(services, "binh")
    await binh.says(f"/start {invite.code}")
    await binh.says("/reminders")
    await binh.picks("Tắt")
    await services.supervision.set_appointment(police, person, datetime(2026, 12, 5, 14, 30, tzinfo=VIETNAM),
                                               "Tại trụ sở xã")

    at(clock, date(2026, 12, 4), 8)
    await run_tick(services)
    assert world.channel.texts("binh")[-1] == "Nhắc lịch: ngày mai gặp cán bộ xã lúc 14:30 (Tại trụ sở xã).\nTrả lời “OK” khi anh/chị đã đọc tin này."
    assert not any("ngày gặp người giúp đỡ" in t for t in world.channel.texts("binh"))

    await binh.says("/reminders")
    await binh.picks("Bật")
    assert binh.last.text.startswith("Trước khi gửi lời nhắc tùy chọn, tôi cần anh/chị đồng ý.")
    assert (await binh.picks("Tôi đồng ý")) == ["Cảm ơn anh/chị. Lời nhắc tùy chọn đã bật; sự đồng ý đã được ghi nhận."]
    at(clock, date(2027, 1, 4), 8)
    await run_tick(services)
    assert world.channel.texts("binh")[-1] == "Nhắc lịch: ngày mai (05/01/2027) là ngày gặp người giúp đỡ hoặc cán bộ xã.\nTrả lời “OK” khi anh/chị đã đọc tin này."


async def test_reminders_that_may_show_on_a_lock_screen_name_no_crime_sentence_or_status(world, services, clock):
    from bot import notices
    from bot.i18n import use_locale

    for kind, params in [("person_appointment", {"time": "09:00", "place": ""}),
                         ("person_window", {"deadline": "05/12/2026"}),
                         ("supervisor_window_open", {"name": "A", "deadline": "05/12/2026"}),
                         ("supervisor_window_last", {"name": "A", "deadline": "05/12/2026"}),
                         ("supervisor_overdue", {"name": "A", "deadline": "05/12/2026"})]:
        for locale in ("vi", "en"):
            with use_locale(locale):
                text = notices.render(kind, params)[0].text.lower()
            for word in ("án treo", "tù", "cải tạo", "tội", "án tích", "đối tượng", "prison", "sentence", "probation",
                         "crime", "suspended"):
                assert word not in text, (kind, locale, word)


async def test_an_alert_reaches_every_officer_at_once_even_at_night(world, services, clock):
    await onboard(services, Messenger.CONSOLE, "police2", Role.POLICE, name="Lò Văn Hùng")
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    at(clock, date(2026, 11, 22), 23, 15)
    supervisor = await world.actor("supervisor1")
    await services.supervision.record_checkin(supervisor, CheckinInput(
        client_key="night", person_id=person, contact=Contact.PHONE_CALL, status=Status.LEFT_LOCALITY,
        happened_on=date(2026, 11, 22)))
    await services.notifier.flush()

    expected = ("🔔 Cảnh báo. Nông Văn Bình (Thôn Nà Lay): đã rời khỏi địa phương\nTừ Lương Thị Hoa (không có ghi chú).\n"
                "Gửi /alerts để xem và xử lý.")
    assert world.channel.texts("police1")[-1] == expected
    assert world.channel.texts("police2")[-1] == expected


async def test_an_unclaimed_alert_is_escalated_after_four_hours_once(world, services, clock):
    from bot.storage.people import People as PeopleRepo

    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    police = await world.actor("police1")
    async with services.db.transaction() as tx:
        await PeopleRepo.set_flags(tx, police.person.id, is_head=1)
    at(clock, date(2026, 11, 23), 10)
    await services.supervision.record_checkin(await world.actor("supervisor1"), CheckinInput(
        client_key="c", person_id=person, contact=Contact.HOME_VISIT, status=Status.CONCERN,
        happened_on=date(2026, 11, 23)))
    await services.notifier.flush()
    sent = len(world.channel.texts("police1"))

    at(clock, date(2026, 11, 23), 13, 59)
    await run_tick(services)
    assert len(world.channel.texts("police1")) == sent
    at(clock, date(2026, 11, 23), 14, 0)
    await run_tick(services)
    await run_tick(services)
    assert world.channel.texts("police1")[sent:] == [
        "⏰ Chưa ai nhận cảnh báo này; đã gửi lại cho mọi cán bộ và Trưởng Công an xã. Nông Văn Bình (Thôn Nà Lay): "
        "có dấu hiệu đáng lo ngại\nGửi /alerts để xử lý."]


async def test_two_officers_pressing_at_the_same_moment_cannot_both_claim(world, services):
    await onboard(services, Messenger.CONSOLE, "police2", Role.POLICE, name="Lò Văn Hùng")
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    saved = await services.supervision.record_checkin(await world.actor("supervisor1"), CheckinInput(
        client_key="c", person_id=person, contact=Contact.HOME_VISIT, status=Status.NEEDS_SUPPORT,
        happened_on=date(2026, 11, 22)))
    one, two = await world.actor("police1"), await world.actor("police2")

    results = await asyncio.gather(services.alerting.claim(one, saved.alert.id),
                                   services.alerting.claim(two, saved.alert.id))

    assert sorted(won for won, _view in results) == [False, True]
    winner = next(view.claimed_by for won, view in results if won)
    assert all(view.claimed_by == winner for _won, view in results)


async def test_police_close_and_postpone_alerts_and_a_postponed_one_comes_back(world, services, clock):
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    await services.supervision.record_checkin(await world.actor("supervisor1"), CheckinInput(
        client_key="c", person_id=person, contact=Contact.HOME_VISIT, status=Status.UNREACHABLE,
        happened_on=date(2026, 11, 22)))
    police = world.police

    await police.says("/alerts")
    assert police.options == ["Nông Văn Bình (Thôn Nà Lay): không liên lạc được · mới"]
    await police.says("1")
    await police.picks("⏸ Hoãn")
    await police.picks("Đang nằm viện")
    said = await police.says("25/11/2026")
    assert said == ["Đã hoãn đến 25/11/2026. Cảnh báo sẽ mở lại vào sáng hôm đó."]

    before = len(world.channel.texts("police1"))
    at(clock, date(2026, 11, 25), 7, 0)
    await run_tick(services)
    assert world.channel.texts("police1")[before:] == [
        "🔔 Cảnh báo. Nông Văn Bình (Thôn Nà Lay): không liên lạc được\nTừ Lương Thị Hoa (không có ghi chú).\n"
        "Gửi /alerts để xem và xử lý."]

    await police.says("/alerts")
    await police.says("1")
    await police.picks("🙋 Tôi xử lý")
    await police.says("/alerts")
    await police.says("1")
    await police.picks("✅ Đã xong")
    assert (await police.says("Đã gặp, đang điều trị ở bệnh viện huyện")) == ["Đã đóng. Cảm ơn anh/chị."]
    assert (await police.says("/alerts")) == ["Không có cảnh báo nào đang mở."]


async def test_many_missed_check_ins_come_as_one_daily_digest(world, services, clock):
    for n in range(5):
        await world.enrol(f"Người Số {n}", supervisor="supervisor1", dob=date(1990, 1, n + 1))
    at(clock, date(2027, 1, 8), 9)  # deadline 05/01 + 3 days grace
    before = len(world.channel.texts("police1"))
    await run_tick(services)
    await run_tick(services)
    new = world.channel.texts("police1")[before:]
    assert len(new) == 1 and new[0].startswith("Quá hạn liên lạc hôm nay (5 người):")


async def test_a_few_missed_check_ins_come_one_by_one(world, services, clock):
    await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    at(clock, date(2027, 1, 8), 9)
    before = len(world.channel.texts("police1"))
    await run_tick(services)
    assert world.channel.texts("police1")[before:] == [
        "🔔 Cảnh báo. Nông Văn Bình (Thôn Nà Lay): quá hạn liên lạc\nGửi /alerts để xem và xử lý."]


async def test_police_deadlines_ending_probation_and_expungement_dates(world, services, clock):
    await world.enrol("Nông Văn Bình", supervisor="supervisor1", probation_start=date(2025, 12, 10),
                      probation_end=date(2026, 12, 10))
    await world.enrol("Lý Thị Mai", supervisor="supervisor2", category=Category.RELEASED,
                      penalty_type=PenaltyType.PRISON, penalty_months=24, release_date=date(2024, 12, 4))
    at(clock, date(2026, 12, 4), 8)
    await run_tick(services)
    await run_tick(services)
    heard = world.channel.texts("police1")
    assert ("Nhắc lịch: trước 05/12/2026, Trưởng Công an xã ký xếp loại tháng 11/2026, và điểm danh, kiểm diện tháng "
            "này (/rollcall). Còn 1 người chưa có xếp loại được ký. /grades") in heard
    [ending] = [t for t in heard if t.startswith("Hết thời gian thử thách hoặc quản lý trong 7 ngày tới:")]
    assert ending.splitlines()[1] == "• Nông Văn Bình: 10/12/2026"
    assert "Cơ quan thi hành án hình sự Công an tỉnh cấp giấy chứng nhận chấp hành xong" in ending and "/complete" in ending
    assert any(t.startswith("Lý Thị Mai có thể được xóa án tích từ ngày 04/12/2026") for t in heard)

    at(clock, date(2026, 12, 8), 8)
    await run_tick(services)
    assert world.channel.texts("police1")[-1] == ("Nhắc lịch: hạn gửi báo cáo năm lên tỉnh là trước 15/12/2026. "
                                                  "/report, chọn “Năm nay”.")
    assert sum("báo cáo năm" in t for t in world.channel.texts("police1")) == 1


async def test_someone_who_blocked_the_bot_is_marked_unreachable_and_police_are_told(world, services):
    class Blocked(RecordingChannel):
        async def send(self, chat_id, reply):
            if chat_id == "supervisor2":
                raise Unreachable("blocked")
            return await super().send(chat_id, reply)

    channel = Blocked(Messenger.CONSOLE)
    services.notifier.register(channel)
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    await services.supervision.assign(await world.actor("police1"), person, (await world.actor("supervisor2")).person.id)
    await services.notifier.flush()

    tam = await world.actor("supervisor2")
    assert tam.person.unreachable
    assert channel.texts("police1")[-1].startswith("🔔 Cảnh báo. Vi Văn Tám: tin nhắn của trợ lý không đến được (đã chặn trợ lý")
    async with services.db.reading() as conn:
        assert (await Outbox.counts(conn))["pending"] == 0


async def test_an_alert_says_who_raised_it_and_what_they_wrote_within_a_phone_screen(world, services):
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    note = "Uống rượu nhiều, vợ lo lắng. " + "Hàng xóm kể đêm qua có cãi nhau to. " * 10
    await services.supervision.record_checkin(await world.actor("supervisor1"), CheckinInput(
        client_key="noted", person_id=person, contact=Contact.HOME_VISIT, status=Status.CONCERN, note=note,
        happened_on=date(2026, 11, 22)))
    await services.notifier.flush()
    alert = world.channel.texts("police1")[-1]
    assert alert.startswith("🔔 Cảnh báo. Nông Văn Bình (Thôn Nà Lay): có dấu hiệu đáng lo ngại\n"
                            "Từ Lương Thị Hoa: “Uống rượu nhiều, vợ lo lắng. Hàng xóm kể")
    assert alert.endswith("…”\nGửi /alerts để xem và xử lý.") and len(alert) < 400

    police = world.police
    await police.says("/alerts")
    shown = await police.says("1")
    assert "Từ Lương Thị Hoa: “Uống rượu nhiều, vợ lo lắng." in shown[0]


async def test_an_appointment_says_whether_the_bot_can_remind_the_person(world, services):
    await world.enrol("Nông Văn Bình", supervisor="supervisor1")  # never joined the bot
    police = world.police
    await police.says("/appointment")
    await police.says("1")
    await police.says("5/1")  # an appointment: next January
    await police.says("9:00")
    said = await police.picks("Tại trụ sở xã")
    assert said == ["Đã lưu lịch hẹn với Nông Văn Bình lúc 09:00 05/01/2027. Nông Văn Bình chưa tham gia trợ lý (hoặc "
                    "không nhận được tin), nên không thể gửi lời nhắc: đề nghị báo trực tiếp cho người này."]


async def test_police_hear_whose_family_member_joined(world, services):
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    police = await world.actor("police1")
    invite = await services.accounts.create_invite(role=Role.FAMILY, commune_id=police.person.commune_id,
                                                   family_of=person, created_by=police.person)
    await TextChat(services, "lan").says(f"/start {invite.code}")
    await services.notifier.flush()
    assert world.channel.texts("police1")[-1] == "Một người thân của Nông Văn Bình đã tham gia bằng mã mời anh/chị tạo."
