"""What a person reports about themself (and who is told)."""

from __future__ import annotations


from bot.models import (
    Person,
    Role,
)
from bot.services.access import NotFound, require_role
from bot.services.base import Service
from bot.services.outbox import enqueue
from bot.services.supervision.checkins import MAX_NOTE
from bot.storage.assignments import Assignments
from bot.storage.audit import Audit
from bot.storage.people import People
from bot.storage.records import Records
from bot.storage.self_reports import SelfReports


class SelfReportService(Service):
    async def self_report(self, actor, *, wellbeing: str, work: str, help_needed: str) -> Person | None:
        """Store a self-report on the person's card and tell their supervisor; returns the supervisor."""
        person = require_role(actor, Role.RETURNEE)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            record = await Records.get(tx, person.id)
            if record is None:
                raise NotFound
            await SelfReports.add(tx, person_id=person.id, wellbeing=wellbeing, work=work,
                                  help_needed=help_needed[:MAX_NOTE], now=now)
            await Audit.record(tx, now=now, actor_id=person.id, action="self_report.add", subject_id=person.id)
            supervisor_id = await Assignments.current(tx, person.id)
            supervisor = await People.get(tx, supervisor_id) if supervisor_id else None
            if supervisor is not None:
                await enqueue(tx, tz=self.tz, now=now, person_id=supervisor.id, kind="self_report", params={
                    "name": record.full_name, "wellbeing": wellbeing, "help": help_needed[:MAX_NOTE]})
        return supervisor
