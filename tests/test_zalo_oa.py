"""A commune police's Zalo Official Account, over real HTTP against a fake OA platform on
127.0.0.1 (signed webhooks, OAuth with single-use refresh tokens, the interaction window, errors
with HTTP 200): the three kinds of people through their main flows, the window, tokens across a
restart and in a race, forged and replayed events, files by single-use link."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import httpx
import pytest

from bot.channels.zalo_oa import ZaloOA, ZaloOAChannel, take_file, webhook_route
from bot.clock import VIETNAM
from bot.models import Contact, Messenger, Role, Status
from bot.runtime.dispatcher import Dispatcher
from bot.runtime.web import WebServer
from bot.services.supervision import CheckinInput
from bot.storage.sql import fetch_all, fetch_one
from bot.storage.media import Media
from bot.storage.zalo_oa import OfficialAccounts
from tests.support.fake_zalo_oa import FakeZaloOA, register, wrote_now
from tests.support.world import make_world


@pytest.fixture
async def platform(clock):
    fake = await FakeZaloOA(clock.now).start()
    yield fake
    await fake.stop()


@pytest.fixture
async def served(services, platform):
    """The OA channel as ``hoanhap run`` serves it: the webhook on the one web server, the inbox,
    the dispatcher, the file links."""
    oa = await register(services, platform)
    channel = ZaloOAChannel(oa)
    services.zalo_oa = oa
    services.register_channel(channel)
    dispatcher = Dispatcher(services.pipeline, 4)
    web = WebServer("127.0.0.1", 0)
    web.post("/zalo-oa", webhook_route(oa, dispatcher))
    web.files(lambda token: take_file(services.db, services.clock, token))
    port = await web.start()
    channel.public_base = f"http://127.0.0.1:{port}"
    platform.set_webhook(f"http://127.0.0.1:{port}/zalo-oa")
    yield oa, dispatcher, port
    await web.stop()
    await dispatcher.stop()
    await oa.close()


def chat(platform, user: str) -> str:
    return f"{platform.app_id}:{user}"


async def commune(services):
    """A commune whose police and supervisors use the console (recorded), as in the other tests."""
    from tests.support.recording import RecordingChannel

    world = await make_world(services)
    world.channel = RecordingChannel(Messenger.CONSOLE)
    services.register_channel(world.channel)
    return world


async def test_police_supervisor_and_returnee_on_the_commune_oa(served, platform, services, clock):
    world = await commune(services)
    police = await world.actor("police1")
    commune_id = police.person.commune_id

    # onboarding by code: typed bare, with or without its dash, or after /start
    officer = await services.accounts.create_invite(role=Role.POLICE, commune_id=commune_id, full_name="Lò Văn Hùng")
    await platform.says("op1", officer.code.replace("-", "").lower())
    welcome, _menu = await platform.wait_sent("op1", 2)
    assert welcome == "Chào mừng! Anh/chị đã đăng ký với vai trò cán bộ Công an xã (Xã Mẫu Sơn)."
    helper = await services.accounts.create_invite(role=Role.SUPERVISOR, commune_id=commune_id, full_name="Hà Văn Sơn")
    await platform.says("os1", f"/start {helper.code}")
    welcome, menu = await platform.wait_sent("os1", 2)
    assert menu.splitlines()[1] == "1. Ghi nhận liên lạc"
    person = await world.enrol("Nông Văn Bình")
    returnee = await services.accounts.create_invite(role=Role.RETURNEE, commune_id=commune_id, person_id=person)
    await platform.says("or1", returnee.code)
    await platform.wait_sent("or1", 2)

    son = await services.accounts.identify(Messenger.ZALO_OA, chat(platform, "os1"), chat(platform, "os1"))
    await services.supervision.assign(police, person, son.person.id)
    await services.notifier.flush()
    [told] = await platform.wait_sent("os1")
    assert told.startswith("Anh/chị được phân công giúp đỡ Nông Văn Bình")

    # a check-in with a photo: the photo is kept (Zalo's links do not last)
    await platform.says("os1", "/checkin")
    await platform.wait_sent("os1")
    for answer in ("1", "goi dien", "co dau hieu dang lo"):
        await platform.says("os1", answer)
        await platform.wait_sent("os1")
    await platform.sends_photo("os1", content=b"\xff\xd8\xff photo of the visit")
    attached, summary = await platform.wait_sent("os1", 2)
    assert attached == "Đã kèm ảnh." and "Đã kèm ảnh" in summary
    platform.cdn.clear()  # the CDN link expires
    await platform.says("os1", "1")
    [saved] = await platform.wait_sent("os1")
    assert saved == "Đã lưu lần liên lạc với Nông Văn Bình ngày 22/11/2026 (gọi điện thoại): có dấu hiệu đáng lo ngại."
    async with services.db.reading() as conn:
        row = await fetch_one(conn, "SELECT photo FROM checkins WHERE person_id = ?", (person,))
        kept = await Media.get(conn, row["photo"])
    assert kept == ("image/jpeg", b"\xff\xd8\xff photo of the visit")

    # the alert reaches the officer on the OA, who claims it by typing
    await services.notifier.flush()
    [alert] = await platform.wait_sent("op1")
    assert alert == ("🔔 Cảnh báo. Nông Văn Bình (Thôn Nà Lay): có dấu hiệu đáng lo ngại\nTừ Hà Văn Sơn (không có ghi chú).\n"
                     "Gửi /alerts để xem và xử lý.")
    await platform.says("op1", "/alerts")
    await platform.wait_sent("op1")
    await platform.says("op1", "1")
    await platform.wait_sent("op1")
    await platform.says("op1", "toi xu ly")
    [taken] = await platform.wait_sent("op1")
    assert taken == "Anh/chị đã nhận xử lý. Các cán bộ khác sẽ thấy việc này."

    # the returnee asks a question and gets an answer that names its source
    await platform.says("or1", "vay von lam an o dau")
    answer = " ".join(await platform.wait_sent("or1", 2))
    assert "Căn cứ: Quyết định 22/2023/QĐ-TTg" in answer and "Kiểm tra ngày" in answer
    assert platform.errors == []  # nothing was ever refused by the platform


async def test_a_reminder_outside_the_window_is_not_tried_and_the_supervisor_hears(served, platform, services,
                                                                                   clock):
    world = await commune(services)
    police = await world.actor("police1")
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    invite = await services.accounts.create_invite(role=Role.RETURNEE, commune_id=police.person.commune_id,
                                                   person_id=person)
    await platform.says("or2", invite.code)
    await platform.wait_sent("or2", 2)
    await services.supervision.set_appointment(police, person, datetime(2026, 11, 26, 9, 0, tzinfo=VIETNAM), "")

    clock.advance(days=3)  # the day before the appointment: 72 hours since the person last wrote
    await services.reminders.tick()
    await services.notifier.flush()
    assert platform.texts_to("or2")[2:] == [] and platform.errors == []  # not even tried: Zalo would refuse
    supervisor_heard = world.channel.texts("supervisor1")[-1]
    assert supervisor_heard.startswith("Trợ lý chưa gửi được nhắc hẹn cho Nông Văn Bình")
    assert any("Nông Văn Bình (Thôn Nà Lay): tin nhắn của trợ lý không đến được" in t
               for t in world.channel.texts("police1"))
    card = await services.supervision.card(police, person)
    from bot.flows.texts import card_text
    from bot.i18n import use_locale

    with use_locale("vi"):
        assert "Hiện tin nhắn của trợ lý không đến được người này" in card_text(card)

    # the person writes ("OK"): the window opens and the reminder that waited goes out
    await platform.says("or2", "ok")
    [thanks] = await platform.wait_sent("or2")
    assert thanks == "Cảm ơn anh/chị. Khi cần gì, anh/chị gửi /help."
    clock.advance(minutes=16)
    await services.notifier.flush()
    [reminder] = await platform.wait_sent("or2")
    assert reminder == "Nhắc lịch: ngày mai gặp cán bộ xã lúc 09:00.\nTrả lời “OK” khi anh/chị đã đọc tin này."


async def test_an_oa_may_allow_seven_days_and_zalo_still_decides(served, platform, services, clock):
    oa, _dispatcher, _port = served
    await onboard_on_oa(services, platform, "os3", Role.SUPERVISOR)
    async with services.db.transaction() as tx:
        await OfficialAccounts.configure(tx, platform.app_id, window_hours=168)
    channel = services.notifier.channel(Messenger.ZALO_OA)
    from bot.channels.errors import NotNow
    from bot.dialog.types import Reply

    clock.advance(hours=50)  # past the free 48 hours: the OA's app has no funded Zalo Cloud Account
    with pytest.raises(NotNow):
        await channel.send(chat(platform, "os3"), Reply("Nhắc lịch"))
    assert platform.errors == [-320]
    platform.zca_funded = True
    await channel.send(chat(platform, "os3"), Reply("Nhắc lịch"))
    assert platform.texts_to("os3")[-1] == "Nhắc lịch"


async def onboard_on_oa(services, platform, user: str, role: Role):
    invite = await services.accounts.create_invite(role=role, commune_name="Xã Mẫu Sơn", full_name="Người dùng")
    await platform.says(user, invite.code)
    await platform.wait_sent(user, 2)


async def test_a_forged_or_replayed_event_processes_nothing(served, platform, services):
    _oa, _dispatcher, port = served
    url = f"http://127.0.0.1:{port}/zalo-oa"
    event = platform.event("of1", text="xin chào")
    body = __import__("json").dumps(event).encode()
    async with httpx.AsyncClient() as http:
        forged = [
            await http.post(url, content=body, headers={"X-ZEvent-Signature": platform.sign(body, event, "wrong-key")}),
            await http.post(url, content=body),  # no signature
            await http.post(url, content=body.replace(b"xin ch", b"XIN CH"),  # the body changed after signing
                            headers={"X-ZEvent-Signature": platform.sign(body, event)}),
        ]
    assert [r.status_code for r in forged] == [200, 200, 200]  # Zalo's console only keeps a webhook that answers 200
    async with services.db.reading() as conn:
        assert await fetch_all(conn, "SELECT id FROM inbox") == []
    assert services.zalo_oa.stats["forged"] == 3

    await platform.says("of1", "xin chào", twice=True)  # at least once: the same msg_id twice
    [hello] = await platform.wait_sent("of1")
    assert hello.startswith("Xin chào! Đây là Hòa Nhập")
    await platform.delivered_all()
    await services.pipeline.delivered()
    assert len(platform.delivered) == 2 and len(platform.texts_to("of1")) == 1


async def test_other_events_get_a_polite_answer_and_an_unfollow_stops_sending(served, platform, services):
    await platform.push(platform.event("ou1", "follow"))
    [greeting] = await platform.wait_sent("ou1")
    assert greeting.startswith("Xin chào! Đây là Hòa Nhập")
    await platform.push(platform.event("ou1", "user_send_sticker", attachments=[{"type": "sticker", "payload": {}}]))
    [only_text] = await platform.wait_sent("ou1")
    assert only_text == "Xin lỗi, ở đây tôi chỉ đọc được tin nhắn chữ."
    await onboard_on_oa(services, platform, "ou2", Role.SUPERVISOR)
    await platform.push(platform.event("ou2", "unfollow"))
    await platform.delivered_all()
    await _settled(services)
    actor = await services.accounts.identify(Messenger.ZALO_OA, chat(platform, "ou2"), chat(platform, "ou2"))
    assert actor.unreachable_here


async def _settled(services) -> None:
    for _ in range(50):
        async with services.db.reading() as conn:
            if not await fetch_all(conn, "SELECT id FROM inbox WHERE done_at IS NULL"):
                break
        await asyncio.sleep(0.02)
    await services.pipeline.delivered()


# ---- tokens ---------------------------------------------------------------------------------------

async def test_tokens_are_refreshed_before_they_expire_and_survive_a_restart(settings, clock, platform):
    from bot.app import Services
    from bot.dialog.types import Reply

    first = await Services.start(settings, clock)
    oa = await register(first, platform)
    await wrote_now(first.db, platform, "ot1")
    channel = ZaloOAChannel(oa)
    await channel.send(chat(platform, "ot1"), Reply("một"))
    assert [c["grant_type"] for c in platform.token_calls] == ["refresh_token"]  # the operator's token, used once
    clock.advance(hours=23, minutes=30)  # within two hours of the 25-hour expiry: refreshed first
    await wrote_now(first.db, platform, "ot1")
    await channel.send(chat(platform, "ot1"), Reply("hai"))
    assert len(platform.token_calls) == 2
    await oa.close()
    await first.close()

    again = await Services.start(settings, clock)  # a restart: the pair stored before use is what is there
    try:
        oa = ZaloOA(again.db, again.clock, api_base=platform.base, oauth_base=platform.base)
        clock.advance(hours=24)
        await wrote_now(again.db, platform, "ot1")
        await ZaloOAChannel(oa).send(chat(platform, "ot1"), Reply("ba"))
        assert platform.texts_to("ot1") == ["một", "hai", "ba"]
        assert len(platform.token_calls) == 3 and len(platform.refresh_tokens) == 1  # each old one died
        await oa.close()
    finally:
        await again.close()


async def test_refreshes_that_race_leave_a_valid_token(settings, clock, platform, services):
    """Two tasks of one process refresh once; two processes (the server and `hoanhap zalo-oa`)
    racing with the same single-use token leave the newer pair, and no alarm."""
    from bot.storage.db import Database

    oa = await register(services, platform)
    clock.advance(hours=24)
    tokens = await asyncio.gather(*(oa.access_token(platform.app_id) for _ in range(10)))
    assert len(set(tokens)) == 1 and len(platform.token_calls) == 2  # the operator's, then one refresh

    other_db = await Database.open(settings.db_path)
    other = ZaloOA(other_db, clock, api_base=platform.base, oauth_base=platform.base)
    try:
        clock.advance(hours=24)
        first, second = await asyncio.gather(oa.access_token(platform.app_id), other.access_token(platform.app_id))
        assert platform.token_calls[-1]["grant_type"] == "refresh_token"
        account = await oa.account(platform.app_id)
        assert account.reauth_needed_at is None
        assert account.refresh_token in platform.refresh_tokens  # the stored one still works
        assert account.access_token in platform.access_tokens and {first, second} >= {account.access_token}
    finally:
        await other.close()
        await other_db.close()
        await oa.close()


async def test_a_token_zalo_refuses_is_refreshed_once_and_the_message_sent(services, platform, clock):
    from bot.dialog.types import Reply

    oa = await register(services, platform)
    await wrote_now(services.db, platform, "ot2")
    platform.access_tokens.clear()  # Zalo dropped the access token early: -216
    await ZaloOAChannel(oa).send(chat(platform, "ot2"), Reply("xin chào"))
    assert platform.errors == [-216] and platform.texts_to("ot2") == ["xin chào"]
    await oa.close()


async def test_a_refused_refresh_tells_police_once_and_the_operator(services, platform, clock):
    from bot.dialog.types import Reply
    from bot.serve import tell_police_reauth, zalo_oa_health
    from tests.support.recording import RecordingChannel

    world = await commune(services)
    console = RecordingChannel(Messenger.CONSOLE)
    services.register_channel(console)
    oa = await register(services, platform)
    oa.on_reauth = lambda account: tell_police_reauth(services, account)
    services.zalo_oa = oa
    await wrote_now(services.db, platform, "ot3")
    platform.expire_everything()  # the admin removed the app's access
    clock.advance(hours=24)
    channel = ZaloOAChannel(oa)
    for _ in range(3):
        with pytest.raises(Exception):
            await channel.send(chat(platform, "ot3"), Reply("xin chào"))
    await services.notifier.flush()
    told = [t for t in console.texts("police1") if "Zalo Official Account của xã đã ngừng" in t]
    assert len(told) == 1
    health = await zalo_oa_health(services)
    assert health["accounts"][platform.app_id]["must_reauthorise"] is True
    assert platform.app_secret not in str(health) and "rt-" not in str(health)
    del world
    await oa.close()


# ---- files -----------------------------------------------------------------------------------

async def test_a_file_is_offered_by_a_link_that_works_once_for_15_minutes(served, platform, services, clock):
    from bot.dialog.types import Attachment, Reply

    _oa, _dispatcher, port = served
    await wrote_now(services.db, platform, "of2")
    channel = services.notifier.channel(Messenger.ZALO_OA)
    await channel.send(chat(platform, "of2"), Reply("Báo cáo", attachment=Attachment("document", "bao-cao.xlsx",
                                                                                      b"PK\x03\x04 workbook")))
    [text] = platform.texts_to("of2")
    link = text.split("bao-cao.xlsx: ", 1)[1]
    async with httpx.AsyncClient() as http:
        got = await http.get(link)
        assert got.status_code == 200 and got.content == b"PK\x03\x04 workbook"
        assert (await http.get(link)).status_code == 404  # single use
        await channel.send(chat(platform, "of2"), Reply("Lần nữa", attachment=Attachment("document", "b.xlsx", b"x")))
        late = platform.texts_to("of2")[-1].split("b.xlsx: ", 1)[1]
        clock.advance(minutes=16)
        assert (await http.get(late)).status_code == 404  # expired
        assert (await http.get(f"http://127.0.0.1:{port}/files/{'A' * 43}")).status_code == 404  # guessed

    await channel.send(chat(platform, "of2"), Reply("Biểu đồ", attachment=Attachment("photo", "c.png", b"\x89PNG chart")))
    image, caption = platform.sent[-2:]  # an image goes as an image (uploaded), then its text
    assert image[1]["attachment"]["payload"]["elements"][0]["attachment_id"].startswith("att")
    assert caption[1] == {"text": "Biểu đồ"}


# ---- operating it ----------------------------------------------------------------------------

async def test_the_cli_registers_authorises_and_lists_without_a_secret(tmp_path, platform):
    import os
    import sys

    env = {**os.environ, "HOANHAP_DB": str(tmp_path / "oa.sqlite3"), "HOANHAP_TELEGRAM_TOKEN": "",
           "HOANHAP_ZALO_OA_API_BASE": platform.base, "HOANHAP_ZALO_OA_OAUTH_BASE": platform.base}

    async def hoanhap(*args: str, stdin: bytes = b"") -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "zalo-oa", *args, env=env, cwd=tmp_path, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await asyncio.wait_for(process.communicate(stdin), 60)
        return process.returncode, out.decode()

    code, out = await hoanhap("add", "--app-id", platform.app_id, "--app-secret", "-", "--oa-secret-key",
                              platform.oa_secret_key, "--commune", "Xã Mẫu Sơn", stdin=platform.app_secret.encode() + b"\n")
    assert code == 0, out
    code, out = await hoanhap("connect", "--app-id", platform.app_id, "--redirect-uri", "https://example.invalid/cb")
    link = out.strip().splitlines()[-1]
    assert code == 0 and link.startswith(f"{platform.base}/v4/oa/permission?app_id={platform.app_id}")
    async with httpx.AsyncClient() as http:  # the admin opens it and allows
        redirect = (await http.get(link)).headers["location"]
    authorisation_code = httpx.URL(redirect).params["code"]
    code, out = await hoanhap("code", "--app-id", platform.app_id, authorisation_code)
    assert code == 0 and out.startswith("authorised: access token valid until"), out
    assert platform.token_calls[-1]["code_verifier"]  # PKCE: the fake checked it against the challenge
    code, out = await hoanhap("list")
    assert code == 0 and platform.app_id in out and "Xã Mẫu Sơn" in out and "window 48 h" in out
    assert platform.app_secret not in out and platform.oa_secret_key not in out and "at-" not in out
    code, out = await hoanhap("code", "--app-id", platform.app_id, authorisation_code)  # a code works once
    assert code == 1 and "Zalo refused" in out


async def test_hoanhap_run_serves_the_oa_alone(tmp_path, platform):
    import os
    import signal
    import socket
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HOANHAP_DB": str(tmp_path / "oa.sqlite3"), "HOANHAP_TELEGRAM_TOKEN": "",
           "HOANHAP_ZALO_OA_API_BASE": platform.base, "HOANHAP_ZALO_OA_OAUTH_BASE": platform.base,
           "HOANHAP_HTTP_LISTEN": "127.0.0.1", "HOANHAP_HTTP_PORT": str(port)}
    platform.now = lambda: datetime.now().astimezone()  # a separate process: the real clock on both sides
    for args in (["add", "--app-id", platform.app_id, "--app-secret", platform.app_secret, "--oa-secret-key",
                  platform.oa_secret_key], ["tokens", "--app-id", platform.app_id, "--refresh-token",
                                             platform.grant_refresh_token()]):
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "zalo-oa", *args, env=env,
                                                       cwd=tmp_path, stdout=asyncio.subprocess.DEVNULL)
        assert await asyncio.wait_for(process.wait(), 60) == 0
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path,
                                                   stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        platform.set_webhook(f"http://127.0.0.1:{port}/zalo-oa")  # retried until the server listens
        await platform.says("or9", "xin chào")
        [reply] = await platform.wait_sent("or9", timeout=30)
        assert reply.startswith("Xin chào! Đây là Hòa Nhập")
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()[-2000:]
    assert platform.app_secret not in err.decode() and "at-" not in err.decode()


async def test_one_oa_over_its_limit_waits_alone(served, platform, services, clock):
    world = await commune(services)
    await onboard_on_oa(services, platform, "ol1", Role.POLICE)
    platform.per_minute = 0  # every call now answers -32
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    await services.supervision.record_checkin(await world.actor("supervisor1"), CheckinInput(
        client_key="limit", person_id=person, contact=Contact.HOME_VISIT, status=Status.CONCERN,
        happened_on=date(2026, 11, 22)))
    await services.notifier.flush()
    await services.notifier.flush()
    assert platform.errors.count(-32) == 1  # asked once; the OA's lane waits a minute
    assert any(t.startswith("🔔 Cảnh báo.") for t in world.channel.texts("police1"))  # the console flowed
    platform.per_minute = None
    clock.advance(minutes=1, seconds=1)
    await services.notifier.flush()
    assert platform.texts_to("ol1")[-1].startswith("🔔 Cảnh báo. Nông Văn Bình")


async def test_anonymisation_leaves_no_photo_and_no_zalo_trace(served, platform, services, clock):
    from bot.models import CloseReason

    world = await commune(services)
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    police = await world.actor("police1")
    invite = await services.accounts.create_invite(role=Role.RETURNEE, commune_id=police.person.commune_id,
                                                   person_id=person)
    await platform.says("oz1", invite.code)
    await platform.wait_sent("oz1", 2)
    await platform.sends_photo("oz1")  # a photo outside any question: kept a day, then forgotten
    await platform.wait_sent("oz1")
    async with services.db.transaction() as tx:
        photo = await Media.add(tx, "image/jpeg", b"visit", clock.now())
    await services.supervision.record_checkin(await world.actor("supervisor1"), CheckinInput(
        client_key="z", person_id=person, contact=Contact.HOME_VISIT, status=Status.STABLE,
        happened_on=date(2026, 11, 22), photo=photo))
    await services.supervision.close(police, person, CloseReason.EXPUNGED, date(2026, 11, 22))
    services.privacy.retention_days = 30
    clock.advance(days=32)
    await services.pipeline.housekeeping()
    assert await services.privacy.anonymise_due() == 1
    async with services.db.reading() as conn:
        assert await fetch_all(conn, "SELECT id FROM media") == []
        assert await fetch_all(conn, "SELECT user_id FROM zalo_oa_users WHERE user_id = 'oz1'") == []
        assert await fetch_all(conn, "SELECT id FROM identities WHERE messenger = 'zalo_oa' "
                                     "AND external_id LIKE '%oz1'") == []
