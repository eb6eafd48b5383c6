"""Wiring: the services every channel shares."""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.port import Notifier
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.dialog.engine import Registry
from bot.flows import all_flows
from bot.services.accounts import Accounts
from bot.services.updates import SeenUpdatesLog
from bot.storage.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    accounts: Accounts
    notifier: Notifier
    flows: Registry
    seen_updates: SeenUpdatesLog

    @classmethod
    async def start(cls, settings: Settings, clock: Clock | None = None) -> "Services":
        clock = clock or SystemClock()
        db = await Database.open(settings.db_path)
        accounts = Accounts(db, clock, settings.default_locale)
        return cls(
            settings=settings,
            db=db,
            clock=clock,
            accounts=accounts,
            notifier=Notifier(accounts, settings.default_locale),
            flows=Registry(all_flows()),
            seen_updates=SeenUpdatesLog(db, clock),
        )

    async def close(self) -> None:
        await self.db.close()
