"""Delivery through a real PTB bot against a fake Bot API that enforces Telegram's limits."""

from __future__ import annotations

from datetime import date

import pytest

from bot.channels.errors import RateLimited
from bot.models import Contact, Messenger, Role, Status
from bot.services.notifier import Pacer
from bot.services.outbox import enqueue
from bot.services.supervision import CheckinInput
from bot.storage.outbox import Outbox
from tests.conftest import TOKEN
from tests.support.fake_telegram import FakeBotApi, InProcessRequest, Limits
from tests.support.people import onboard
from tests.support.recording import RecordingChannel
from tests.support.telegram_chat import TelegramPerson
from tests.support.world import make_world


async def test_a_claim_updates_every_officers_copy_of_the_alert(telegram, api, services):
    world = await make_world(services)
    for user_id, name in ((5101, "Hoàng Văn An"), (5102, "Lò Văn Hùng")):
        await onboard(services, Messenger.TELEGRAM, str(user_id), Role.POLICE, name=name)
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    await services.supervision.record_checkin(await world.actor("supervisor1"), CheckinInput(
        client_key="k", person_id=person, contact=Contact.HOME_VISIT, status=Status.CONCERN,
        happened_on=date(2026, 11, 22)))
    await services.notifier.flush()
    an, hung = TelegramPerson(telegram, api, 5101), TelegramPerson(telegram, api, 5102)
    alert_for_hung = hung.last_with_buttons()
    assert alert_for_hung.labels == ["🙋 Tôi xử lý", "✅ Đã xong", "⏸ Hoãn"]

    said = await an.presses("🙋 Tôi xử lý")

    assert said == ["Anh/chị đã nhận xử lý. Các cán bộ khác sẽ thấy việc này."]
    hung_copy = api.messages[(5102, alert_for_hung.message_id)]
    assert hung_copy["text"].endswith("🙋 Hoàng Văn An đang xử lý.") and "reply_markup" not in hung_copy
    assert (await hung.presses("🙋 Tôi xử lý", alert_for_hung)) == ["Hoàng Văn An đã nhận xử lý việc này."]


async def test_closing_an_alert_from_its_button_asks_for_a_note(telegram, api, services):
    world = await make_world(services)
    await onboard(services, Messenger.TELEGRAM, "5201", Role.POLICE, name="Hoàng Văn An")
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    await services.supervision.record_checkin(await world.actor("supervisor1"), CheckinInput(
        client_key="k", person_id=person, contact=Contact.HOME_VISIT, status=Status.NEEDS_SUPPORT,
        happened_on=date(2026, 11, 22)))
    await services.notifier.flush()
    an = TelegramPerson(telegram, api, 5201)

    assert (await an.presses("✅ Đã xong")) == ["Đã xử lý thế nào? (ghi chú ngắn để lưu)"]
    assert (await an.says("Đã giới thiệu đi học nghề")) == ["Đã đóng. Cảm ơn anh/chị."]
    assert api.messages[(5201, an.last_with_buttons().message_id)]["text"].endswith("✅ Đã xong (Hoàng Văn An).")


async def test_a_fan_out_within_telegrams_limits_loses_nothing_duplicates_nothing_and_gets_no_429(settings, clock):
    from bot.app import Services
    from handlers.app import build_application
    from tests.support.virtual_time import VirtualTime

    virtual = VirtualTime()  # the notifier's pacing and Telegram's limits share it: exact, whatever the machine
    api = FakeBotApi(TOKEN, limits=Limits(overall=30, per_chat=1.0, now=virtual.now))
    services = await Services.start(settings, clock)
    services.notifier.monotonic, services.notifier.sleep = virtual.now, virtual.sleep
    try:
        application = build_application(services, request=InProcessRequest(api))
        async with application:
            recipients = []
            for n in range(60):
                person = await onboard(services, Messenger.TELEGRAM, str(90000 + n), Role.SUPERVISOR)
                recipients.append(person.id)
            async with services.db.transaction() as tx:
                for person_id in recipients:
                    for kind in ("assigned", "unassigned"):  # two each: the second must wait a second
                        await enqueue(tx, tz=settings.timezone, now=clock.now(), person_id=person_id, kind=kind,
                                      params={"name": "A", "village": "B"}, dedupe_key=f"{kind}:{person_id}")
            started = virtual.now()
            sent = await services.notifier.flush()
            elapsed = virtual.now() - started
        assert sent == 120 and api.limits.too_many == 0
        assert sorted(len(api.all_to(90000 + n)) for n in range(60)) == [2] * 60
        assert abs(elapsed - 119 / 29) < 0.01  # 120 sends 1/29 s apart: as fast as allowed, no faster
        async with services.db.reading() as conn:
            assert await Outbox.counts(conn) == {"sent": 120 + 0, "failed": 0, "pending": 0}
    finally:
        await services.close()


async def test_a_rate_limit_waits_retry_after_and_a_server_error_is_retried_later(services, clock):
    world = await make_world(services)

    class Flaky(RecordingChannel):
        calls = 0

        async def send(self, chat_id, reply):
            Flaky.calls += 1
            if Flaky.calls == 1:
                raise RateLimited(0.2)
            if Flaky.calls == 2:
                from bot.channels.errors import TemporaryFailure

                raise TemporaryFailure("502")
            return await super().send(chat_id, reply)

    channel = Flaky(Messenger.CONSOLE)
    services.notifier.register(channel)
    await world.enrol("Nông Văn Bình", supervisor="supervisor1")  # queues "assigned" for supervisor1

    assert channel.texts("supervisor1") == []  # 429: this messenger waits retry_after, nothing is lost
    clock.advance(seconds=1)
    await services.notifier.flush()
    assert channel.texts("supervisor1") == []  # then 502: tried again later
    clock.advance(seconds=60)
    await services.notifier.flush()
    assert len(channel.texts("supervisor1")) == 1
    assert services.notifier.stats["rate_limited"] == 1 and services.notifier.stats["retried"] == 1


def test_the_pacer_spaces_sends_overall_and_per_chat():
    import asyncio

    from tests.support.virtual_time import VirtualTime

    async def run() -> tuple[list[float], list[float]]:
        clock = VirtualTime()
        pacer = Pacer(rate=50, per_chat=0.3, now=clock.now, sleep=clock.sleep)
        spread = []
        for n in range(10):
            await pacer.wait(f"chat{n}")
            spread.append(round(clock.now(), 3))
        same = []
        for _ in range(3):
            await pacer.wait("same")
            same.append(round(clock.now(), 3))
        return spread, same

    spread, same = asyncio.run(run())
    assert spread == [round(0.02 * n, 3) for n in range(10)]  # 10 chats at 50 a second
    assert same == [0.2, 0.5, 0.8]  # one chat: its turn in the overall pace, then 0.3 s apart


async def test_the_sender_is_woken_only_by_messages_that_were_committed(services, clock):
    world = await make_world(services)
    supervisor = (await world.actor("supervisor1")).person.id
    before = services.db.committed_messages
    with pytest.raises(RuntimeError):
        async with services.db.transaction() as tx:
            await enqueue(tx, tz=services.settings.timezone, now=clock.now(), person_id=supervisor, kind="unassigned",
                          params={"name": "A"})
            raise RuntimeError("the change that caused it failed")
    assert services.db.committed_messages == before  # rolled back: nothing to wake the sender for
    async with services.db.transaction() as tx:
        await enqueue(tx, tz=services.settings.timezone, now=clock.now(), person_id=supervisor, kind="unassigned",
                      params={"name": "A"})
    assert services.db.committed_messages == before + 1
