"""Records: enrolment, corrections with a reason, closing, the card police see, a person's own view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.models import (
    Alert,
    Assessment,
    Category,
    Checkin,
    CloseReason,
    PenaltyType,
    Person,
    Record,
    Role,
    SelfReport,
    Supplementary,
)
from bot.rules.cadence import Due
from bot.rules.phones import normalise_phone
from bot.services.access import NotFound, PermissionDenied, require_role, same_commune
from bot.services.base import Service
from bot.storage.alerts import Alerts
from bot.storage.assessments import Assessments
from bot.storage.assignments import Assignments
from bot.storage.audit import Audit
from bot.storage.checkins import Checkins
from bot.storage.family import FamilyLinks
from bot.storage.people import People
from bot.storage.records import RECORD_FIELDS, RecordChanges, Records, Supplementaries
from bot.storage.self_reports import SelfReports


@dataclass(frozen=True)
class RecordInput:
    full_name: str
    date_of_birth: date
    village: str
    category: Category
    penalty_type: PenaltyType
    penalty_months: int | None = None
    release_date: date | None = None
    probation_start: date | None = None
    probation_end: date | None = None
    supplementary: tuple[Supplementary, ...] = ()
    family_name: str = ""
    family_relation: str = ""
    family_phone: str = ""
    note: str = ""

    def __post_init__(self) -> None:  # one stored form for phone numbers, whatever the way in
        if self.family_phone:
            object.__setattr__(self, "family_phone", normalise_phone(self.family_phone) or self.family_phone)

    def fields(self) -> dict:
        return {f: getattr(self, f) for f in RECORD_FIELDS if f != "cadence_rule"}


@dataclass(frozen=True)
class Card:
    record: Record
    supervisor: Person | None
    due: Due
    checkins: list[Checkin]
    assessments: list[Assessment]
    self_reports: list[SelfReport]
    alerts: list[Alert]
    changes: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class MyView:
    """What a person sees about themself (or a family member, about what was shared)."""

    record: Record
    supervisor: Person | None
    due: Due | None
    shares: tuple[str, ...] = ("dates", "supervisor")


class RecordsService(Service):
    # ---- records ---------------------------------------------------------------------------
    async def enrol(self, actor, data: RecordInput) -> tuple[Record, bool]:
        """Enrol a person in the actor's commune; (record, False) if they are already enrolled."""
        police = require_role(actor, Role.POLICE)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            existing = await Records.find_natural(tx, data.full_name, data.date_of_birth, data.village)
            if existing is not None:
                record = await Records.get(tx, existing)
                if record.commune_id == police.commune_id:
                    return record, False
                raise PermissionDenied
            person = await People.add(tx, commune_id=police.commune_id, role=Role.RETURNEE,
                                      full_name=data.full_name, locale=None, now=now)
            await Records.add(tx, person_id=person.id, full_name=data.full_name, fields=data.fields(),
                              enrolled_on=self.today(), created_by=police.id, now=now)
            await Supplementaries.replace(tx, person.id, list(data.supplementary))
            await Audit.record(tx, now=now, actor_id=police.id, action="record.enrol", subject_id=person.id)
            record = await Records.get(tx, person.id)
        return record, True

    async def update(self, actor, person_id: int, changes: dict, reason: str) -> Record:
        police = require_role(actor, Role.POLICE)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            record = await self._police_record(tx, police, person_id)
            diff = {}
            for name, value in changes.items():
                if name == "supplementary":
                    before = [f"{s.kind.value}:{s.ends_on}" for s in record.supplementary]
                    after = [f"{s.kind.value}:{s.ends_on}" for s in value]
                    if before != after:
                        diff[name] = [before, after]
                        await Supplementaries.replace(tx, person_id, list(value))
                    continue
                if name == "full_name":
                    before = record.full_name
                else:
                    if name not in RECORD_FIELDS:
                        raise ValueError(f"not an editable field: {name}")
                    before = getattr(record, name)
                if before != value:
                    diff[name] = [before, value]
            if not diff:
                return record
            if "full_name" in diff:
                await Records.rename(tx, person_id, changes["full_name"])
            await Records.update(tx, person_id, {k: changes[k] for k in diff if k not in ("full_name", "supplementary")}, now)
            await RecordChanges.add(tx, person_id=person_id, actor_id=police.id, reason=reason, changes=diff, now=now)
            await Audit.record(tx, now=now, actor_id=police.id, action="record.edit", subject_id=person_id,
                               detail={"fields": sorted(diff)})
            return await Records.get(tx, person_id)

    async def close(self, actor, person_id: int, reason: CloseReason, on: date, note: str = "") -> Record:
        """End management (expunged, moved away, died…); the record and its history are kept."""
        police = require_role(actor, Role.POLICE)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            record = await self._police_record(tx, police, person_id)
            if not record.open:
                return record
            await Records.update(tx, person_id, {"closed_on": on, "closed_reason": reason, "closed_note": note}, now)
            await Assignments.end(tx, person_id, now)
            await RecordChanges.add(tx, person_id=person_id, actor_id=police.id, reason=f"closed: {reason.value}",
                                    changes={"closed_on": [None, on.isoformat()], "note": [None, note]}, now=now)
            await Audit.record(tx, now=now, actor_id=police.id, action="record.close", subject_id=person_id,
                               detail={"reason": reason.value})
            return await Records.get(tx, person_id)

    async def _police_record(self, conn, police: Person, person_id: int) -> Record:
        record = await Records.get(conn, person_id)
        if record is None:
            raise NotFound
        same_commune(police, record.commune_id)
        return record

    async def card(self, actor, person_id: int) -> Card:
        """A person's full card, for police of the commune; the look is audited."""
        police = require_role(actor, Role.POLICE)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            record = await self._police_record(tx, police, person_id)
            rules = await self.rules_for(tx, record.commune_id)
            checkins = await Checkins.of_person(tx, person_id, limit=10)
            supervisor_id = await Assignments.current(tx, person_id)
            card = Card(
                record=record,
                supervisor=await People.get(tx, supervisor_id) if supervisor_id else None,
                due=self.due_for(record, rules, [c.happened_on for c in checkins]),
                checkins=checkins,
                assessments=await Assessments.of_person(tx, person_id),
                self_reports=await SelfReports.of_person(tx, person_id),
                alerts=await Alerts.open_for_person(tx, person_id),
                changes=await RecordChanges.of(tx, person_id),
            )
            await Audit.record(tx, now=now, actor_id=police.id, action="record.view", subject_id=person_id)
        return card

    async def me(self, actor) -> list[MyView]:
        """A returnee's own record; for a family member, their relatives' shared parts."""
        if actor.role is Role.RETURNEE:
            targets = [(actor.person.id, ("dates", "supervisor"))]
        elif actor.role is Role.FAMILY:
            async with self.db.reading() as conn:
                targets = [(pid, tuple(shares)) for pid, shares in await FamilyLinks.of_family(conn, actor.person.id)]
        else:
            raise PermissionDenied
        views = []
        now = self.clock.now()
        async with self.db.transaction() as tx:
            for person_id, shares in targets:
                record = await Records.get(tx, person_id)
                if record is None:
                    continue
                checkins = await Checkins.of_person(tx, person_id, limit=1)
                supervisor_id = await Assignments.current(tx, person_id)
                rules = await self.rules_for(tx, record.commune_id)
                views.append(MyView(
                    record=record,
                    supervisor=await People.get(tx, supervisor_id) if supervisor_id and "supervisor" in shares else None,
                    due=self.due_for(record, rules, [c.happened_on for c in checkins]) if "dates" in shares else None,
                    shares=shares,
                ))
                await Audit.record(tx, now=now, actor_id=actor.person.id, action="record.view_own", subject_id=person_id)
        return views

    async def own_record(self, actor) -> Record | None:
        """A returnee's own record (for the help desk's calculators), or None."""
        person = require_role(actor, Role.RETURNEE)
        async with self.db.reading() as conn:
            return await Records.get(conn, person.id)
