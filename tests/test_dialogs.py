"""Dialogues on a text channel (console / Zalo rules): choices numbered, answered by number or words."""

from __future__ import annotations

from bot.models import Messenger, Role
from tests.support.people import TextChat, onboard


async def test_a_stranger_learns_what_the_bot_is_and_how_to_get_a_code(services):
    stranger = TextChat(services, "stranger")

    said = await stranger.says("xin chào")

    assert len(said) == 1
    assert "Hòa Nhập" in said[0]
    assert "mã mời" in said[0]  # told how to get in: an invite code
    assert stranger.last.choices == ()  # and offered nothing else


async def test_a_stranger_who_types_a_valid_code_becomes_a_supervisor(services):
    invite = await services.accounts.create_invite(role=Role.SUPERVISOR, commune_name="Xã Mẫu Sơn")
    newcomer = TextChat(services, "newcomer")

    said = await newcomer.says(invite.code.lower().replace("-", " "))

    assert "Tổ bảo vệ" in said[0] or "giám sát" in said[0]
    assert "Xã Mẫu Sơn" in said[0]
    actor = await services.accounts.identify(Messenger.CONSOLE, "newcomer", "newcomer")
    assert actor.role is Role.SUPERVISOR


async def test_codes_that_are_mistyped_used_or_expired_get_a_clear_answer(services, clock):
    invite = await services.accounts.create_invite(role=Role.RETURNEE, commune_name="Xã Mẫu Sơn")
    first, second, late = TextChat(services, "a"), TextChat(services, "b"), TextChat(services, "c")

    assert "không tìm thấy" in (await first.says("/start ZZZZ-ZZZZ"))[0]
    await first.says(f"/start {invite.code}")
    assert "đã được dùng" in (await second.says(f"/start {invite.code}"))[0]

    old = await services.accounts.create_invite(role=Role.RETURNEE, commune_name="Xã Mẫu Sơn")
    clock.advance(days=7, seconds=1)
    assert "hết hạn" in (await late.says(f"/start {old.code}"))[0]


async def test_police_create_an_invite_by_number_and_by_words(services):
    await onboard(services, Messenger.CONSOLE, "police1", Role.POLICE)
    police = TextChat(services, "police1")

    await police.says("/invite")
    assert police.options == ["Tổ viên Tổ bảo vệ an ninh, trật tự", "Người tái hòa nhập hoặc người chấp hành án tại cộng đồng",
                              "Người thân trong gia đình", "Cán bộ Công an xã"]
    await police.says("to vien to bao ve")  # the words, typed without diacritics
    await police.says("Lương Thị Hoa")
    code_line = police.replies[0].text

    assert "Mã mời" in code_line and "29/11/2026" in code_line  # valid 7 days, shown dd/mm/yyyy
    code = code_line.split(": ", 1)[1].split()[0]
    joined = TextChat(services, "hoa")
    await joined.says(f"/start {code}")
    actor = await services.accounts.identify(Messenger.CONSOLE, "hoa", "hoa")
    assert actor.role is Role.SUPERVISOR and actor.person.full_name == "Lương Thị Hoa"


async def test_the_inviting_officer_is_told_in_their_own_language_when_someone_joins(services):
    from tests.support.recording import RecordingChannel

    police = await onboard(services, Messenger.CONSOLE, "police1", Role.POLICE, locale="en")
    channel = RecordingChannel(Messenger.CONSOLE)
    services.notifier.register(channel)
    officer = await services.accounts.identify(Messenger.CONSOLE, "police1", "police1")
    invite = await services.accounts.create_invite(
        role=Role.SUPERVISOR, commune_id=police.commune_id, created_by=officer.person, full_name="Vi Văn Tám"
    )

    await TextChat(services, "tam").says(f"/start {invite.code}")  # Tám writes in Vietnamese

    assert channel.texts("police1") == ["Vi Văn Tám has joined as a village supervisor."]


async def test_only_police_may_create_invites(services):
    await onboard(services, Messenger.CONSOLE, "sup", Role.SUPERVISOR)
    supervisor, stranger = TextChat(services, "sup"), TextChat(services, "nobody")

    assert "không dành cho" in (await supervisor.says("/invite"))[0]
    assert "không dành cho" in (await stranger.says("/invite"))[0]


