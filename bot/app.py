"""Wiring: the services every channel shares."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.dialog.engine import Registry
from bot.flows import MENU_ORDER, all_commands, all_flows
from bot.logs import protect_logs
from bot.services.accounts import Accounts
from bot.services.alerting import Alerting
from bot.services.flood import FloodGuard
from bot.services.handoff import Handoff
from bot.services.privacy import Privacy
from bot.services.members import Members
from bot.services.reminders import Reminders
from bot.services.reports import Reports
from bot.services.jobs import Jobs
from bot.services.notifier import Notifier
from bot.services.supervision import Supervision
from bot.runtime.pipeline import Pipeline
from bot.storage.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    accounts: Accounts
    notifier: Notifier
    supervision: Supervision
    handoff: Handoff
    alerting: Alerting
    reminders: Reminders
    reports: Reports
    jobs: Jobs
    flows: Registry
    flood: FloodGuard
    privacy: Privacy
    members: Members
    pipeline: "Pipeline" = None  # set in start(): every messenger's events go through it
    zalo_oa: object = None  # the Zalo OA client, when this process serves Official Accounts

    def register_channel(self, channel) -> None:
        """A messenger this process serves: answers go out through it, and so do notices."""
        self.notifier.register(channel)
        self.pipeline.register(channel)

    @classmethod
    async def start(cls, settings: Settings, clock: Clock | None = None) -> "Services":
        clock = clock or SystemClock()
        protect_logs()  # whatever the logging set-up, no personal data or token from the libraries
        db = await Database.open(settings.db_path)
        accounts = Accounts(db, clock, settings.default_locale, settings.timezone)
        notifier = Notifier(db, clock, accounts, settings.default_locale, settings.timezone)
        supervision = Supervision(db, clock, settings.timezone)
        await supervision.seed_cadence()
        services = cls(
            settings=settings,
            db=db,
            clock=clock,
            accounts=accounts,
            notifier=notifier,
            supervision=supervision,
            handoff=Handoff(db, clock, settings.timezone),
            alerting=Alerting(db, clock, settings.timezone),
            reminders=Reminders(db, clock, settings.timezone),
            reports=Reports(db, clock, settings.timezone),
            jobs=Jobs(db, clock, settings.timezone),
            flows=Registry(all_flows(), all_commands(), MENU_ORDER),
            flood=FloodGuard(),
            privacy=Privacy(db, clock, settings.timezone, settings.retention_days),
            members=Members(db, clock, settings.timezone),
        )
        services.pipeline = Pipeline(services)
        return services

    async def close(self) -> None:
        await self.db.close()
