"""Hostile and malformed input through the real application (PTB, real SQLite), generated with
hypothesis: no unhandled exception, a polite answer to the sender, a flood is slowed down."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from telegram import Update

from bot.app import Services
from bot.clock import FixedClock
from bot.config import load_settings
from bot.models import Messenger, Role
from bot.services.flood import FloodGuard
from tests.conftest import TOKEN
from tests.support.fake_telegram import FakeBotApi, InProcessRequest
from tests.support.people import onboard

USERS = {"stranger": 8100, "police": 8101, "supervisor": 8102, "returnee": 8103}
HOSTILE = st.sampled_from(["\u202e", "\u0000", "\u0007", "\ufeff", "\u200f", "🙂", "👨‍👩‍👧", "ắ", "Đ", "/", "|", ":",
                           "\n", " ", "'", '"', "<b>", "%s", "{name}", "٣", "א"])
TEXTS = st.one_of(
    st.text(max_size=60),
    st.lists(HOSTILE | st.characters(), max_size=80).map("".join),
    st.integers(1, 3).map(lambda n: "x" * (1365 * n + 1)),  # up to 4,096 and beyond
    st.sampled_from(["/start", "/checkin", "/invite", "/enrol", "/people", "/alerts", "/cancel", "/help", "/report",
                     "/expungement", "/nonsense", "/start ZZZZ-ZZZZ", "1", "2", "99", "hôm qua", "31/02/2026"]),
)
CALLBACKS = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["menu|go:invite", "menu|go:enrol", "alert|claim:1", "alert|claim:999", "alert|resolve:abc",
                     "checkin:person|p:1", "invite:role|role:province", "people:card|close", "|", "menu|", "x" * 64]),
)


class Harness:
    """One event loop, one database, one PTB application, across all hypothesis examples."""

    def __init__(self, tmp_path) -> None:
        self.loop = asyncio.new_event_loop()
        self.api = FakeBotApi(TOKEN)
        self.errors: list[logging.LogRecord] = []
        self.ids = itertools.count(1)
        self.loop.run_until_complete(self._start(tmp_path))

    async def _start(self, tmp_path) -> None:
        from handlers.app import build_application

        settings = load_settings({"HOANHAP_DB": str(tmp_path / "fuzz.sqlite3"), "HOANHAP_TELEGRAM_TOKEN": TOKEN,
                                  "HOANHAP_TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot"}, dotenv=False)
        self.services = await Services.start(settings, FixedClock(datetime(2026, 11, 22, 3, tzinfo=timezone.utc)))
        self.services.notifier.pace(rate=10_000, per_chat=0.0)
        self.services.flood = FloodGuard(burst=10_000)
        for role in ("police", "supervisor", "returnee"):
            await onboard(self.services, Messenger.TELEGRAM, str(USERS[role]), Role(role))
        self.app = build_application(self.services, request=InProcessRequest(self.api))
        await self.app.initialize()

    def feed(self, raw: dict) -> None:
        self.api.updates.remove(raw)
        self.loop.run_until_complete(self.app.process_update(Update.de_json(raw, self.app.bot)))

    def close(self) -> None:
        self.loop.run_until_complete(self.app.shutdown())
        self.loop.run_until_complete(self.services.close())
        self.loop.close()


class ErrorCatcher(logging.Handler):
    def __init__(self, sink: list) -> None:
        super().__init__(logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record)


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    harness = Harness(tmp_path_factory.mktemp("fuzz"))
    catcher = ErrorCatcher(harness.errors)
    logging.getLogger().addHandler(catcher)
    yield harness
    logging.getLogger().removeHandler(catcher)
    harness.close()


@hsettings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(who=st.sampled_from(sorted(USERS)), steps=st.lists(st.tuples(st.booleans(), TEXTS, CALLBACKS), min_size=1,
                                                           max_size=6))
def test_hostile_messages_and_buttons_get_a_polite_answer_and_no_crash(harness, who, steps):
    api, user = harness.api, USERS[who]
    for is_button, text, data in steps:
        before = len(api.all_to(user))
        if is_button:
            anchor = api.all_to(user)[-1] if api.all_to(user) else None
            if anchor is None:
                continue
            raw = harness.loop.run_until_complete(api.user_presses(user, anchor, data=data))
        else:
            raw = harness.loop.run_until_complete(api.user_says(user, text))
        harness.feed(raw)
        answers = api.all_to(user)[before:]
        assert answers, f"no answer to {'button' if is_button else 'text'} {(data if is_button else text)[:40]!r}"
        assert all(a.text.strip() for a in answers)
        assert not any("Traceback" in a.text or "Error" in a.text for a in answers)
    assert harness.errors == [], [r.getMessage() for r in harness.errors]


def test_a_flooding_user_is_slowed_down_and_others_are_not(harness):
    harness.services.flood = FloodGuard()  # the production setting: 30 messages in 10 s
    api, flooder, other = harness.api, 8201, 8202
    try:
        for n in range(50):
            harness.feed(harness.loop.run_until_complete(api.user_says(flooder, f"spam {n}")))
        replies = [s.text for s in api.all_to(flooder)]
        assert len(replies) == 31  # 30 answers, one "slow down", then nothing
        assert replies[-1] == "Anh/chị đang gửi tin nhắn quá nhanh. Vui lòng chờ nửa phút rồi thử lại."
        start = time.perf_counter()
        harness.feed(harness.loop.run_until_complete(api.user_says(other, "xin chào")))
        assert api.all_to(other) and time.perf_counter() - start < 1.0
    finally:
        harness.services.flood = FloodGuard(burst=10_000)