async def test_cancel_leaves_the_conversation_in_every_state(services):
    await onboard(services, Messenger.CONSOLE, "police1", Role.POLICE)
    police = TextChat(services, "police1")

    for steps in ([], ["1"]):  # at the first question, and at the second
        await police.says("/invite")
        for step in steps:
            await police.says(step)
        assert "Đã hủy" in (await police.says("/cancel"))[0]
        assert "Không có gì để hủy" in (await police.says("/cancel"))[0]


async def test_language_is_stored_and_everything_after_is_in_english(services):
    await onboard(services, Messenger.CONSOLE, "police1", Role.POLICE)
    police = TextChat(services, "police1")

    await police.says("/language")
    assert police.options == ["Tiếng Việt", "English"]
    assert (await police.says("english"))[0].startswith("Done: I will speak English")
    await police.says("/invite")

    assert police.last.text == "Who is the invite code for?"


async def test_garbage_in_every_state_gets_a_polite_answer_and_the_question_again(services):
    await onboard(services, Messenger.CONSOLE, "police1", Role.POLICE)
    police = TextChat(services, "police1")
    garbage = ["", "   ", "\u202e\u0000\u0007", "x" * 4096, "🙂" * 50, "/nonsense", "99", "/start", "/invite"]

    for text in garbage:
        await police.says("/cancel")
        await police.says("/invite")
        said = await police.says(text)
        assert said, f"no answer to {text!r}"
        assert police.last.text.startswith("Mã mời này dành cho ai") or not text.strip(), text

    await police.says(None)  # a photo where text was expected
    assert police.replies[0].text.startswith("Xin lỗi, ở đây tôi chỉ đọc được tin nhắn chữ")
    assert police.last.text.startswith("Mã mời này dành cho ai")


async def test_an_unknown_command_outside_a_conversation(services):
    assert "Tôi không biết lệnh này" in (await TextChat(services, "x").says("/frobnicate"))[0]


async def test_the_main_menu_answers_by_number(services):
    await onboard(services, Messenger.CONSOLE, "police1", Role.POLICE)
    police = TextChat(services, "police1")

    await police.says("/help")
    assert police.options == ["Cảnh báo", "Yêu cầu giúp đỡ", "Tiếp nhận người mới", "Danh sách của xã",
                              "Nhận xét, xếp loại hằng tháng", "Nhận xét, đánh giá định kỳ", "Sửa lần liên lạc",
                              "Đặt lịch hẹn", "Báo cáo", "Ghi tuyên truyền, tin báo", "Đăng tin việc làm, học nghề",
                              "Tạo mã mời", "Ngôn ngữ"]
    await police.says("12")

    assert police.last.text == "Mã mời này dành cho ai?"


async def test_a_conversation_survives_a_restart(settings, clock):
    from bot.app import Services

    first = await Services.start(settings, clock)
    await onboard(first, Messenger.CONSOLE, "police1", Role.POLICE)
    await TextChat(first, "police1").says("/invite")
    await TextChat(first, "police1").says("4")
    await first.close()

    second = await Services.start(settings, clock)
    try:
        police = TextChat(second, "police1")
        said = await police.says("Nông Văn Bình")
        assert "Mã mời cho cán bộ Công an xã" in said[0]
    finally:
        await second.close()


async def test_help_lists_what_this_person_can_do_now_grouped_and_short(services):
    await onboard(services, Messenger.CONSOLE, "police1", Role.POLICE)
    police = TextChat(services, "police1")
    text = (await police.says("/help"))[0]
    lines = text.splitlines()
    assert lines[0] == "Cán bộ Công an xã có thể:"
    for command in ("/alerts", "/requests", "/enrol", "/people", "/assess", "/checkins", "/appointment", "/report",
                    "/outreach", "/post", "/invite"):  # everything the menu holds, by its command
        assert any(line.startswith(command + " ") for line in lines), command
    account = lines.index("Tài khoản:")
    assert any(line.startswith("/language ") for line in lines[account:])
    assert len(lines) <= 30 and not any("/checkin " in line for line in lines)  # nothing they cannot use

    await onboard(services, Messenger.CONSOLE, "sup1", Role.SUPERVISOR)
    supervisor = (await TextChat(services, "sup1").says("/help"))[0].splitlines()
    assert any(line.startswith("/checkin ") for line in supervisor) and not any(
        line.startswith("/enrol ") for line in supervisor)
