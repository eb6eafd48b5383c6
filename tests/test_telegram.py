"""The real PTB Application, fed updates in-process; its HTTP calls answered by the fake Bot API."""

from __future__ import annotations

import json
from datetime import date, timedelta

from bot.app import Services
from bot.models import Messenger, Role
from handlers.events import to_inbound
from tests.support.people import onboard
from tests.support.telegram_chat import TelegramPerson

POLICE_ID, OTHER_ID = 5001, 5002


async def police(telegram, api, services) -> TelegramPerson:
    await onboard(services, Messenger.TELEGRAM, str(POLICE_ID), Role.POLICE)
    return TelegramPerson(telegram, api, POLICE_ID)


async def test_a_stranger_gets_the_explanation_and_no_buttons(telegram, api):
    stranger = TelegramPerson(telegram, api, 4242)

    said = await stranger.says("/start")

    assert len(said) == 1 and "mã mời" in said[0]
    assert api.all_to(4242)[-1].buttons == []


async def test_an_invited_officer_onboards_with_a_deep_link_and_gets_their_command_menu(telegram, api, services):
    invite = await services.accounts.create_invite(role=Role.POLICE, commune_name="Xã Mẫu Sơn")
    assert invite.deep_link == f"https://t.me/HoaNhapTestBot?start={invite.code.replace('-', '')}"  # username learnt from getMe
    officer = TelegramPerson(telegram, api, 777)

    said = await officer.says(f"/start {invite.code}")

    assert said[0] == "Chào mừng! Anh/chị đã đăng ký với vai trò cán bộ Công an xã (Xã Mẫu Sơn)."
    assert said[1].startswith("Họ và tên đầy đủ của anh/chị?")  # invited without a name
    assert (await officer.says("Hoàng Văn Minh"))[0] == "Cảm ơn Hoàng Văn Minh."
    assert officer.buttons == ["Cảnh báo", "Yêu cầu giúp đỡ", "Tiếp nhận người mới", "Danh sách của xã",
                               "Nhận xét, xếp loại hằng tháng", "Nhận xét, đánh giá định kỳ", "Sửa lần liên lạc", "Đặt lịch hẹn", "Báo cáo",
                               "Ghi tuyên truyền, tin báo", "Đăng tin việc làm, học nghề", "Tạo mã mời", "Ngôn ngữ"]
    assert api.commands_for_chat(777) == ["alerts", "requests", "enrol", "people", "ask", "jobs", "loan",
                                          "expungement", "grades", "periodic", "rollcall", "breach", "reviews",
                                          "absences", "shortening", "complete", "assess", "checkins", "appointment",
                                          "report", "outreach", "post", "invite", "members", "datarequests",
                                          "language", "myname", "privacy", "help", "linkcode", "mydata", "cancel"]


async def test_police_create_an_invite_with_buttons(telegram, api, services):
    officer = await police(telegram, api, services)

    await officer.says("/invite")
    await officer.presses("Tổ viên Tổ bảo vệ an ninh, trật tự")
    said = await officer.presses("Bỏ qua")

    assert said[0].startswith("Mã mời cho tổ viên Tổ bảo vệ an ninh, trật tự: ")
    assert said[1].startswith("Gửi họ đường dẫn này")


async def test_language_switch_changes_answers_and_command_menu(telegram, api, services):
    officer = await police(telegram, api, services)

    await officer.says("/language")
    said = await officer.presses("English")

    assert said == ["Done: I will speak English with you. Send /help to see what you can do."]
    assert (await officer.says("/invite"))[0] == "Who is the invite code for?"
    menu = next(v for k, v in api.commands.items() if json.loads(k)[0].get("chat_id") == POLICE_ID)
    assert menu[0] == {"command": "alerts", "description": "Alerts"}


async def test_a_pressed_button_loses_its_keyboard_and_an_old_one_is_refused(telegram, api, services):
    officer = await police(telegram, api, services)
    await officer.says("/invite")
    question = officer.last_with_buttons()
    await officer.presses("Cán bộ Công an xã", question)

    assert "reply_markup" not in api.messages[(POLICE_ID, question.message_id)]  # keyboard retired
    said = await officer.presses("Cán bộ Công an xã", question)  # pressed again on a stale copy
    assert said[0].startswith("Nút này thuộc câu hỏi trước")
    assert said[-1].startswith("Gõ họ tên người nhận mã")  # still at the name question
    assert all(a.get("callback_query_id") for a in api.callback_answers)  # every press answered


async def test_forged_callback_data_gets_a_polite_answer(telegram, api, services):
    officer = await police(telegram, api, services)
    stranger = TelegramPerson(telegram, api, 999)

    for forged in ["", "x" * 64, "invite:role|role:province", "menu|go:nothing", "\u202e|\u0000"]:
        said = await stranger.presses_data(forged) if api.all_to(999) else None
        if said is None:
            await stranger.says("/start")
            said = await stranger.presses_data(forged)
        assert said == ["Nút này không còn hiệu lực. Gửi /help để xem anh/chị có thể làm gì."], forged

    await officer.says("/invite")
    said = await officer.presses_data("invite:role|role:province")  # not one of the offered roles
    assert said[0].startswith("Nút này thuộc câu hỏi trước")


