"""Zalo over real HTTP (a fake Zalo Bot API on 127.0.0.1): the same conversations with numbered
choices, dedupe by message_id, other events, long texts, the webhook's secret, linked identities,
and a contract test running the same cases through the fake channel, Telegram and Zalo."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import httpx
import pytest

from bot.channels.errors import TemporaryFailure, Unreachable
from bot.channels.zalo import ZaloChannel, ZaloClient, poll, to_inbound, webhook_route
from bot.runtime.dispatcher import Dispatcher
from bot.runtime.web import WebServer
from bot.dialog.types import Choice, Reply
from bot.models import Contact, Messenger, Role, Status
from bot.services.supervision import CheckinInput
from tests.support.fake_zalo import FakeZalo
from tests.support.people import onboard
from tests.support.world import make_world


@pytest.fixture
async def zalo():
    fake = await FakeZalo().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def zalo_bot(services, zalo):
    """The Zalo channel served by polling, through the inbox and the dispatcher, as `hoanhap run` does."""
    client = ZaloClient(zalo.token, zalo.base_url)
    services.register_channel(ZaloChannel(client))
    dispatcher = Dispatcher(services.pipeline, 4)
    stop = asyncio.Event()
    polling = asyncio.create_task(poll(client, dispatcher, stop, min_interval=0.01))
    yield dispatcher
    stop.set()
    await polling
    await dispatcher.stop()
    await client.close()


async def test_a_full_check_in_a_question_and_an_alert_to_police_on_zalo(zalo_bot, zalo, services):
    world = await make_world(services)
    person = await world.enrol("Nông Văn Bình")
    police = await world.actor("police1")
    code = await services.accounts.create_invite(role=Role.SUPERVISOR, commune_id=police.person.commune_id,
                                                 full_name="Hà Văn Sơn")
    await zalo.user_says("zs1", f"/start {code.code}")
    welcome, menu = await zalo.wait_sent("zs1", 2)
    assert welcome == "Chào mừng! Anh/chị đã đăng ký với vai trò tổ viên Tổ bảo vệ an ninh, trật tự (Xã Mẫu Sơn)."
    assert menu.splitlines()[1] == "1. Ghi nhận liên lạc"
    son = await services.accounts.identify(Messenger.ZALO, "zs1", "zs1")
    await services.supervision.assign(police, person, son.person.id)
    await services.notifier.flush()
    [told] = await zalo.wait_sent("zs1")
    assert told.startswith("Anh/chị được phân công giúp đỡ Nông Văn Bình")

    await zalo.user_says("zs1", "/checkin")
    [question] = await zalo.wait_sent("zs1")
    assert question.splitlines() == ["Anh/chị đã thăm hoặc gọi cho ai?", "1. Nông Văn Bình · Thôn Nà Lay"]
    for answer in ("1", "tham tai nha", "1"):  # a number, words without diacritics, a number
        await zalo.user_says("zs1", answer)
        await zalo.wait_sent("zs1")
    await zalo.user_says("zs1", "1")
    saved, _next = await zalo.wait_sent("zs1", 2)
    assert saved == "Đã lưu lần liên lạc với Nông Văn Bình ngày 22/11/2026 (thăm tại nhà): ổn định."

    await zalo.user_says("zs1", "lam lai can cuoc o dau")
    answer, _more = await zalo.wait_sent("zs1", 2)
    assert answer.startswith("Làm hoặc làm lại thẻ căn cước tại Công an xã")

    # a police officer who uses Zalo gets the alert (no buttons on Zalo: the text says /alerts)
    await onboard(services, Messenger.ZALO, "zp1", Role.POLICE, name="Lò Văn Hùng")
    await services.supervision.record_checkin(son, CheckinInput(
        client_key="z-alert", person_id=person, contact=Contact.PHONE_CALL, status=Status.CONCERN,
        happened_on=date(2026, 11, 22)))
    await services.notifier.flush()
    [alert] = await zalo.wait_sent("zp1")
    assert alert == ("🔔 Cảnh báo. Nông Văn Bình (Thôn Nà Lay): có dấu hiệu đáng lo ngại\nTừ Hà Văn Sơn (không có ghi chú).\n"
                     "Gửi /alerts để xem và xử lý.")
    await zalo.user_says("zp1", "/alerts")
    await zalo.wait_sent("zp1")
    await zalo.user_says("zp1", "1")
    await zalo.wait_sent("zp1")
    await zalo.user_says("zp1", "toi xu ly")
    [taken] = await zalo.wait_sent("zp1")
    assert taken == "Anh/chị đã nhận xử lý. Các cán bộ khác sẽ thấy việc này."


async def test_a_repeated_event_is_answered_once_and_other_events_politely(zalo_bot, zalo):
    event = zalo.event("u1", "xin chào", message_id="same-id")
    await zalo.events.put(event)
    await zalo.events.put(json.loads(json.dumps(event)))  # Zalo sent it twice
    await zalo.events.put(zalo.event("u1", kind="message.unsupported.received"))
    await zalo.events.put(zalo.event("u1", kind="message.image.received"))
    await zalo.events.put(zalo.event("u1", kind="message.sticker.received"))
    replies = await zalo.wait_sent("u1", 4)
    assert replies[0].startswith("Xin chào! Đây là Hòa Nhập")
    # Zalo withholds what a protected user (a child, someone who cannot read) sent: not "text only"
    assert replies[1].startswith("Zalo không cho tôi xem được tin anh/chị gửi.")
    assert replies[2:] == ["Xin lỗi, ở đây tôi chỉ đọc được tin nhắn chữ."] * 2
    await zalo_bot.drained()
    assert len(zalo.to("u1")) == 4


async def test_long_texts_are_split_at_2000_characters_on_line_breaks(zalo):
    client = ZaloClient(zalo.token, zalo.base_url)
    try:
        lines = [f"Dòng số {n}: " + " ".join(["chữ"] * 20) for n in range(60)]
        await ZaloChannel(client).send("u2", Reply("\n".join(lines)))
    finally:
        await client.close()
    parts = zalo.to("u2")
    assert len(parts) >= 3 and all(len(p) <= 2000 for p in parts)
    assert "\n".join(parts).splitlines() == lines


async def test_the_webhook_checks_the_secret_and_accepts_wrapped_or_plain_bodies(services, zalo):
    client = ZaloClient(zalo.token, zalo.base_url)
    services.register_channel(ZaloChannel(client))
    dispatcher = Dispatcher(services.pipeline, 4)
    server = WebServer("127.0.0.1", 0)
    server.post("/zalo", webhook_route(dispatcher, "secret-123456"))
    port = await server.start()
    try:
        async with httpx.AsyncClient() as http:
            url = f"http://127.0.0.1:{port}/zalo"
            plain = zalo.event("w1", "xin chào")
            assert (await http.post(url, json=plain, headers={"X-Bot-Api-Secret-Token": "wrong"})).status_code == 403
            assert (await http.post(url, json=plain)).status_code == 403
            ok = await http.post(url, json=plain, headers={"X-Bot-Api-Secret-Token": "secret-123456"})
            wrapped = await http.post(url, json={"ok": True, "result": zalo.event("w1", "/help")},
                                      headers={"X-Bot-Api-Secret-Token": "secret-123456"})
            assert (ok.status_code, wrapped.status_code) == (200, 200)
        await dispatcher.drained()
        assert len(zalo.to("w1")) == 2
    finally:
        await server.stop()
        await client.close()


async def test_one_person_on_telegram_and_zalo_gets_alerts_on_both(telegram, api, services, zalo):
    from tests.support.telegram_chat import TelegramPerson

    client = ZaloClient(zalo.token, zalo.base_url)
    services.register_channel(ZaloChannel(client))
    try:
        world = await make_world(services)
        await onboard(services, Messenger.TELEGRAM, "7001", Role.POLICE, name="Lò Văn Hùng")
        said = await TelegramPerson(telegram, api, 7001).says("/linkcode")
        code = said[0].split("/start ", 1)[1].split()[0]
        await services.pipeline.handle_now(to_inbound(zalo.event("zl1", f"/start {code}")))
        on_zalo = await services.accounts.identify(Messenger.ZALO, "zl1", "zl1")
        on_telegram = await services.accounts.identify(Messenger.TELEGRAM, "7001", "7001")
        assert on_zalo.person.id == on_telegram.person.id and on_zalo.role is Role.POLICE

        person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
        await services.supervision.record_checkin(await world.actor("supervisor1"), CheckinInput(
            client_key="both", person_id=person, contact=Contact.HOME_VISIT, status=Status.NEEDS_SUPPORT,
            happened_on=date(2026, 11, 22)))
        await services.notifier.flush()
        assert zalo.to("zl1")[-1].startswith("🔔 Cảnh báo. Nông Văn Bình")
        assert api.all_to(7001)[-1].text.startswith("🔔 Cảnh báo. Nông Văn Bình")
    finally:
        await client.close()


# ---- the contract: the fake, Telegram and Zalo channels behave alike --------------------------

@pytest.fixture(params=["fake", "telegram", "zalo", "zalo_oa"])
async def channel(request, services, api, zalo, clock):
    """(channel, read(chat) -> list of (text, choices as shown), block(chat))."""
    if request.param == "fake":
        from tests.support.recording import RecordingChannel

        fake = RecordingChannel(Messenger.CONSOLE)
        blocked = set()

        class Strict(RecordingChannel):
            async def send(self, chat_id, reply):
                if chat_id in blocked:
                    raise Unreachable("blocked")
                for part in __import__("bot.textnorm", fromlist=["x"]).split_text(reply.text, 4096):
                    await fake.send(chat_id, Reply(part, reply.choices))
                return "1"

        yield Strict(Messenger.CONSOLE), (lambda chat: [(r.text, [c.label for c in r.choices])
                                                        for c_, r in fake.sent if c_ == chat]), blocked.add
        return
    if request.param == "telegram":
        from handlers.app import build_application
        from handlers.render import TelegramChannel
        from tests.support.fake_telegram import InProcessRequest

        application = build_application(services, request=InProcessRequest(api))
        async with application:
            from tests.support.fake_telegram import Limits

            api.limits = Limits(overall=10_000, per_chat=0.0)
            yield (TelegramChannel(application.bot),
                   lambda chat: [(s.text, s.labels) for s in api.all_to(int(chat))],
                   lambda chat: api.limits.blocked.add(int(chat)))
        return
    if request.param == "zalo_oa":  # a commune's Official Account; each person has written to it lately
        from bot.channels.zalo_oa import ZaloOAChannel
        from tests.support.fake_zalo_oa import FakeZaloOA, register, wrote_now

        platform = await FakeZaloOA(clock.now).start()
        oa = await register(services, platform)
        for user in ("4242", "4243", "4244", "4245"):
            await wrote_now(services.db, platform, user)

        class ByUser(ZaloOAChannel):  # the contract names chats by number; an OA chat is app:user
            async def send(self, chat_id, reply):
                return await super().send(f"{platform.app_id}:{chat_id}", reply)

        yield (ByUser(oa), (lambda chat: [(t, []) for t in platform.texts_to(chat)]), platform.unfollowed.add)
        await oa.close()
        await platform.stop()
        return
    client = ZaloClient(zalo.token, zalo.base_url)
    yield ZaloChannel(client), (lambda chat: [(t, []) for t in zalo.to(chat)]), zalo.blocked.add
    await client.close()


async def test_contract_a_plain_message_arrives_as_sent(channel):
    send, read, _block = channel
    await send.send("4242", Reply("Nhắc lịch: ngày mai gặp cán bộ xã lúc 9:00."))
    assert [text for text, _ in read("4242")] == ["Nhắc lịch: ngày mai gặp cán bộ xã lúc 9:00."]


async def test_contract_choices_can_be_answered(channel):
    send, read, _block = channel
    await send.send("4243", Reply("Chọn:", (Choice("a", "Có"), Choice("b", "Không")), "s"))
    [(text, buttons)] = read("4243")
    if buttons:  # a messenger with buttons shows them
        assert buttons == ["Có", "Không"] and text == "Chọn:"
    else:  # a text-only messenger numbers them
        assert text == "Chọn:\n1. Có\n2. Không"


async def test_contract_a_long_message_is_split_without_losing_a_line(channel):
    send, read, _block = channel
    lines = [f"{n:03d} " + "x" * 70 for n in range(100)]
    await send.send("4244", Reply("\n".join(lines)))
    parts = [text for text, _ in read("4244")]
    assert len(parts) >= 2 and "\n".join(parts).splitlines() == lines


async def test_contract_someone_who_blocked_the_bot(channel):
    """Where the messenger says so, the person is unreachable there; the Zalo Bot Platform never
    says so (its 403 is a server error), so there it is a passing failure."""
    send, _read, block = channel
    block("4245")
    with pytest.raises(TemporaryFailure if send.messenger is Messenger.ZALO else Unreachable):
        await send.send("4245", Reply("xin chào"))


async def test_hoanhap_run_serves_zalo_alone(zalo, tmp_path):
    import os
    import signal
    import sys

    env = {**os.environ, "HOANHAP_DB": str(tmp_path / "z.sqlite3"), "HOANHAP_TELEGRAM_TOKEN": "",
           "HOANHAP_ZALO_TOKEN": zalo.token, "HOANHAP_ZALO_BASE_URL": zalo.base_url}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path,
                                                   stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        await zalo.user_says("zz1", "xin chào")
        [reply] = await zalo.wait_sent("zz1", timeout=30)
        assert reply.startswith("Xin chào! Đây là Hòa Nhập")
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(process.communicate(), 30)
    assert zalo.token not in err.decode() and "Traceback" not in err.decode(), err.decode()[-3000:]


async def test_a_text_of_emoji_is_split_by_what_zalo_counts(zalo):
    client = ZaloClient(zalo.token, zalo.base_url)
    try:
        await ZaloChannel(client).send("u3", Reply("😀" * 1500))  # 1,500 characters, 3,000 UTF-16 units
    finally:
        await client.close()
    parts = zalo.to("u3")
    assert "".join(parts) == "😀" * 1500 and len(parts) == 2


async def test_a_photo_in_the_documented_field_reaches_a_check_in_with_its_caption():
    from bot.channels.zalo import to_inbound

    event = {"event_name": "message.image.received", "message": {
        "message_id": "p1", "from": {"id": "u4"}, "chat": {"id": "u4", "chat_type": "PRIVATE"},
        "photo": "https://zalo.example/p.jpg", "caption": "nhà anh Bình"}}
    inbound = to_inbound(event)
    assert (inbound.photo, inbound.text) == ("https://zalo.example/p.jpg", "nhà anh Bình")


async def test_a_mention_in_a_zalo_group_is_not_taken_for_a_private_conversation(services, zalo_bot, zalo):
    group_event = zalo.event("u5", "xin chào")
    group_event["message"]["chat"] = {"id": "g1", "chat_type": "GROUP"}
    await zalo.events.put(group_event)
    await zalo.events.put(zalo.event("u5", "xin chào"))  # then the same person writes privately
    [reply] = await zalo.wait_sent("u5")
    await zalo_bot.drained()
    assert reply.startswith("Xin chào! Đây là Hòa Nhập") and zalo.to("g1") == []
    async with services.db.reading() as conn:
        chats = [r[0] for r in await conn.execute_fetchall("SELECT chat_key FROM dialogs")]
    assert "g1" not in chats


# ---- Zalo's errors as its documentation defines them ----------------------------------------

@pytest.mark.parametrize("status", [403, 408, 500, 502])
async def test_one_zalo_error_never_silences_a_person(services, zalo, clock, status):
    client = ZaloClient(zalo.token, zalo.base_url)
    services.register_channel(ZaloChannel(client))
    try:
        world = await make_world(services)
        await onboard(services, Messenger.ZALO, "zs9", Role.SUPERVISOR, name="Hà Văn Sơn")
        son = await services.accounts.identify(Messenger.ZALO, "zs9", "zs9")
        person = await world.enrol("Nông Văn Bình")
        zalo.fail_next = [status]
        await services.supervision.assign(await world.actor("police1"), person, son.person.id)
        await services.notifier.flush()
        assert zalo.to("zs9") == []
        again = await services.accounts.identify(Messenger.ZALO, "zs9", "zs9")
        assert not again.unreachable_here and not again.person.unreachable  # one error is not a block

        clock.advance(minutes=1)
        await services.notifier.flush()
        assert zalo.to("zs9")[-1].startswith("Anh/chị được phân công giúp đỡ Nông Văn Bình")
    finally:
        await client.close()


async def test_a_used_up_zalo_quota_holds_zalo_only_and_police_hear_once(services, zalo, api, clock):
    from handlers.app import build_application
    from handlers.render import TelegramChannel
    from tests.support.fake_telegram import InProcessRequest

    client = ZaloClient(zalo.token, zalo.base_url)
    services.register_channel(ZaloChannel(client))
    application = build_application(services, request=InProcessRequest(api))
    async with application:
        services.register_channel(TelegramChannel(application.bot))
        try:
            world = await make_world(services)
            await onboard(services, Messenger.ZALO, "zp", Role.POLICE, name="Lò Văn Hùng")
            await onboard(services, Messenger.TELEGRAM, "7100", Role.POLICE, name="Hà Văn Sơn")
            zalo.quota = len(zalo.sent)  # the month's messages are used up from now on
            for name in ("Nông Văn Bình", "Vi Thị Lan"):
                person = await world.enrol(name, supervisor="supervisor1")
                await services.supervision.record_checkin(await world.actor("supervisor1"), CheckinInput(
                    client_key=f"q-{name}", person_id=person, contact=Contact.HOME_VISIT, status=Status.CONCERN,
                    happened_on=date(2026, 11, 22)))
                await services.notifier.flush()
            asks = [c for c in zalo.calls if c[0] == "sendMessage"]
            assert len(asks) == 1  # asked once, then the whole lane waits
            on_telegram = [m.text for m in api.all_to(7100)]
            assert sum("hết hạn mức" in t for t in on_telegram) == 1  # police hear it once, on Telegram
            assert sum(t.startswith("🔔 Cảnh báo.") for t in on_telegram) == 2  # and the alerts keep flowing there

            zalo.quota = None  # a new month
            clock.advance(hours=1, seconds=1)
            await services.notifier.flush()
            assert sum(t.startswith("🔔 Cảnh báo.") for t in zalo.to("zp")) == 2  # held, never dropped
        finally:
            await client.close()
