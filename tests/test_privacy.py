"""Privacy: consent before optional messages, a copy of one's data, anonymisation after the
retention period (the audit log keeps who saw what), and logs without personal data or tokens."""

from __future__ import annotations

import json
import logging
from datetime import date

from bot.models import CloseReason, Contact, Messenger, Role, Status
from bot.services.supervision import CheckinInput
from tests.support.people import TextChat
from tests.support.recording import RecordingChannel
from tests.support.world import make_world


async def _returnee(world, services):
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1", family_name="Nông Thị Lan",
                               family_phone="0912345678", note="Cần hỗ trợ học nghề")
    police = await world.actor("police1")
    code = await services.accounts.create_invite(role=Role.RETURNEE, commune_id=police.person.commune_id,
                                                 person_id=person)
    binh = TextChat(services, "binh")
    await binh.says(f"/start {code.code}")
    return person, binh


async def test_no_optional_message_without_recorded_consent_and_consent_can_be_withdrawn(services, clock):
    world = await make_world(services)
    channel = RecordingChannel(Messenger.CONSOLE)
    services.notifier.register(channel)
    _person, binh = await _returnee(world, services)
    from tests.test_reminders_alerts import at, run_tick

    at(clock, date(2026, 12, 4), 9)
    await run_tick(services)
    assert channel.texts("binh") == []  # no consent yet: no optional reminder
    await binh.says("/reminders")
    await binh.picks("Bật")
    await binh.picks("Tôi đồng ý")
    async with services.db.reading() as conn:
        async with conn.execute("SELECT action FROM audit_log WHERE action LIKE 'consent.%'") as cur:
            assert [r[0] for r in await cur.fetchall()] == ["consent.give"]
    await binh.says("/reminders")
    await binh.picks("Tắt")
    at(clock, date(2027, 1, 4), 9)
    await run_tick(services)
    assert channel.texts("binh") == []


async def test_a_person_gets_a_copy_of_what_is_kept_about_them(services):
    world = await make_world(services)
    person, binh = await _returnee(world, services)
    await services.supervision.card(await world.actor("police1"), person)  # police look at the record

    await binh.says("/mydata")
    data = json.loads(binh.replies[0].attachment.data)

    assert data["person"]["full_name"] == "Nông Văn Bình"
    assert data["record"]["family_phone"] == "+84912345678"
    assert data["messenger_accounts"] == [{"messenger": "console", "created_at": data["messenger_accounts"][0]["created_at"]}]
    assert [v["role"] for v in data["who_looked_at_my_record"]] == ["police"]
    assert "Lý Thị Mai" not in binh.replies[0].attachment.data.decode()


async def test_personal_data_is_anonymised_after_the_retention_period_and_the_audit_log_stays(services, clock):
    world = await make_world(services)
    person, _binh = await _returnee(world, services)
    await services.supervision.record_checkin(await world.actor("supervisor1"), CheckinInput(
        client_key="p", person_id=person, contact=Contact.HOME_VISIT, status=Status.STABLE, happened_on=date(2026, 11, 22)))
    await services.supervision.close(await world.actor("police1"), person, CloseReason.EXPUNGED, date(2026, 11, 22))
    services.privacy.retention_days = 30

    clock.advance(days=30)
    assert await services.privacy.anonymise_due() == 0
    clock.advance(days=2)
    assert await services.privacy.anonymise_due() == 1
    assert await services.privacy.anonymise_due() == 0

    card = await services.supervision.card(await world.actor("police1"), person)
    assert card.record.full_name == f"#{person}" and card.record.family_phone == "" and card.record.note == ""
    assert card.record.date_of_birth == date(1990, 1, 1) and card.record.category.value == "suspended"
    assert len(card.checkins) == 1  # the figures stay
    actor = await services.accounts.identify(Messenger.CONSOLE, "binh", "binh")
    assert actor.person is None  # the messenger account is gone
    async with services.db.reading() as conn:
        async with conn.execute("SELECT action FROM audit_log WHERE subject_id = ? ORDER BY id", (person,)) as cur:
            actions = [r[0] for r in await cur.fetchall()]
    assert {"record.enrol", "checkin.add", "record.close", "privacy.anonymise"} <= set(actions)


