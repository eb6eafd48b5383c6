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
from bot.textnorm import clean_name
from bot.services.access import NotFound, PermissionDenied, require_role, same_commune
from bot.services.base import Service
from bot.services.outbox import enqueue
from bot.storage.alerts import Alerts
from bot.storage.assessments import Assessments
from bot.storage.assignments import Assignments
from bot.storage.audit import Audit
from bot.storage.checkins import Checkins
from bot.storage.communes import Communes
from bot.storage.cycle import Breaches, RollCalls
from bot.storage.family import FamilyLinks
from bot.storage.people import People
from bot.storage.records import RECORD_FIELDS, RecordChanges, Records, Supplementaries
from bot.storage.help_threads import Threads
from bot.storage.self_reports import SelfReports


class LooksLike(Exception):
    """A record of the commune has nearly this name (it differs only in accents), the same birth
    date and village: the same person, or someone else? The officer decides."""

    def __init__(self, record: Record) -> None:
        super().__init__(record.person_id)
        self.record = record


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

    def __post_init__(self) -> None:  # one stored form for names and phone numbers, whatever the way in
        object.__setattr__(self, "full_name", clean_name(self.full_name))
        object.__setattr__(self, "family_name", clean_name(self.family_name))
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
    # While serving in the community (Nghị định 231/2026): this month's periodic report and roll
    # call, breach records and fines, the next review meeting due.
    cycle: dict | None = None


@dataclass(frozen=True)
class MyView:
    """What a person sees about themself (or a family member, about what was shared)."""

    record: Record
    supervisor: Person | None
    due: Due | None
    shares: tuple[str, ...] = ("dates", "supervisor")


class RecordsService(Service):
    # ---- records ---------------------------------------------------------------------------
    async def enrol(self, actor, data: RecordInput, *, not_the_same_as: tuple[int, ...] = ()) -> tuple[Record, bool]:
        """Enrol a person in the actor's commune; (record, False) if they are already enrolled.
        Raises :class:`LooksLike` when a record's name differs only in accents (same birth date and
        village) unless the officer said it is someone else (``not_the_same_as``)."""
        police = require_role(actor, Role.POLICE)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            same, similar = await Records.matching(tx, police.commune_id, data.full_name, data.date_of_birth,
                                                   data.village)
            if same is not None:
                return await Records.get(tx, same), False
            if set(similar) - set(not_the_same_as):
                raise LooksLike(await Records.get(tx, min(set(similar) - set(not_the_same_as))))
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

    async def transfer(self, full_name: str, from_commune: str, to_commune: str) -> Record:
        """Move a person's open record to another commune (the operator's or the province's act:
        police of one commune never learn who another manages). The current supervisor is
        released and told; the new commune's police are told and assign a supervisor. Raises
        NotFound (no such open record) or ValueError (why not)."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            source, target = await Communes.find(tx, from_commune), await Communes.find(tx, to_commune)
            if source is None or target is None:
                raise NotFound(from_commune if source is None else to_commune)
            if source.id == target.id:
                raise ValueError("the two communes are the same")
            matches = await Records.by_name(tx, source.id, full_name)
            if len(matches) != 1:
                raise NotFound(full_name) if not matches else ValueError(
                    f"{len(matches)} open records named {full_name!r}: close the wrong one first")
            record = await Records.get(tx, matches[0])
            if await Records.by_name(tx, target.id, record.full_name):
                raise ValueError(f"{target.name} already has an open record named {record.full_name!r}: "
                                 "its police close one of them first")
            previous = await Assignments.current(tx, record.person_id)
            await Assignments.end(tx, record.person_id, now)
            await People.move(tx, record.person_id, target.id)
            await Alerts.move_open(tx, record.person_id, target.id)
            await Threads.move_open(tx, record.person_id, target.id)
            await RecordChanges.add(tx, person_id=record.person_id, actor_id=None, reason="transfer",
                                    changes={"commune_id": [source.id, target.id]}, now=now)
            await Audit.record(tx, now=now, actor_id=None, action="record.transfer", subject_id=record.person_id,
                               detail={"from": source.id, "to": target.id})
            about = {"name": record.full_name, "village": record.village}
            if previous is not None:
                await enqueue(tx, tz=self.tz, now=now, person_id=previous, kind="unassigned", params=about)
            for officer in await People.in_commune(tx, target.id, Role.POLICE):
                await enqueue(tx, tz=self.tz, now=now, person_id=officer.id, kind="transferred_in",
                              params={**about, "from": source.name})
            return await Records.get(tx, record.person_id)

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
                cycle=await self._cycle_facts(tx, record),
            )
            await Audit.record(tx, now=now, actor_id=police.id, action="record.view", subject_id=person_id)
        return card

    async def _cycle_facts(self, conn, record: Record) -> dict | None:
        if record.category not in (Category.SUSPENDED, Category.NON_CUSTODIAL, Category.PAROLE) or not record.open:
            return None
        today = self.today()
        month = f"{today:%Y-%m}"
        reports = await SelfReports.of_person(conn, record.person_id, limit=5)
        breaches = await Breaches.of_person(conn, record.person_id)
        reviews = sorted(b.review_due for b in breaches if b.review_due and b.review_outcome is None)
        return {"report": any(r.created_at.astimezone(self.tz).strftime("%Y-%m") == month for r in reports),
                "roll_call": await RollCalls.done(conn, record.person_id, month) is not None,
                "breaches": len(breaches), "review_due": reviews[0] if reviews else None}

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
