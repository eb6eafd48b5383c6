"""The runtime every messenger shares (issue 12): the inbox, the one pipeline, concurrency across
people with order inside a chat, the outbox's lanes, and the errors real messengers return."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from telegram import Update

from bot.channels.errors import RateLimited, TemporaryFailure
from bot.dialog.types import Reply
from bot.models import Contact, Messenger, Role, Status
from bot.runtime.dispatcher import Dispatcher
from bot.runtime.events import Inbound
from bot.services.supervision import CheckinInput
from bot.storage.sql import fetch_all
from handlers.events import ALLOWED_UPDATES
from tests.support.people import TextChat, onboard
from tests.support.recording import RecordingChannel
from tests.support.telegram_chat import TelegramPerson
from tests.support.world import make_world

OFFICER = 6001


async def _officer(telegram, api, services, user_id: int = OFFICER, name: str = "Hoàng Văn Minh") -> TelegramPerson:
    await onboard(services, Messenger.TELEGRAM, str(user_id), Role.POLICE, name=name)
    return TelegramPerson(telegram, api, user_id)


async def _worrying_check_in(world, name: str, key: str, status: Status = Status.CONCERN) -> int:
    """Enrol ``name`` with supervisor1, who reports a visit that raises an alert for police."""
    person = await world.enrol(name, supervisor="supervisor1")
    await world.services.supervision.record_checkin(await world.actor("supervisor1"), CheckinInput(
        client_key=key, person_id=person, contact=Contact.HOME_VISIT, status=status,
        happened_on=date(2026, 11, 22)))
    return person


async def _feed(telegram, api, update: dict) -> None:
    api.updates.remove(update)
    await telegram.process_update(Update.de_json(update, telegram.bot))


# ---- the errors Telegram returns ------------------------------------------------------------

async def test_a_double_tap_is_answered_and_the_conversation_goes_on(telegram, api, services):
    officer = await _officer(telegram, api, services)
    await officer.says("/invite")
    roles = officer.last_with_buttons()

    first = await officer.presses("Tổ viên Tổ bảo vệ an ninh, trật tự", roles)
    # The second tap of the same button: its keyboard is already gone, so Telegram answers
    # "message is not modified" to the removal. The person still gets an answer.
    second = await officer.presses("Tổ viên Tổ bảo vệ an ninh, trật tự", roles)

    assert first == ["Gõ họ tên người nhận mã để sau này dễ nhận ra. Hoặc bấm Bỏ qua."]
    assert second[0] == "Nút này thuộc câu hỏi trước. Vui lòng trả lời câu hỏi bên dưới."
    assert second[-1] == first[0]  # asked again, nothing went wrong
    assert not any("hệ thống vừa gặp lỗi" in text for text in first + second)
    said = await officer.says("Vi Văn Tám")
    assert said[0].startswith("Mã mời cho tổ viên Tổ bảo vệ an ninh, trật tự: ")


async def test_a_press_telegram_calls_too_old_is_still_answered(telegram, api, services):
    officer = await _officer(telegram, api, services)
    await officer.says("/invite")
    pressed = await api.user_presses(OFFICER, officer.last_with_buttons(), "Cán bộ Công an xã")
    api.answered.add(pressed["callback_query"]["id"])  # as after a restart: "query is too old"
    before = len(api.all_to(OFFICER))

    await _feed(telegram, api, pressed)

    assert [s.text for s in api.all_to(OFFICER)[before:]] == [
        "Gõ họ tên người nhận mã để sau này dễ nhận ra. Hoặc bấm Bỏ qua."]


async def test_an_edited_answer_is_asked_for_again(telegram, api, services):
    officer = await _officer(telegram, api, services)
    await officer.says("/invite")
    await officer.presses("Cán bộ Công an xã")
    before = len(api.all_to(OFFICER))

    await _feed(telegram, api, await api.user_edits(OFFICER, "Lý Thị Mai"))

    said = [s.text for s in api.all_to(OFFICER)[before:]]
    assert said[0].startswith("Tôi không thấy được phần sửa trong tin đã gửi.")
    assert said[-1].startswith("Gõ họ tên người nhận mã")  # the open question, again


async def test_a_person_who_blocks_the_bot_is_unreachable_there_only_until_they_unblock_it(telegram, api, services):
    world = await make_world(services)
    zalo = RecordingChannel(Messenger.ZALO)
    services.register_channel(zalo)
    police = await onboard(services, Messenger.TELEGRAM, "6101", Role.POLICE, name="Lò Văn Hùng")
    async with services.db.transaction() as tx:  # the same officer also uses Zalo
        await tx.execute("INSERT INTO identities (messenger, external_id, chat_id, person_id, created_at) "
                         "VALUES ('zalo', 'z6101', 'z6101', ?, '2026-11-22T00:00:00+00:00')", (police.id,))

    async def alert(key: str) -> None:
        await _worrying_check_in(world, f"Người {key}", key)
        await services.notifier.flush()

    await _feed(telegram, api, await api.user_blocks(6101))
    await alert("a")
    assert [s.text for s in api.all_to(6101)] == []
    assert zalo.texts("z6101")[-1].startswith("🔔 Cảnh báo. Người a")  # Zalo still delivers

    await _feed(telegram, api, await api.user_blocks(6101, blocked=False))
    await alert("b")
    assert api.all_to(6101)[-1].text.startswith("🔔 Cảnh báo. Người b")
    assert zalo.texts("z6101")[-1].startswith("🔔 Cảnh báo. Người b")


async def test_someone_marked_unreachable_who_writes_again_is_reachable_again(telegram, api, services):
    officer = await _officer(telegram, api, services)
    await _feed(telegram, api, await api.user_blocks(OFFICER))
    api.limits.blocked.discard(OFFICER)  # they unblocked it, and Telegram's notice was lost

    await officer.says("/help")

    async with services.db.reading() as conn:
        rows = await fetch_all(conn, "SELECT unreachable_at FROM identities WHERE external_id = ?", (str(OFFICER),))
    assert [r[0] for r in rows] == [None]


async def test_alerts_follow_a_group_upgraded_to_a_supergroup(telegram, api, services):
    world = await make_world(services)
    await _officer(telegram, api, services)
    await _feed(telegram, api, await api.user_says_in_group(-100, OFFICER, "/linkgroup"))
    assert api.all_to(-100)[-1].text == "Từ giờ nhóm này sẽ nhận các cảnh báo của xã."

    await _feed(telegram, api, await api.group_migrates(-100, -1009999))
    await _worrying_check_in(world, "Nông Văn Bình", "m")
    await services.notifier.flush()

    assert api.all_to(-1009999)[-1].text.startswith("🔔 Cảnh báo. Nông Văn Bình")


async def test_police_close_an_alert_from_the_linked_group_with_a_typed_note(telegram, api, services):
    world = await make_world(services)
    await _officer(telegram, api, services)
    await onboard(services, Messenger.TELEGRAM, "6002", Role.POLICE, name="Hà Văn Sơn")
    await _feed(telegram, api, await api.user_says_in_group(-200, OFFICER, "/linkgroup"))
    await _worrying_check_in(world, "Nông Văn Bình", "g", Status.NEEDS_SUPPORT)
    await services.notifier.flush()
    posted = api.all_to(-200)[-1]
    assert "✅ Đã xong" in posted.labels

    await _feed(telegram, api, await api.user_presses(OFFICER, posted, "✅ Đã xong"))
    assert api.all_to(-200)[-1].text == "Đã xử lý thế nào? (ghi chú ngắn để lưu)"
    group_before = len(api.all_to(-200))
    await _feed(telegram, api, await api.user_says_in_group(-200, 6002, "Ai trực chiều nay?"))  # the group's own talk
    assert len(api.all_to(-200)) == group_before
    await _feed(telegram, api, await api.user_says_in_group(-200, OFFICER, "Đã gặp gia đình, ổn rồi"))

    assert api.all_to(-200)[-1].text == "Đã đóng. Cảm ơn anh/chị."
    async with services.db.reading() as conn:
        [(state, note)] = await fetch_all(conn, "SELECT state, note FROM alerts")
    assert (state, note) == ("resolved", "Đã gặp gia đình, ổn rồi")


async def test_only_the_update_types_the_bot_handles_are_asked_for():
    assert sorted(ALLOWED_UPDATES) == ["callback_query", "edited_message", "message", "my_chat_member"]


def test_an_update_ptb_cannot_read_is_skipped_and_logged_without_its_content(caplog):
    from handlers.app import parse

    with caplog.at_level(logging.WARNING):
        event = parse({"update_id": 77, "message": {"message_id": 1, "date": 0, "chat": {"id": "x"},
                                                    "text": "Nguyễn Văn Ba 0912345678"}}, None)
    assert event is None
    assert "77" in caplog.text and "Nguyễn Văn Ba" not in caplog.text and "0912345678" not in caplog.text


# ---- the pipeline and the dispatcher --------------------------------------------------------

class Gated(RecordingChannel):
    """A messenger whose sends to one chat wait for a gate (a slow network, without the wall clock)."""

    def __init__(self, messenger: Messenger, slow_chat: str) -> None:
        super().__init__(messenger)
        self.slow_chat = slow_chat
        self.gate = asyncio.Event()
        self.someone_answered = asyncio.Event()

    async def send(self, chat_id: str, reply: Reply) -> None:
        if chat_id == self.slow_chat:
            await self.gate.wait()
        await super().send(chat_id, reply)
        self.someone_answered.set()


async def test_people_are_answered_at_the_same_time_and_each_chat_in_order(services):
    channel = Gated(Messenger.CONSOLE, slow_chat="slow")
    services.register_channel(channel)
    dispatcher = Dispatcher(services.pipeline, concurrency=4)

    def says(chat: str, n: int, text: str) -> Inbound:
        return Inbound("console", f"{chat}-{n}", chat, chat, text=text)

    await dispatcher.receive([says("slow", 1, "/help"), says("slow", 2, "/privacy"), says("quick", 1, "/help")])
    await asyncio.wait_for(channel.someone_answered.wait(), 30)  # (a safety net, not a speed limit)
    assert channel.texts("quick") and channel.texts("slow") == []  # one slow chat holds up no one else

    channel.gate.set()
    await dispatcher.drained()
    help_texts = channel.texts("quick")
    slow = channel.texts("slow")
    assert slow[:len(help_texts)] == help_texts  # /help answered first, then /privacy: in the order sent
    assert len(slow) > len(help_texts)


async def test_an_event_delivered_twice_is_handled_once(services):
    channel = RecordingChannel(Messenger.CONSOLE)
    services.register_channel(channel)
    dispatcher = Dispatcher(services.pipeline, concurrency=4)
    event = Inbound("console", "same", "u1", "u1", text="/help")

    assert await dispatcher.receive([event, event]) == 1
    assert await dispatcher.receive([event]) == 0
    await dispatcher.drained()
    assert len(channel.texts("u1")) >= 1 and channel.texts("u1").count(channel.texts("u1")[0]) == 1


async def test_two_officers_claiming_one_alert_at_the_same_time_make_one_claim(services):
    world = await make_world(services)
    channel = RecordingChannel(Messenger.CONSOLE)
    services.register_channel(channel)
    await onboard(services, Messenger.CONSOLE, "police2", Role.POLICE, name="Hà Văn Sơn")
    await _worrying_check_in(world, "Nông Văn Bình", "c")
    async with services.db.reading() as conn:
        [(alert_id,)] = await fetch_all(conn, "SELECT id FROM alerts")
    dispatcher = Dispatcher(services.pipeline, concurrency=4)

    await dispatcher.receive([Inbound("console", f"claim-{who}", who, who, button=f"alert|claim:{alert_id}")
                              for who in ("police1", "police2")])
    await dispatcher.drained()

    won = [who for who in ("police1", "police2")
           if any(t.startswith("Anh/chị đã nhận xử lý") for t in channel.texts(who))]
    lost = [who for who in ("police1", "police2") if any(t.endswith("đã nhận xử lý việc này.") for t in channel.texts(who))]
    assert len(won) == 1 and len(lost) == 1 and won != lost
    async with services.db.reading() as conn:
        [(claimed_by,)] = await fetch_all(conn, "SELECT claimed_by FROM alerts")
    assert claimed_by is not None


async def test_a_failed_turn_is_answered_the_same_way_on_every_messenger(services, monkeypatch):
    from bot.runtime import router

    async def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(router, "route", broken)
    for messenger in (Messenger.ZALO, Messenger.CONSOLE):
        said = await TextChat(services, f"{messenger.value}-1", messenger).says("xin chào")
        assert said == ["Xin lỗi, hệ thống vừa gặp lỗi. Những gì anh/chị đã xác nhận trước đó vẫn được lưu. "
                        "Vui lòng thử lại sau ít phút."]


async def test_idle_conversations_of_strangers_expire(services, clock):
    stranger = TextChat(services, "stranger")
    await stranger.says("/invite")  # refused; a stranger leaves no conversation behind
    await stranger.says("/start")
    async with services.db.transaction() as tx:  # one left mid-way by an older version
        await tx.execute("INSERT INTO dialogs (channel, chat_key, state, data, updated_at) "
                         "VALUES ('console', 'old', 'language:pick', '{}', '2026-11-01T00:00:00+00:00')")
    await services.pipeline.housekeeping()

    async with services.db.reading() as conn:
        rows = await fetch_all(conn, "SELECT chat_key FROM dialogs")
    assert rows == []


# ---- the outbox's lanes ----------------------------------------------------------------------

class Failing(RecordingChannel):
    def __init__(self, messenger: Messenger, error: Exception | None) -> None:
        super().__init__(messenger)
        self.error = error
        self.tries = 0

    async def send(self, chat_id: str, reply: Reply) -> str:
        self.tries += 1
        if self.error is not None:
            raise self.error
        await super().send(chat_id, reply)
        return "1"


async def test_a_429_on_one_messenger_does_not_hold_up_another(services, clock):
    world = await make_world(services)
    zalo = Failing(Messenger.ZALO, RateLimited(3600))  # the month's quota is used up
    telegram = Failing(Messenger.TELEGRAM, None)
    services.register_channel(zalo)
    services.register_channel(telegram)
    await onboard(services, Messenger.ZALO, "zp", Role.POLICE, name="Lò Văn Hùng")
    await onboard(services, Messenger.TELEGRAM, "tp", Role.POLICE, name="Hà Văn Sơn")
    await _worrying_check_in(world, "Nông Văn Bình", "q")

    await services.notifier.flush()

    assert telegram.texts("tp")[-1].startswith("🔔 Cảnh báo. Nông Văn Bình")  # urgent, on time
    assert zalo.tries == 1  # Zalo was asked once, then its lane waits for the hour
    await services.notifier.flush()
    assert zalo.tries == 1
    zalo.error = None
    clock.advance(hours=1, seconds=1)
    await services.notifier.flush()
    assert zalo.texts("zp")[-1].startswith("🔔 Cảnh báo. Nông Văn Bình")  # held, never dropped


async def test_an_urgent_alert_survives_a_multi_hour_outage(services, clock):
    world = await make_world(services)
    telegram = Failing(Messenger.TELEGRAM, TemporaryFailure("502"))
    services.register_channel(telegram)
    await onboard(services, Messenger.TELEGRAM, "tp", Role.POLICE, name="Hà Văn Sơn")
    await _worrying_check_in(world, "Nông Văn Bình", "o")

    for _ in range(6 * 12):  # six hours of Telegram answering 502, the sender looking every 5 minutes
        await services.notifier.flush()
        clock.advance(minutes=5)
    assert telegram.tries >= 10 and telegram.texts("tp") == []
    telegram.error = None
    clock.advance(minutes=30)
    await services.notifier.flush()
    assert telegram.texts("tp")[-1].startswith("🔔 Cảnh báo. Nông Văn Bình")


async def test_a_message_that_no_longer_matters_is_given_up_loudly_and_police_see_it(services, clock, caplog):
    world = await make_world(services)
    down = Failing(Messenger.CONSOLE, TemporaryFailure("502"))
    services.register_channel(down)
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")  # "assigned" for the supervisor
    with caplog.at_level(logging.ERROR):
        for _ in range(30):  # 30 hours of outage: past the day a notice matters
            await services.notifier.flush()
            clock.advance(hours=1)
        await services.notifier.flush()
    assert "given up" in caplog.text
    async with services.db.reading() as conn:
        rows = await fetch_all(conn, "SELECT reason FROM alerts WHERE person_id != ?", (person,))
    assert [r[0] for r in rows] == ["undeliverable"]  # the supervisor could not be told: police see it


# ---- the one web server ------------------------------------------------------------------------

async def test_the_web_server_refuses_an_oversized_body_before_reading_it_and_answers_healthz(services):
    import httpx

    from bot.serve import health
    from bot.runtime.web import WebServer

    called = []

    async def route(headers, body):
        called.append(len(body))
        return 200, {"ok": True}

    server = WebServer("127.0.0.1", 0, max_body=64 * 1024)
    server.post("/telegram", route)
    dispatcher = Dispatcher(services.pipeline, 2)
    server.health(lambda: health(services, dispatcher))
    port = await server.start()
    try:
        async with httpx.AsyncClient() as http:
            try:
                big = await http.post(f"http://127.0.0.1:{port}/telegram", content=b"x" * (5 * 1024 * 1024))
                refused = big.status_code != 200
            except httpx.TransportError:  # the server may close the connection instead of answering
                refused = True
            small = await http.post(f"http://127.0.0.1:{port}/telegram", content=b"{}")
            healthz = await http.get(f"http://127.0.0.1:{port}/healthz")
    finally:
        await server.stop()
    assert refused and small.status_code == 200 and called == [2]
    body = healthz.json()
    assert healthz.status_code == 200 and body["database"] is True
    assert {"inbox_backlog", "outbox_backlog", "oldest_unsent_seconds", "channels"} <= set(body)


async def test_a_webhook_update_is_in_the_inbox_before_telegram_hears_200_and_a_forged_one_is_not(telegram, api, services):
    from handlers.app import webhook_route

    stored_at_answer = []

    class Recording(Dispatcher):
        async def receive(self, events):
            count = await super().receive(events)
            async with services.db.reading() as conn:
                stored_at_answer.append(len(await fetch_all(conn, "SELECT id FROM inbox")))
            return count

    dispatcher = Recording(services.pipeline, 2)
    route = webhook_route(telegram, dispatcher, "s3cret")
    update = await api.user_says(4242, "xin chào")
    import json as _json

    forged = await route({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, _json.dumps(update).encode())
    assert forged[0] == 403 and stored_at_answer == []
    status, _ = await route({"X-Telegram-Bot-Api-Secret-Token": "s3cret"}, _json.dumps(update).encode())
    assert status == 200 and stored_at_answer == [1]
    await dispatcher.drained()
    assert api.all_to(4242)[-1].text.startswith("Xin chào! Đây là Hòa Nhập")


async def test_a_supervisor_is_answered_while_a_province_report_is_being_counted(services, monkeypatch):
    import threading

    from bot.services.reports import Reports

    world = await make_world(services)
    await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    counting, release = threading.Event(), threading.Event()
    tally = Reports._tally

    def slow_tally(*args):
        counting.set()
        assert release.wait(30)  # the count goes on until the supervisor has been answered
        return tally(*args)

    monkeypatch.setattr(Reports, "_tally", staticmethod(slow_tally))
    monkeypatch.setattr("bot.workers.MODE", "thread")  # so that the slow count can be patched in
    report = asyncio.create_task(services.reports.province_summary(date(2026, 11, 1), date(2026, 11, 30)))
    await asyncio.to_thread(counting.wait, 30)

    said = await world.supervisors["supervisor1"].says("/checkin")  # would wait forever if the count blocked the loop

    assert said == ["Anh/chị đã thăm hoặc gọi cho ai?"]
    release.set()
    assert (await report).due >= 0


async def test_a_reply_a_messenger_failed_to_take_is_sent_again_later(services, clock):
    zalo = Failing(Messenger.ZALO, TemporaryFailure("502"))
    services.register_channel(zalo)
    services.pipeline.sleep = _no_wait

    said = await TextChat(services, "z1", Messenger.ZALO).says("xin chào")  # the turn is done; the reply is not
    assert zalo.texts("z1") == [] and said[0].startswith("Xin chào! Đây là Hòa Nhập")

    zalo.error = None
    clock.advance(minutes=6)
    await services.pipeline.housekeeping()
    assert zalo.texts("z1") == said
    await services.pipeline.housekeeping()
    assert zalo.texts("z1") == said  # once


async def _no_wait(seconds: float) -> None:
    return None


async def test_a_reply_the_messenger_refuses_does_not_drop_the_replies_after_it(services):
    from bot.channels.errors import DeliveryError

    class RefusesFiles(RecordingChannel):
        async def send(self, chat_id, reply):
            if reply.attachment is not None:
                raise DeliveryError("file refused")
            return await super().send(chat_id, reply)

    channel = RefusesFiles(Messenger.CONSOLE)
    services.register_channel(channel)
    from bot.dialog.types import Attachment

    event = Inbound("console", "r1", "ann", "ann")
    delivered = await services.pipeline.deliver(channel, event, [
        Reply("Báo cáo"), Reply("Bảng tính", attachment=Attachment("document", "a.xlsx", b"x")), Reply("Biểu đồ")])
    assert delivered and channel.texts("ann") == ["Báo cáo", "Biểu đồ"]


async def test_a_message_with_a_broken_character_is_stored_and_answered(services):
    """Found by the hostile-input fuzz test: a lone UTF-16 surrogate could not be written to the
    inbox, so the message was lost and PTB logged a traceback."""
    await onboard(services, Messenger.CONSOLE, "sv", Role.SUPERVISOR)
    said = await TextChat(services, "sv").says("xin ch\udccbào")
    assert said and said[0]
    async with services.db.reading() as conn:
        rows = await fetch_all(conn, "SELECT id FROM inbox")
    assert len(rows) == 1
