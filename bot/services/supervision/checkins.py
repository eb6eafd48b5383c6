"""Check-ins: recorded once per draft, corrected or withdrawn within their window; a worrying
status alerts commune police."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
import logging

from bot.models import (
    ALERTING_STATUSES,
    Alert,
    Checkin,
    Contact,
    Person,
    Record,
    Role,
    Status,
)
from bot.services.access import NotFound, PermissionDenied, require_role, same_commune
from bot.services.alerting import open_alert
from bot.services.base import Service
from bot.storage.assignments import Assignments
from bot.storage.audit import Audit
from bot.storage.checkins import Checkins
from bot.storage.records import Records

log = logging.getLogger(__name__)


EDIT_WINDOW = timedelta(hours=24)


POLICE_FIX_WINDOW = timedelta(days=30)


MAX_NOTE = 1000


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
class CheckinSaved:
    checkin: Checkin
    record: Record
    new: bool
    alert: Alert | None


class CheckinService(Service):
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