async def test_logs_of_a_full_scenario_hold_no_personal_data_and_no_token(telegram, api, services, caplog):
    from tests.support.telegram_chat import TelegramPerson

    caplog.set_level(logging.DEBUG)
    world = await make_world(services)
    person, binh = await _returnee(world, services)
    await binh.says("/contact")
    await binh.says("Tôi bị chủ xưởng trả lương thấp, số tôi 0987000111")
    await binh.says("toi co dc vay von ko")
    hoa = world.supervisors["supervisor1"]
    for answer in ("/checkin", "1", "1", "3", "Thêm ghi chú"):
        await (hoa.says(answer) if answer[0] in "/0123456789" else hoa.picks(answer))
    await hoa.says("Uống rượu, cãi nhau với vợ")
    await hoa.picks("✅ Lưu")
    stranger = TelegramPerson(telegram, api, 9999)
    await stranger.says("Tôi là Trần Văn Khách, CCCD 001088012345")
    await services.notifier.flush()

    logs = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in ("Nông Văn Bình", "Nông Thị Lan", "0912345678", "912345678", "0987000111", "Uống rượu", "Trần Văn Khách",
                   "001088012345", "Lương Thị Hoa", api.token, api.token.split(":")[1]):
        assert secret not in logs, secret
    assert person


async def test_privacy_fits_a_phone_screen_and_a_stranger_reads_it_too(services):
    world = await make_world(services)
    _person, binh = await _returnee(world, services)

    said = await binh.says("/privacy")

    assert len(said) == 1 and len(said[0]) <= 600 and said[0].count("\n") <= 4  # one screen of a cheap phone
    assert "Luật 91/2025/QH15" in said[0] and "/mydata" in said[0] and "/reminders" in said[0]
    assert binh.options == ["Đề nghị sửa thông tin", "Đề nghị xóa thông tin", "Bản sao dữ liệu của tôi"]
    stranger = await TextChat(services, "passer-by").says("/privacy")
    assert stranger == [said[0]]


async def test_a_person_asks_for_a_deletion_police_decide_and_the_person_is_told_why(services):
    channel = RecordingChannel(Messenger.CONSOLE)
    services.notifier.register(channel)
    world = await make_world(services)
    _person, binh = await _returnee(world, services)

    await binh.says("/privacy")
    await binh.picks("Đề nghị xóa thông tin")
    said = await binh.says("Xin xóa số điện thoại của vợ tôi, cô ấy không muốn bị gọi")
    await services.notifier.flush()

    assert said == ["Đề nghị của anh/chị đã được gửi tới Công an xã. Quyết định và lý do sẽ được gửi về đây."]
    assert channel.texts("police1")[-1] == "Nông Văn Bình đề nghị xóa dữ liệu cá nhân. Xem và quyết định bằng /datarequests."
    police = world.police
    await police.says("/datarequests")
    await police.picks(police.options[0])
    assert police.last.text.startswith("Nông Văn Bình đề nghị xóa thông tin: “Xin xóa số điện thoại của vợ tôi")
    assert "Xã được giữ:" in police.last.text
    await police.picks("Đã làm theo đề nghị")
    said = await police.says("Đã xóa số điện thoại người thân khỏi hồ sơ.")
    await services.notifier.flush()

    assert said == ["Đã lưu. Đã báo cho Nông Văn Bình."]
    assert channel.texts("binh")[-1] == ("Công an xã đã trả lời đề nghị xóa thông tin của anh/chị: đã làm theo đề nghị.\n"
                                         "“Đã xóa số điện thoại người thân khỏi hồ sơ.”")
    assert (await police.says("/datarequests")) == ["Không có đề nghị nào về dữ liệu cá nhân đang chờ."]
    async with services.db.reading() as conn:
        async with conn.execute("SELECT action FROM audit_log WHERE action LIKE 'privacy.%' ORDER BY id") as cur:
            assert [r[0] for r in await cur.fetchall()] == ["privacy.request", "privacy.decide"]
    await binh.says("/mydata")
    data = json.loads(binh.replies[0].attachment.data)
    assert data["requests_about_my_data"][0]["outcome"] == "done"