async def test_a_stranger_cannot_start_a_police_flow_from_a_forged_menu_button(telegram, api):
    stranger = TelegramPerson(telegram, api, 31337)
    await stranger.says("/start")

    said = await stranger.presses_data("menu|go:invite")

    assert said == ["Xin lỗi, chức năng này không dành cho anh/chị. Gửi /help để xem anh/chị có thể làm gì."]


async def test_garbage_unknown_commands_huge_messages_and_photos(telegram, api, services):
    officer = await police(telegram, api, services)
    stranger = TelegramPerson(telegram, api, 8080)

    assert (await officer.says("/frobnicate"))[0].startswith("Tôi không biết lệnh này")
    assert (await stranger.says("x" * 4096))[0].startswith("Xin chào! Đây là Hòa Nhập")
    assert (await stranger.sends_photo())[0] == "Xin lỗi, ở đây tôi chỉ đọc được tin nhắn chữ."

    await officer.says("/invite")
    assert (await officer.says("\u0000\u202e" + "ă" * 4094))[-1] == "Mã mời này dành cho ai?"
    assert (await officer.sends_photo())[-1] == "Mã mời này dành cho ai?"
    said = await officer.says("/help")  # answered, and the question asked again
    assert said[0].startswith("Cán bộ Công an xã có thể") and said[-1] == "Mã mời này dành cho ai?"
    said = await officer.says("/language")  # another conversation: the invite is left, saying so
    assert said[0] == "Đã dừng: Tạo mã mời (gửi /invite để làm lại)." and officer.buttons[:2] == ["Tiếng Việt", "English"]
    assert (await officer.says("/cancel"))[0].startswith("Đã hủy")
    assert (await officer.says("/cancel"))[0].startswith("Không có gì để hủy")


async def test_an_error_inside_a_step_gets_an_apology_and_the_bot_keeps_serving(telegram, api, services, monkeypatch, caplog):
    officer = await police(telegram, api, services)
    other = TelegramPerson(telegram, api, OTHER_ID)

    async def broken(**kwargs):
        raise RuntimeError("database exploded while reading Nguyễn Văn Ba")

    monkeypatch.setattr(services.accounts, "create_invite", broken)
    await officer.says("/invite")
    await officer.presses("Cán bộ Công an xã")
    said = await officer.says("Nguyễn Văn Ba")

    assert said == ["Xin lỗi, hệ thống vừa gặp lỗi. Những gì anh/chị đã xác nhận trước đó vẫn được lưu. "
                    "Vui lòng thử lại sau ít phút."]
    assert "Nguyễn Văn Ba" not in caplog.text and "RuntimeError" in caplog.text
    assert (await other.says("/start"))[0].startswith("Xin chào! Đây là Hòa Nhập")


async def test_conversation_state_and_draft_reach_sqlite_after_each_update(telegram, api, services):
    officer = await police(telegram, api, services)

    await officer.says("/invite")
    await officer.presses("Tổ viên Tổ bảo vệ an ninh, trật tự")

    async with services.db.reading() as conn:
        async with conn.execute("SELECT chat_key, state, data FROM dialogs WHERE channel = 'telegram'") as cur:
            [(chat, state, data)] = await cur.fetchall()
    assert (chat, state) == (str(POLICE_ID), "invite:name")
    assert json.loads(data)["role"] == "supervisor"


async def test_a_supervisor_cannot_check_in_on_someone_elses_person_with_a_forged_button(telegram, api, services):
    from tests.support.world import make_world

    world = await make_world(services)
    mine = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    theirs = await world.enrol("Lý Thị Mai", supervisor="supervisor2", village="Thôn Khuổi Cưởm")
    await onboard(services, Messenger.TELEGRAM, "6001", Role.SUPERVISOR, name="Hà Văn Sơn")
    son = await services.accounts.identify(Messenger.TELEGRAM, "6001", "6001")
    police = await world.actor("police1")
    await services.supervision.assign(police, mine, son.person.id)
    supervisor = TelegramPerson(telegram, api, 6001)

    await supervisor.says("/checkin")
    assert supervisor.buttons == ["Nông Văn Bình · Thôn Nà Lay"]
    said = await supervisor.presses_data(f"checkin:person|p:{theirs}")

    assert said[0] == "Nút này thuộc câu hỏi trước. Vui lòng trả lời câu hỏi bên dưới."
    assert said[-1] == "Anh/chị đã thăm hoặc gọi cho ai?"
    assert "Lý Thị Mai" not in " ".join(s.text for s in api.all_to(6001))


