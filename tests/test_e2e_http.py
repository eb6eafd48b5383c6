"""End to end over real HTTP: the bot polls a fake Telegram Bot API server on 127.0.0.1.

The first tests run the application in this process with real long polling; the last one runs
``hoanhap run`` as a separate process and kills it with SIGKILL in the middle of a conversation.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import replace

import pytest

from bot.clock import VIETNAM
from bot.models import Messenger, Role
from tests.support.fake_telegram import FakeTelegramServer

STRANGER, OFFICER = 1101, 1102


@pytest.fixture
async def server(api):
    server = await FakeTelegramServer(api).start()
    yield server
    await server.stop()


@pytest.fixture
async def polling_bot(services, server):
    from bot.runtime.dispatcher import Dispatcher
    from handlers.app import build_application, on_startup
    from handlers.polling import poll

    services.settings = replace(services.settings, telegram_base_url=server.base_url)
    application = build_application(services)
    dispatcher = Dispatcher(services.pipeline, 8)
    stop = asyncio.Event()
    async with application:
        await on_startup(application)
        polling = asyncio.create_task(poll(application.bot, dispatcher, stop))
        yield application
        stop.set()
        await polling
        await dispatcher.stop()


async def test_stranger_officer_language_and_cancel_over_http(polling_bot, server, services):
    api = server.api
    await api.user_says(STRANGER, "chào bạn")
    [intro] = await api.wait_sent(STRANGER)
    assert intro.text.startswith("Xin chào! Đây là Hòa Nhập") and intro.buttons == []

    invite = await services.accounts.create_invite(role=Role.POLICE, commune_name="Xã Mẫu Sơn")
    await api.user_says(OFFICER, f"/start {invite.code}")
    welcome, asked = await api.wait_sent(OFFICER, 2)
    assert welcome.text == "Chào mừng! Anh/chị đã đăng ký với vai trò cán bộ Công an xã (Xã Mẫu Sơn)."
    assert asked.text.startswith("Họ và tên đầy đủ của anh/chị?")  # the code was made without a name
    await api.user_says(OFFICER, "Hoàng Văn Minh")
    _thanks, menu = await api.wait_sent(OFFICER, 2)

    await api.user_presses(OFFICER, menu, "Ngôn ngữ")
    [question] = await api.wait_sent(OFFICER)
    await api.user_presses(OFFICER, question, "English")
    [done] = await api.wait_sent(OFFICER)
    assert done.text.startswith("Done: I will speak English")

    await api.user_says(OFFICER, "/invite")
    [roles] = await api.wait_sent(OFFICER)
    assert roles.labels == ["Village supervisor", "Returnee or person under community supervision",
                            "Family member", "Commune police officer"]
    await api.user_says(OFFICER, "/cancel")
    [cancelled] = await api.wait_sent(OFFICER)
    assert cancelled.text == "Cancelled. Nothing was saved. Send /help to see what you can do."
    await api.user_says(OFFICER, "Nguyễn Văn Ba")  # no longer an answer to anything: taken as a question
    [topics] = await api.wait_sent(OFFICER)
    # A name is no question the knowledge base answers: no legal text, a choice of what to ask instead.
    assert "Source:" not in topics.text and topics.text in ("Sorry, I have no answer to that. Choose a topic below, "
                                                            "or talk to a person at the commune.",
                                                            "Did you mean one of these?")
    assert topics.labels[-1] in ("Talk to a person", "Something else")


async def _start_bot(env: dict, cwd) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )


async def _invite_by_command_line(env: dict, cwd) -> str:
    made = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "invite", "--role", "police", "--commune", "Xã Mẫu Sơn", env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await made.communicate()
    assert made.returncode == 0, err.decode()
    return out.decode().split("code: ", 1)[1].split()[0]


async def _until(predicate, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


def _open_inbox_rows(db_path) -> int:
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL").fetchone()[0]
    finally:
        conn.close()


def _saved_state(db_path) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        return [r[0] for r in conn.execute("SELECT state FROM dialogs WHERE state IS NOT NULL")]
    finally:
        conn.close()


@pytest.mark.parametrize("kill_at", ["right after the reply", "after the turn is finished"])
async def test_a_conversation_resumes_after_the_process_is_killed(server, env, tmp_path, kill_at):
    api = server.api
    child_env = {**os.environ, **env, "HOANHAP_TELEGRAM_BASE_URL": server.base_url}
    # The bot runs in another process on the real clock, so the invite is made by that clock too
    # (the command line, as an operator would), never by the suite's fixed one.
    invite = await _invite_by_command_line(child_env, tmp_path)

    bot = await _start_bot(child_env, tmp_path)
    try:
        await api.user_says(OFFICER, f"/start {invite}")
        await api.wait_sent(OFFICER, 2, timeout=30)  # welcome, and the name question (invited without one)
        await api.user_says(OFFICER, "Hoàng Văn Minh")
        await api.wait_sent(OFFICER, 2, timeout=30)
        await api.user_says(OFFICER, "/invite")
        [roles] = await api.wait_sent(OFFICER)
        await api.user_presses(OFFICER, roles, "Cán bộ Công an xã")
        [name_question] = await api.wait_sent(OFFICER)
        assert name_question.text.startswith("Gõ họ tên người nhận mã")
        if kill_at == "after the turn is finished":
            await _until(lambda: _saved_state(env["HOANHAP_DB"]) == ["invite:name"])
            await _until(lambda: not api.updates)  # the next getUpdates confirmed it (it is in the inbox)
            await _until(lambda: _open_inbox_rows(env["HOANHAP_DB"]) == 0)  # and its replies are known delivered
    finally:
        bot.send_signal(signal.SIGKILL)  # no shutdown, no flush
        await bot.wait()

    polls = api.polls
    bot = await _start_bot(child_env, tmp_path)
    try:
        # Polling, with nothing left unconfirmed: what was unfinished at the kill is handled again.
        await _until(lambda: api.polls > polls and not api.updates)
        replayed = [s.text for s in api.take_pending(OFFICER)]
        # At worst the last question is asked once more; nothing is lost, nothing else repeated.
        assert replayed == ([name_question.text] if kill_at == "right after the reply" else [])
        await api.user_says(OFFICER, "Lý Thị Mai")
        [code, how] = await api.wait_sent(OFFICER, 2)
        assert code.text.startswith("Mã mời cho cán bộ Công an xã: ")
        assert how.text.startswith("Gửi họ đường dẫn này")
    finally:
        bot.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(bot.communicate(), 20)
    log = stderr.decode()
    assert api.token not in log and api.token.split(":")[1] not in log
    assert "Lý Thị Mai" not in log and "Traceback" not in log


SUPERVISOR = 1103


async def _say(api, chat_id: int, text: str, replies: int = 1):
    await api.user_says(chat_id, text)
    return await api.wait_sent(chat_id, replies)


async def _press(api, chat_id: int, label: str, replies: int = 1):
    message = next(s for s in reversed(api.all_to(chat_id)) if s.buttons)
    await api.user_presses(chat_id, message, label)
    return await api.wait_sent(chat_id, replies)


async def test_police_enrol_and_assign_the_supervisor_checks_in_with_four_taps_police_see_it(polling_bot, server, services):
    api = server.api
    police_code = await services.accounts.create_invite(role=Role.POLICE, commune_name="Xã Mẫu Sơn", full_name="Hoàng Văn Minh")
    await _say(api, OFFICER, f"/start {police_code.code}", 2)
    supervisor_code = await services.accounts.create_invite(role=Role.SUPERVISOR, commune_name="Xã Mẫu Sơn",
                                                            full_name="Lương Thị Hoa")
    await _say(api, SUPERVISOR, f"/start {supervisor_code.code}", 2)

    await _say(api, OFFICER, "/enrol")
    for answer in ("Nông Văn Bình", "17/05/1990", "Thôn Nà Lay"):
        await _say(api, OFFICER, answer)
    await _press(api, OFFICER, "Người chấp hành xong án phạt tù")
    await _press(api, OFFICER, "Phạt tù")
    for answer in ("3 năm", "01/06/2025"):
        await _say(api, OFFICER, answer)
    await _press(api, OFFICER, "Không có")
    await _press(api, OFFICER, "Bỏ qua")
    [summary] = await _press(api, OFFICER, "Bỏ qua")
    assert "Diện: người chấp hành xong án phạt tù" in summary.text
    await _press(api, OFFICER, "✅ Lưu", 2)
    [assigned, _offer] = await _press(api, OFFICER, "Lương Thị Hoa", 2)
    assert assigned.text == "Đã phân công Lương Thị Hoa giúp đỡ Nông Văn Bình và đã báo cho Lương Thị Hoa."
    [told] = await api.wait_sent(SUPERVISOR)
    assert told.text.startswith("Anh/chị được phân công giúp đỡ Nông Văn Bình (Thôn Nà Lay).")
    await _press(api, OFFICER, "Để sau")

    await _say(api, SUPERVISOR, "/checkin")
    await _press(api, SUPERVISOR, "Nông Văn Bình · Thôn Nà Lay")  # 1
    await _press(api, SUPERVISOR, "Thăm tại nhà")  # 2
    await _press(api, SUPERVISOR, "Ổn định")  # 3
    saved, _next = await _press(api, SUPERVISOR, "✅ Lưu", 2)  # 4
    today = services.clock.now().astimezone(VIETNAM).strftime("%d/%m/%Y")  # the bot's clock, not the wall's
    assert saved.text == f"Đã lưu lần liên lạc với Nông Văn Bình ngày {today} (thăm tại nhà): ổn định."

    await _say(api, OFFICER, "/people")
    await _press(api, OFFICER, "Tất cả")
    [card] = await _press(api, OFFICER, "Nông Văn Bình · Thôn Nà Lay")
    assert "Người giúp đỡ: Lương Thị Hoa" in card.text
    assert f"• {today} Thăm tại nhà: Ổn định" in card.text


RETURNEE = 1104


async def test_help_desk_over_http_question_calculator_loan_handoff_and_job(polling_bot, server, services):
    from datetime import date as day

    from bot.models import Category, PenaltyType
    from bot.services.supervision import RecordInput

    api = server.api
    police_code = await services.accounts.create_invite(role=Role.POLICE, commune_name="Xã Mẫu Sơn",
                                                        full_name="Hoàng Văn Minh")
    await _say(api, OFFICER, f"/start {police_code.code}", 2)
    officer = await services.accounts.identify(Messenger.TELEGRAM, str(OFFICER), str(OFFICER))
    record, _ = await services.supervision.enrol(officer, RecordInput(
        full_name="Nông Văn Bình", date_of_birth=day(1990, 5, 17), village="Thôn Nà Lay", category=Category.RELEASED,
        penalty_type=PenaltyType.PRISON, penalty_months=36, release_date=day(2025, 6, 1)))
    code = await services.accounts.create_invite(role=Role.RETURNEE, commune_id=officer.person.commune_id,
                                                 person_id=record.person_id)
    await _say(api, RETURNEE, f"/start {code.code}", 2)

    # a question, typed without diacritics
    [answer, _more] = await _say(api, RETURNEE, "xin phieu ly lich tu phap o dau", 2)
    assert answer.text.startswith("Phiếu lý lịch tư pháp do Công an tỉnh")

    # the calculator, from the person's record
    await _say(api, RETURNEE, "/expungement")
    for label in ("Từ 18 tuổi trở lên", "Không", "Cố ý", "Rồi, hoặc không có"):
        await _press(api, RETURNEE, label)
    [result] = await _press(api, RETURNEE, "Không")
    assert "đương nhiên được xóa án tích vào ngày 01/06/2027" in result.text

    # the loan check, then help with the dossier: police hear of it
    await _say(api, RETURNEE, "/loan")
    await _press(api, RETURNEE, "Sản xuất, kinh doanh, tạo việc làm")
    await _press(api, RETURNEE, "Có")
    [check, _offer] = await _press(api, RETURNEE, "Không", 2)
    assert check.text.startswith("Theo các câu trả lời, anh/chị có thể đủ điều kiện.")
    [sent] = await _press(api, RETURNEE, "Vâng, nhờ giúp")
    assert sent.text == "Đã gửi tới Hoàng Văn Minh. Câu trả lời sẽ gửi về đây."
    [request] = await api.wait_sent(OFFICER)
    assert request.text.startswith("Nông Văn Bình cần giúp đỡ:")

    # police answer through the bot; the returnee receives it
    await _say(api, OFFICER, "/requests")
    await _press(api, OFFICER, next(label for label in api.all_to(OFFICER)[-1].labels if "Nông Văn Bình" in label))
    await _press(api, OFFICER, "Trả lời")
    [done] = await _say(api, OFFICER, "Sáng thứ hai anh mang giấy chứng nhận ra xã nhé.")
    assert done.text == "Đã gửi tới Nông Văn Bình."
    [reply] = await api.wait_sent(RETURNEE)
    assert reply.text.startswith("Trả lời của Hoàng Văn Minh: Sáng thứ hai anh mang giấy chứng nhận ra xã nhé.")

    # a job posted by police; the returnee says they are interested; the poster is told
    await services.jobs.post(officer, kind="job", title="Công nhân may", employer="Công ty May Lạng Sơn",
                             place="Cao Lộc", pay="", contact="", closes_on=day(2099, 1, 1))
    [listing] = await _say(api, RETURNEE, "/jobs")
    await _press(api, RETURNEE, "Việc làm: Công nhân may · Cao Lộc")
    [thanks] = await _press(api, RETURNEE, "Tôi quan tâm")
    assert thanks.text.startswith("Xong: đã báo người đăng tin")
    [told] = await api.wait_sent(OFFICER)
    assert told.text == "Nông Văn Bình quan tâm đến “Công nhân may” (Công ty May Lạng Sơn)."
    assert listing.labels == ["Việc làm: Công nhân may · Cao Lộc"]
