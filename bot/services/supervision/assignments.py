"""Assigning a supervisor to a person (and telling both supervisors)."""

from __future__ import annotations


from bot.models import (
    Person,
    Record,
    Role,
)
from bot.services.access import NotFound, PermissionDenied, require_role
from bot.services.base import Service
from bot.services.outbox import enqueue
from bot.storage.assignments import Assignments
from bot.storage.audit import Audit
from bot.storage.people import People


class AssignmentService(Service):
    async def assign(self, actor, person_id: int, supervisor_id: int) -> tuple[Record, Person]:
        """Make ``supervisor_id`` the person's primary supervisor and tell them, in their language."""
        police = require_role(actor, Role.POLICE)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            record = await self._police_record(tx, police, person_id)
            supervisor = await People.get(tx, supervisor_id)
            if (supervisor is None or supervisor.role is not Role.SUPERVISOR or not supervisor.active
                    or supervisor.commune_id != police.commune_id):
                raise NotFound
            if not record.open:
                raise PermissionDenied
            previous = await Assignments.current(tx, person_id)
            if previous != supervisor_id:
                await Assignments.assign(tx, person_id=person_id, supervisor_id=supervisor_id,
                                         assigned_by=police.id, now=now)
                await Audit.record(tx, now=now, actor_id=police.id, action="record.assign", subject_id=person_id,
                                   detail={"supervisor_id": supervisor_id})
                about = {"name": record.full_name, "village": record.village}
                await enqueue(tx, tz=self.tz, now=now, person_id=supervisor_id, kind="assigned", params=about)
                if previous is not None:
                    await enqueue(tx, tz=self.tz, now=now, person_id=previous, kind="unassigned", params=about)
        return record, supervisor