async def test_a_photo_and_a_location_attach_to_a_check_in(telegram, api, services):
    from tests.support.world import make_world

    world = await make_world(services)
    person = await world.enrol("Nông Văn Bình")
    await onboard(services, Messenger.TELEGRAM, "6002", Role.SUPERVISOR, name="Hà Văn Sơn")
    son = await services.accounts.identify(Messenger.TELEGRAM, "6002", "6002")
    await services.supervision.assign(await world.actor("police1"), person, son.person.id)
    supervisor = TelegramPerson(telegram, api, 6002)

    await supervisor.says("/checkin")
    await supervisor.presses("Nông Văn Bình · Thôn Nà Lay")
    await supervisor.presses("Thăm tại nhà")
    await supervisor.presses("Ổn định")
    assert (await supervisor.sends_photo())[0] == "Đã kèm ảnh."
    update = await api.user_says(6002, "x")
    update["message"].pop("text")
    update["message"]["location"] = {"latitude": 21.85, "longitude": 106.76}
    assert [s.text for s in await supervisor._process(update)][0] == "Đã kèm vị trí."
    await supervisor.presses("✅ Lưu")

    card = await services.supervision.card(await world.actor("police1"), person)
    assert card.checkins[0].photo == "photo-1" and card.checkins[0].latitude == 21.85


async def test_a_long_list_is_split_into_several_messages_at_line_breaks(telegram, api, services):
    from tests.support.world import make_world

    world = await make_world(services)
    await onboard(services, Messenger.TELEGRAM, "6100", Role.SUPERVISOR, name="Hà Văn Sơn")
    son = await services.accounts.identify(Messenger.TELEGRAM, "6100", "6100")
    police = await world.actor("police1")
    for n in range(60):
        person = await world.enrol(f"Người Có Tên Khá Dài Số {n:02d}", village="Thôn Khuổi Cưởm Xa Xôi",
                                   dob=date(1980, 1, 1) + timedelta(days=n))
        await services.supervision.assign(police, person, son.person.id)
    await services.notifier.flush()  # the 60 "you now follow" notices, before the list

    said = await TelegramPerson(telegram, api, 6100).says("/mylist")

    assert len(said) >= 2 and all(len(text) <= 4096 for text in said)
    lines = "\n".join(said).splitlines()
    assert sum(1 for line in lines if "Người Có Tên Khá Dài Số" in line) == 60  # nothing lost, no line cut
    assert api.all_to(6100)[-1].labels == ["Ghi nhận liên lạc"]


def test_split_text_keeps_words_and_lines_whole():
    from bot.textnorm import split_text

    assert split_text("short", 10) == ["short"]
    assert split_text("line one\nline two\nline three", 18) == ["line one\nline two", "line three"]
    assert split_text("word " * 5, 11) == ["word word", "word word", "word"]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


async def test_a_state_whose_draft_was_lost_ends_politely_instead_of_failing_forever(telegram, api, services):
    officer = await police(telegram, api, services)
    await officer.says("/invite")
    await officer.presses("Cán bộ Công an xã")
    async with services.db.transaction() as tx:  # as if an older version had kept the state but not the draft
        await tx.execute("UPDATE dialogs SET data = '{}' WHERE chat_key = ?", (str(POLICE_ID),))

    said = await officer.says("Lò Văn Hùng")

    assert said == ["Xin lỗi, không thể tiếp tục cuộc trò chuyện này. Vui lòng bắt đầu lại."]
    assert (await officer.says("/invite"))[0] == "Mã mời này dành cho ai?"  # and the person can start again


async def test_an_update_delivered_twice_is_handled_once_in_this_process_and_after_a_restart(telegram, api, services):
    from telegram import Update

    officer = await police(telegram, api, services)
    await officer.says("/invite")
    pressed = await api.user_presses(POLICE_ID, officer.last_with_buttons(), "Tổ viên Tổ bảo vệ an ninh, trật tự")
    api.updates.remove(pressed)

    async def deliver() -> list[str]:
        before = len(api.all_to(POLICE_ID))
        await telegram.process_update(Update.de_json(pressed, telegram.bot))
        return [s.text for s in api.all_to(POLICE_ID)[before:]]

    first = await deliver()
    assert first and "tên" in first[-1].lower()  # asked for the name
    assert await deliver() == []  # Telegram sent it again (a retried getUpdates): nothing happens twice
    restarted = await Services.start(services.settings, services.clock)  # another process on the same database
    try:
        assert await restarted.pipeline.handle_now(to_inbound(Update.de_json(pressed, telegram.bot))) == []
    finally:
        await restarted.close()
    # and the next update, numbered higher, is handled as usual
    assert await officer.says("Nguyễn Văn Tư")


async def test_a_report_reaches_an_officer_on_telegram_as_a_file_and_a_chart(telegram, api, services):
    officer = await police(telegram, api, services)
    await officer.says("/report")
    said = await officer.says("1")  # this month
    assert said[0].startswith("Báo cáo Xã Mẫu Sơn")
    await services.pipeline.delivered()
    kinds = [method for method, _params in api.calls if method in ("sendDocument", "sendPhoto")]
    assert kinds == ["sendDocument", "sendPhoto"]
