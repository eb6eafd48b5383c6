"""Appointments with the commune officer."""

from __future__ import annotations

from datetime import datetime

from bot.models import (
    Role,
)
from bot.services.access import require_role
from bot.services.base import Service
from bot.storage.appointments import Appointments
from bot.storage.audit import Audit
from bot.storage.identities import Identities


class AppointmentService(Service):
    async def set_appointment(self, actor, person_id: int, at: datetime, place: str) -> int:
        """A meeting the person must attend; they are reminded the day before (see :meth:`can_be_reminded`)."""
        police = require_role(actor, Role.POLICE)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            await self._police_record(tx, police, person_id)
            appointment = await Appointments.add(tx, person_id=person_id, at=at, place=place, created_by=police.id,
                                                 now=now)
            await Audit.record(tx, now=now, actor_id=police.id, action="appointment.add", subject_id=person_id)
            return appointment

    async def can_be_reminded(self, actor, person_id: int) -> bool:
        """Whether the bot can reach the person at all (they joined on some messenger, not blocked)."""
        police = require_role(actor, Role.POLICE)
        async with self.db.reading() as conn:
            await self._police_record(conn, police, person_id)
            return any(not i.unreachable for i in await Identities.of_person(conn, person_id))

    async def next_appointment(self, actor) -> tuple[datetime, str] | None:
        person = require_role(actor, Role.RETURNEE)
        async with self.db.reading() as conn:
            return await Appointments.next_for(conn, person.id, self.clock.now())
