from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.app import Services
from bot.clock import FixedClock
from bot.services.flood import FloodGuard
from bot.config import load_settings
from tests.support.fake_telegram import FakeBotApi, InProcessRequest

TOKEN = "123456:TEST-token-for-the-fake-api-only"


@pytest.fixture
def env(tmp_path):
    # A closed local port: a test that forgets to start the fake server fails fast, offline.
    return {"HOANHAP_DB": str(tmp_path / "bot.sqlite3"), "HOANHAP_TELEGRAM_TOKEN": TOKEN,
            "HOANHAP_TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot"}


@pytest.fixture
def settings(env):
    return load_settings(env, dotenv=False)


@pytest.fixture
def clock():
    # 10:00 in Vietnam on 22/11/2026
    return FixedClock(datetime(2026, 11, 22, 3, 0, tzinfo=timezone.utc))


@pytest.fixture
async def services(settings, clock):
    services = await Services.start(settings, clock)
    # Pacing is real time; tests that are not about it should not wait for it.
    services.notifier.pace(rate=10_000, per_chat=0.0)
    services.flood = FloodGuard(burst=10_000)  # the flood tests set their own
    yield services
    await services.close()


@pytest.fixture
def api():
    return FakeBotApi(TOKEN)


@pytest.fixture
async def telegram(services, api):
    """A real PTB Application whose HTTP layer is the in-process fake."""
    from handlers.app import build_application, on_startup

    application = build_application(services, request=InProcessRequest(api))
    async with application:
        await on_startup(application)
        yield application
