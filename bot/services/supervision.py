"""Supervision use cases: enrolment, records, assignment, check-ins, assessments, self-reports, views.

Every read is scoped: police see their commune, a supervisor sees the people assigned to them, a
person sees themself, a family member what the person agreed to share. Every view of a record is
written to the audit log.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources

from bot.clock import Clock, local_today
from bot.models import (
    ALERTING_STATUSES,
    Alert,
    Assessment,
    Category,
    Checkin,
    CloseReason,
    Contact,
    PenaltyType,
    Person,
    Record,
    Role,
    SelfReport,
    Status,
    Supplementary,
)
from bot.rules.cadence import Due, DueState, due, parse_rule, rule_for
from bot.services.access import NotFound, PermissionDenied, require_role, same_commune
from bot.storage.db import Database
from bot.services.alerting import open_alert
from bot.services.delivery import enqueue
from bot.storage.audit import Audit
from bot.storage.communes import Communes
from bot.storage.people import People
from bot.storage.alerts import Alerts
from bot.storage.appointments import Appointments
from bot.storage.assessments import Assessments
from bot.storage.assignments import Assignments
from bot.storage.cadence import CadenceRules
from bot.storage.checkins import Checkins
from bot.storage.family import FamilyLinks
from bot.storage.records import RECORD_FIELDS, RecordChanges, Records, Supplementaries
from bot.storage.self_reports import SelfReports

log = logging.getLogger(__name__)

EDIT_WINDOW = timedelta(hours=24)
POLICE_FIX_WINDOW = timedelta(days=30)
MAX_NOTE = 1000


def cadence_defaults() -> dict[str, tuple[str, str]]:
    text = resources.files("bot.rules").joinpath("cadence_defaults.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    for category, entry in data.items():
        Category(category)
        parse_rule(entry["rule"])
    return {category: (entry["rule"], entry.get("source", "")) for category, entry in data.items()}


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

    def fields(self) -> dict:
        return {f: getattr(self, f) for f in RECORD_FIELDS if f != "cadence_rule"}


@dataclass(frozen=True)
class CheckinInput:
    client_key: str
    person_id: int
    contact: Contact
    status: Status
    happened_on: date
    note: str = ""
    photo: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class RosterRow:
    record: Record
    supervisor: Person | None
    due: Due


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


@dataclass(frozen=True)
class CheckinSaved:
    checkin: Checkin
    record: Record
    new: bool
    alert: Alert | None


class Supervision:
    def __init__(self, db: Database, clock: Clock, tz) -> None:
        self.db = db
        self.clock = clock
        self.tz = tz

    def today(self) -> date:
        return local_today(self.clock, self.tz)

    async def seed_cadence(self) -> None:
        async with self.db.transaction() as tx:
            await CadenceRules.seed(tx, cadence_defaults())

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

    # ---- assignment ------------------------------------------------------------------------
    async def supervisors(self, actor) -> list[Person]:
        police = require_role(actor, Role.POLICE)
        async with self.db.reading() as conn:
            return await People.in_commune(conn, police.commune_id, Role.SUPERVISOR)

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

    async def commune_cadence(self, commune_name: str) -> dict[str, str] | None:
        """category → rule in force for a commune (None when there is no such commune)."""
        async with self.db.reading() as conn:
            commune = await Communes.find(conn, commune_name)
            return await CadenceRules.for_commune(conn, commune.id) if commune else None

    async def set_commune_cadence(self, commune_name: str, category: Category, rule: str) -> None:
        """A commune's own rule for a category (from the command line; the defaults stay as they are)."""
        parse_rule(rule)
        async with self.db.transaction() as tx:
            commune = await Communes.find(tx, commune_name)
            if commune is None:
                raise NotFound
            await CadenceRules.set_for_commune(tx, commune.id, category.value, rule)
            await Audit.record(tx, now=self.clock.now(), actor_id=None, action="cadence.set",
                               detail={"commune_id": commune.id, "category": category.value, "rule": rule})

    # ---- views -----------------------------------------------------------------------------
    async def rules_for(self, conn, commune_id: int) -> dict[str, str]:
        return await CadenceRules.for_commune(conn, commune_id)

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

    async def set_appointment(self, actor, person_id: int, at: datetime, place: str) -> int:
        """A meeting the person must attend; they are reminded the day before."""
        police = require_role(actor, Role.POLICE)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            await self._police_record(tx, police, person_id)
            appointment = await Appointments.add(tx, person_id=person_id, at=at, place=place, created_by=police.id,
                                                 now=now)
            await Audit.record(tx, now=now, actor_id=police.id, action="appointment.add", subject_id=person_id)
            return appointment

    async def next_appointment(self, actor) -> tuple[datetime, str] | None:
        person = require_role(actor, Role.RETURNEE)
        async with self.db.reading() as conn:
            return await Appointments.next_for(conn, person.id, self.clock.now())

    async def own_record(self, actor) -> Record | None:
        """A returnee's own record (for the help desk's calculators), or None."""
        person = require_role(actor, Role.RETURNEE)
        async with self.db.reading() as conn:
            return await Records.get(conn, person.id)

    async def set_family_shares(self, actor, shares: list[str]) -> None:
        person = require_role(actor, Role.RETURNEE)
        allowed = [s for s in shares if s in ("dates", "supervisor")]
        async with self.db.transaction() as tx:
            await FamilyLinks.set_shares(tx, person.id, allowed)
            await Audit.record(tx, now=self.clock.now(), actor_id=person.id, action="family.shares",
                               subject_id=person.id, detail={"shares": allowed})

    async def family_shares(self, actor) -> tuple[int, list[str]]:
        """(number of linked family members, what is shared with them)."""
        person = require_role(actor, Role.RETURNEE)
        async with self.db.reading() as conn:
            links = await FamilyLinks.of_person(conn, person.id)
        return len(links), (links[0][1] if links else [])

    # ---- check-ins -------------------------------------------------------------------------
    async def _supervised_record(self, conn, supervisor: Person, person_id: int) -> Record:
        record = await Records.get(conn, person_id)
        if record is None or not record.open or await Assignments.current(conn, person_id) != supervisor.id:
            raise NotFound  # the same answer whether it exists or is someone else's
        return record

    async def checkin_record(self, actor, person_id: int) -> Record:
        """The record a supervisor is about to check in on (only their own people)."""
        supervisor = require_role(actor, Role.SUPERVISOR)
        async with self.db.reading() as conn:
            return await self._supervised_record(conn, supervisor, person_id)

    async def record_checkin(self, actor, data: CheckinInput) -> CheckinSaved:
        """Store a confirmed check-in once (by the draft's key) and open an alert if its status needs one."""
        supervisor = require_role(actor, Role.SUPERVISOR)
        if data.happened_on > self.today():
            raise ValueError("a check-in cannot be in the future")
        now = self.clock.now()
        alert = None
        async with self.db.transaction() as tx:
            record = await self._supervised_record(tx, supervisor, data.person_id)
            checkin, new = await Checkins.add(
                tx, client_key=data.client_key, person_id=data.person_id, supervisor_id=supervisor.id,
                contact=data.contact, status=data.status, note=data.note[:MAX_NOTE], photo=data.photo,
                latitude=data.latitude, longitude=data.longitude, happened_on=data.happened_on, now=now,
            )
            if new:
                await Audit.record(tx, now=now, actor_id=supervisor.id, action="checkin.add", subject_id=data.person_id,
                                   detail={"checkin_id": checkin.id})
                if checkin.status in ALERTING_STATUSES:
                    alert, _ = await open_alert(tx, tz=self.tz, now=now, commune_id=record.commune_id,
                                                person_id=record.person_id, reason=ALERTING_STATUSES[checkin.status],
                                                source=f"checkin:{checkin.id}")
        if new:
            log.info("check-in %s stored", checkin.id)
        return CheckinSaved(checkin, record, new, alert)

    async def fixable_checkins(self, actor) -> list[tuple[Checkin, Record]]:
        """What the actor may still correct: a supervisor's own from the last 24 h; police, the commune's."""
        now = self.clock.now()
        async with self.db.reading() as conn:
            if actor.role is Role.SUPERVISOR:
                items = await Checkins.by_supervisor_since(conn, actor.person.id, now - EDIT_WINDOW)
            elif actor.role is Role.POLICE:
                items = []
                for record in await Records.in_commune(conn, actor.person.commune_id, include_closed=True):
                    items += [c for c in await Checkins.of_person(conn, record.person_id, limit=20)
                              if c.created_at >= now - POLICE_FIX_WINDOW]
                items.sort(key=lambda c: c.created_at, reverse=True)
            else:
                raise PermissionDenied
            return [(c, await Records.get(conn, c.person_id)) for c in items[:30]]

    async def _fixable(self, conn, actor, checkin_id: int) -> Checkin:
        checkin = await Checkins.get(conn, checkin_id)
        if checkin is None or checkin.withdrawn_at is not None:
            raise NotFound
        if actor.role is Role.SUPERVISOR:
            if checkin.supervisor_id != actor.person.id:
                raise NotFound
            if self.clock.now() - checkin.created_at > EDIT_WINDOW:
                raise PermissionDenied  # after 24 hours, changes go through commune police
        elif actor.role is Role.POLICE:
            record = await Records.get(conn, checkin.person_id)
            same_commune(actor.person, record.commune_id)
        else:
            raise PermissionDenied
        return checkin

    async def correct_checkin(self, actor, checkin_id: int, *, status: Status | None = None,
                              note: str | None = None) -> Checkin:
        now = self.clock.now()
        async with self.db.transaction() as tx:
            checkin = await self._fixable(tx, actor, checkin_id)
            await Checkins.correct(tx, checkin_id, status=status, note=note[:MAX_NOTE] if note is not None else None,
                                   now=now)
            detail = {"checkin_id": checkin_id}
            if status is not None:
                detail["status"] = [checkin.status.value, status.value]
            await Audit.record(tx, now=now, actor_id=actor.person.id, action="checkin.correct",
                               subject_id=checkin.person_id, detail=detail)
            if status in ALERTING_STATUSES:
                record = await Records.get(tx, checkin.person_id)
                await open_alert(tx, tz=self.tz, now=now, commune_id=record.commune_id, person_id=record.person_id,
                                 reason=ALERTING_STATUSES[status], source=f"checkin:{checkin_id}")
            return await Checkins.get(tx, checkin_id)

    async def withdraw_checkin(self, actor, checkin_id: int, reason: str) -> Checkin:
        now = self.clock.now()
        async with self.db.transaction() as tx:
            checkin = await self._fixable(tx, actor, checkin_id)
            await Checkins.withdraw(tx, checkin_id, reason[:MAX_NOTE], now)
            await Audit.record(tx, now=now, actor_id=actor.person.id, action="checkin.withdraw",
                               subject_id=checkin.person_id, detail={"checkin_id": checkin_id})
            return await Checkins.get(tx, checkin_id)

    # ---- assessments and self-reports --------------------------------------------------------
    async def assess(self, actor, person_id: int, *, conduct: str, work: str, family: str, needs: str) -> str:
        """Record this month's assessment (a second one in the month replaces the first)."""
        author = require_role(actor, Role.SUPERVISOR, Role.POLICE)
        now = self.clock.now()
        period = self.today().strftime("%Y-%m")
        async with self.db.transaction() as tx:
            if author.role is Role.SUPERVISOR:
                await self._supervised_record(tx, author, person_id)
            else:
                await self._police_record(tx, author, person_id)
            await Assessments.put(tx, person_id=person_id, author_id=author.id, period=period, conduct=conduct,
                                  work=work, family=family, needs=needs[:MAX_NOTE], now=now)
            await Audit.record(tx, now=now, actor_id=author.id, action="assessment.put", subject_id=person_id,
                               detail={"period": period})
        return period

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

