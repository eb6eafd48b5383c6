"""The same dialogues on both messengers, through their real adapters: PTB for Telegram (buttons),
the Zalo adapter for Zalo (numbered choices). A check-in, a question, an alert to a police officer."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.channels.zalo import ZaloChannel, to_inbound
from bot.models import Contact, Messenger, Role, Status
from bot.services.supervision import CheckinInput
from tests.support.people import onboard
from tests.support.telegram_chat import TelegramPerson
from tests.support.world import make_world


class RecordingZaloClient:
    """Zalo's HTTP layer replaced by a recorder (the adapter above it is the real one)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.ids = 0

    async def call(self, method: str, **params):
        return True

    async def send_message(self, chat_id: str, text: str) -> str:
        assert 1 <= len(text) <= 2000
        self.sent.append((chat_id, text))
        return f"z{len(self.sent)}"

    async def close(self) -> None:
        return None


class ZaloPerson:
    def __init__(self, services, client: RecordingZaloClient, user_id: str) -> None:
        self.services, self.client, self.user_id = services, client, user_id

    async def says(self, text: str) -> list[str]:
        before = len(self.client.sent)
        self.client.ids += 1
        await self.services.pipeline.handle_now(to_inbound({"event_name": "message.text.received", "message": {
            "message_id": f"{self.user_id}-{self.client.ids}", "from": {"id": self.user_id}, "chat": {"id": self.user_id},
            "text": text}}))
        return [t for c, t in self.client.sent[before:] if c == self.user_id]

    async def choose(self, label: str) -> list[str]:
        last = next(t for c, t in reversed(self.client.sent) if c == self.user_id and re.search(r"^\d+\. ", t, re.M))
        number = next(m.group(1) for m in re.finditer(r"^(\d+)\. (.*)$", last, re.M) if m.group(2) == label)
        return await self.says(number)


class TelegramChooser(TelegramPerson):
    async def choose(self, label: str) -> list[str]:
        return await self.presses(label)


@pytest.fixture(params=["telegram", "zalo"])
async def messenger(request, telegram, api, services):
    """(messenger, make(user) -> person who says and chooses)."""
    if request.param == "telegram":
        yield Messenger.TELEGRAM, lambda user: TelegramChooser(telegram, api, int(user)), \
            lambda user: [s.text for s in api.all_to(int(user))]
        return
    client = RecordingZaloClient()
    services.register_channel(ZaloChannel(client))
    yield Messenger.ZALO, lambda user: ZaloPerson(services, client, str(user)), \
        lambda user: [t for c, t in client.sent if c == str(user)]


async def test_a_check_in_and_a_question_on_each_messenger(messenger, services):
    kind, person_on, _received = messenger
    world = await make_world(services)
    x = await world.enrol("Nông Văn Bình")
    await onboard(services, kind, "61001", Role.SUPERVISOR, name="Hà Văn Sơn")
    son = await services.accounts.identify(kind, "61001", "61001")
    await services.supervision.assign(await world.actor("police1"), x, son.person.id)
    supervisor = person_on("61001")

    await supervisor.says("/checkin")
    await supervisor.choose("Nông Văn Bình · Thôn Nà Lay")
    await supervisor.choose("Thăm tại nhà")
    await supervisor.choose("Ổn định")
    said = await supervisor.choose("✅ Lưu")
    assert "Đã lưu lần liên lạc với Nông Văn Bình ngày 22/11/2026 (thăm tại nhà): ổn định." in said

    answer = await supervisor.says("xin lltp o dau")
    assert answer[0].startswith("Phiếu lý lịch tư pháp do Công an tỉnh")


async def test_an_alert_reaches_a_police_officer_on_each_messenger(messenger, services):
    kind, person_on, received = messenger
    world = await make_world(services)
    x = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    await onboard(services, kind, "61002", Role.POLICE, name="Lò Văn Hùng")
    await services.supervision.record_checkin(await world.actor("supervisor1"), CheckinInput(
        client_key="both", person_id=x, contact=Contact.HOME_VISIT, status=Status.LEFT_LOCALITY,
        happened_on=date(2026, 11, 22)))
    await services.notifier.flush()

    assert received("61002")[-1].startswith("🔔 Cảnh báo. Nông Văn Bình (Thôn Nà Lay): đã rời khỏi địa phương")
    officer = person_on("61002")
    await officer.says("/alerts")
    await officer.choose("Nông Văn Bình (Thôn Nà Lay): đã rời khỏi địa phương · mới")
    said = await officer.choose("🙋 Tôi xử lý")
    assert said[0] == "Anh/chị đã nhận xử lý. Các cán bộ khác sẽ thấy việc này."


async def test_a_breach_recorded_and_the_months_grades_signed_on_each_messenger(messenger, services):
    """The supervision cycle is the same conversation on Telegram's buttons and Zalo's numbers."""
    kind, person_on, _received = messenger
    world = await make_world(services)
    await world.enrol("Nông Văn Bình")  # án treo from 10/01/2026; the suite's clock: 22/11/2026
    await onboard(services, kind, "61003", Role.POLICE, name="Lò Văn Hùng")
    await services.accounts.configure_commune("Xã Mẫu Sơn", {}, head="Lò Văn Hùng")
    officer = person_on("61003")

    await officer.says("/breach")
    await officer.choose("Nông Văn Bình · án treo")
    await officer.choose("Vi phạm nghĩa vụ (biên bản)")
    await officer.choose("Hôm nay")
    await officer.says("Không có mặt khi được triệu tập")
    said = await officer.choose("Cố ý")
    # Sunday 22/11: Mon 23, (24/11 is the Vietnam Culture Day holiday), 25, 26, 27, Mon 30
    assert said[0].startswith("Đã lưu. Hạn tổ chức kiểm điểm là 30/11/2026: 5 ngày làm việc")

    await officer.says("/grades")  # October: Bình had no breach then, no report either
    said = await officer.choose("✍️ Ký xếp loại của tháng")
    assert said[0] == "Đã ký 1 xếp loại tháng 10/2026."
