"""Lists: a commune's roster (filtered), a supervisor's people, each with their contact cadence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.models import (
    Category,
    Person,
    Record,
    Role,
)
from bot.rules.cadence import Due, DueState, due, rule_for
from bot.services.access import require_role
from bot.services.base import Service
from bot.storage.assignments import Assignments
from bot.storage.people import People
from bot.storage.records import Records


@dataclass(frozen=True)
class RosterRow:
    record: Record
    supervisor: Person | None
    due: Due


class RosterService(Service):
    # ---- assignment ------------------------------------------------------------------------
    async def supervisors(self, actor) -> list[Person]:
        police = require_role(actor, Role.POLICE)
        async with self.db.reading() as conn:
            return await People.in_commune(conn, police.commune_id, Role.SUPERVISOR)

    def due_for(self, record: Record, rules: dict[str, str], contacts: list[date]) -> Due:
        """The person's contact cadence (their own rule, else their category's) applied today."""
        rule = rule_for(record.cadence_rule, rules[record.category.value])
        return due(rule, enrolled_on=record.enrolled_on, contacts=contacts, today=self.today(),
                   closed_on=record.closed_on)

    async def _rows(self, conn, records: list[Record], commune_id: int, supervisor: Person | None = None
                    ) -> list[RosterRow]:
        """Roster rows; ``supervisor`` when they are all one supervisor's people (no commune-wide lookup)."""
        rules = await self.rules_for(conn, commune_id)
        ids = [r.person_id for r in records]
        if supervisor is not None:
            supervisors, people = {pid: supervisor.id for pid in ids}, {supervisor.id: supervisor}
        else:
            supervisors = await Assignments.supervisors_of_commune(conn, commune_id)
            people = {}
            for supervisor_id in set(supervisors.values()):
                people[supervisor_id] = await People.get(conn, supervisor_id)
        rows = []
        for record in records:
            contacts = [record.last_contact] if record.last_contact else []  # the cadence needs only the last
            sup = supervisors.get(record.person_id)
            rows.append(RosterRow(record, people.get(sup) if sup else None, self.due_for(record, rules, contacts)))
        rows.sort(key=lambda row: (row.due.sort_key, row.record.full_name))
        return rows

    async def roster(self, actor, *, category: Category | None = None, village: str | None = None,
                     supervisor_id: int | None = None, overdue_only: bool = False) -> list[RosterRow]:
        police = require_role(actor, Role.POLICE)
        async with self.db.reading() as conn:
            records = await Records.in_commune(conn, police.commune_id)
            rows = await self._rows(conn, records, police.commune_id)
        return [
            row for row in rows
            if (category is None or row.record.category is category)
            and (village is None or row.record.village == village)
            and (supervisor_id is None or (row.supervisor and row.supervisor.id == supervisor_id))
            and (not overdue_only or row.due.state is DueState.OVERDUE)
        ]

    async def villages(self, actor) -> list[str]:
        police = require_role(actor, Role.POLICE)
        async with self.db.reading() as conn:
            return sorted({r.village for r in await Records.in_commune(conn, police.commune_id)})

    async def my_people(self, actor) -> list[RosterRow]:
        supervisor = require_role(actor, Role.SUPERVISOR)
        async with self.db.reading() as conn:
            records = await Records.of_supervisor(conn, supervisor.id)
            return await self._rows(conn, records, supervisor.commune_id, supervisor)
