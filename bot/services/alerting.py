"""Alerts to commune police: opened by services, shown to every officer of the commune (and a
linked police group), claimed by one (two at once cannot both claim), resolved with a note,
snoozed with a reason and a date, escalated to the head of commune police when unclaimed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
import logging

from bot.models import Alert, AlertReason, Person, Role
from bot.services.access import NotFound, require_role
from bot.services.base import Service
from bot.services.outbox import enqueue, enqueue_group
from bot.storage.alerts import Alerts
from bot.storage.audit import Audit
from bot.storage.communes import Communes
from bot.storage.groups import Groups
from bot.storage.people import People
from bot.storage.checkins import Checkins
from bot.storage.records import Records

log = logging.getLogger(__name__)

# Reasons that may wake an officer at night (when the commune allows it).
URGENT = {AlertReason.CHECKIN_CONCERN, AlertReason.CHECKIN_LEFT_LOCALITY, AlertReason.CHECKIN_UNREACHABLE,
          AlertReason.HELP_REQUEST}


NOTE_SHOWN = 200  # characters of a check-in's note shown with its alert (a phone screen)


@dataclass(frozen=True)
class AlertView:
    alert: Alert
    name: str
    village: str
    claimed_by: str | None
    raised_by: str = ""  # the supervisor whose check-in raised it
    raised_note: str = ""  # … and what they wrote


async def _raised(conn, alert: Alert) -> tuple[str, str]:
    """Who raised an alert from a check-in, and their note (shortened for a phone screen)."""
    kind, _sep, ident = (alert.source or "").partition(":")
    if kind != "checkin" or not ident.isdigit():
        return "", ""
    checkin = await Checkins.get(conn, int(ident))
    if checkin is None:
        return "", ""
    supervisor = await People.get(conn, checkin.supervisor_id)
    note = checkin.note if len(checkin.note) <= NOTE_SHOWN else checkin.note[:NOTE_SHOWN - 1].rstrip() + "…"
    return (supervisor.full_name if supervisor else ""), note


async def _params(tx, alert: Alert, **extra) -> dict:
    person = await People.get(tx, alert.person_id) if alert.person_id else None
    record = await Records.get(tx, alert.person_id) if alert.person_id else None
    by, note = await _raised(tx, alert)
    return {"alert_id": alert.id, "reason": alert.reason.value, "name": person.full_name if person else "",
            "village": record.village if record else "", "by": by, "note": note, **extra}


async def show_to_police(tx, alert: Alert, *, tz, now: datetime, kind: str = "alert", key: str = "new") -> int:
    """Queue the alert for every officer of the commune and the linked police groups."""
    params = await _params(tx, alert)
    officers = await People.in_commune(tx, alert.commune_id, Role.POLICE)
    urgent = alert.reason in URGENT
    for officer in officers:
        await enqueue(tx, tz=tz, now=now, person_id=officer.id, kind=kind, params=params, urgent=urgent,
                      alert_id=alert.id, dedupe_key=f"alert:{alert.id}:{key}:{officer.id}")
    for messenger, chat_id in await Groups.of_commune(tx, alert.commune_id):
        await enqueue_group(tx, now=now, messenger=messenger, chat_id=chat_id, kind=kind, params=params,
                            alert_id=alert.id, dedupe_key=f"alert:{alert.id}:{key}:{messenger}:{chat_id}")
    await Alerts.mark_notified(tx, alert.id, now)
    return len(officers)


async def open_alert(tx, *, tz, now: datetime, commune_id: int, person_id: int | None, reason: AlertReason,
                     source: str, notify: bool = True) -> tuple[Alert, bool]:
    """Open an alert (one open per person and reason) and, when it is new, tell police at once."""
    alert, new = await Alerts.raise_(tx, commune_id=commune_id, person_id=person_id, reason=reason, source=source,
                                     now=now)
    if new and notify:
        await show_to_police(tx, alert, tz=tz, now=now)
    return alert, new


class Alerting(Service):
    async def _reachable(self, conn, actor, alert_id: int) -> tuple[Person, Alert]:
        police = require_role(actor, Role.POLICE)
        alert = await Alerts.get(conn, alert_id)
        if alert is None or alert.commune_id != police.commune_id:
            raise NotFound
        return police, alert

    async def _view(self, conn, alert: Alert) -> AlertView:
        person = await People.get(conn, alert.person_id) if alert.person_id else None
        record = await Records.get(conn, alert.person_id) if alert.person_id else None
        claimer = await People.get(conn, alert.claimed_by) if alert.claimed_by else None
        by, note = await _raised(conn, alert)
        return AlertView(alert, person.full_name if person else "", record.village if record else "",
                         claimer.full_name if claimer else None, by, note)

    async def unresolved(self, actor) -> list[AlertView]:
        police = require_role(actor, Role.POLICE)
        async with self.db.reading() as conn:
            return [await self._view(conn, a) for a in await Alerts.unresolved_in_commune(conn, police.commune_id)]

    async def view(self, actor, alert_id: int) -> AlertView:
        async with self.db.reading() as conn:
            _police, alert = await self._reachable(conn, actor, alert_id)
            return await self._view(conn, alert)

    async def claim(self, actor, alert_id: int) -> tuple[bool, AlertView]:
        """(True, view) if I claimed it now; (False, view naming who had) if someone was first."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            police, alert = await self._reachable(tx, actor, alert_id)
            won = await Alerts.claim(tx, alert_id, police.id, now)
            if won:
                await Audit.record(tx, now=now, actor_id=police.id, action="alert.claim", subject_id=alert.person_id,
                                   detail={"alert_id": alert_id})
            return won, await self._view(tx, await Alerts.get(tx, alert_id))

    async def resolve(self, actor, alert_id: int, note: str) -> AlertView:
        now = self.clock.now()
        async with self.db.transaction() as tx:
            police, alert = await self._reachable(tx, actor, alert_id)
            await Alerts.resolve(tx, alert_id, police.id, note[:1000], now)
            await Audit.record(tx, now=now, actor_id=police.id, action="alert.resolve", subject_id=alert.person_id,
                               detail={"alert_id": alert_id})
            return await self._view(tx, await Alerts.get(tx, alert_id))

    async def snooze(self, actor, alert_id: int, reason: str, until: date) -> AlertView:
        """Put it aside (in hospital, working away with permission…) until 07:00 on ``until``."""
        now = self.clock.now()
        until_at = datetime.combine(until, time(7, 0), self.tz)
        async with self.db.transaction() as tx:
            police, alert = await self._reachable(tx, actor, alert_id)
            await Alerts.snooze(tx, alert_id, police.id, reason[:1000], until_at, now)
            await Audit.record(tx, now=now, actor_id=police.id, action="alert.snooze", subject_id=alert.person_id,
                               detail={"alert_id": alert_id, "until": until.isoformat()})
            return await self._view(tx, await Alerts.get(tx, alert_id))

    async def sweep(self) -> dict[str, int]:
        """Escalate alerts unclaimed for too long; reopen snoozed ones whose date has come."""
        now = self.clock.now()
        counts = {"escalated": 0, "reopened": 0}
        async with self.db.transaction() as tx:
            for alert in await Alerts.snoozed_until_before(tx, now):
                await Alerts.reopen(tx, alert.id, now)
                await show_to_police(tx, await Alerts.get(tx, alert.id), tz=self.tz, now=now,
                                     key=f"reopen:{alert.snoozed_until.isoformat()}")
                counts["reopened"] += 1
            for alert in await Alerts.open_unescalated(tx):
                settings = await Communes.settings(tx, alert.commune_id)
                if alert.created_at + timedelta(minutes=settings.escalate_after_minutes) > now:
                    continue
                await show_to_police(tx, alert, tz=self.tz, now=now, kind="alert_escalated", key="escalated")
                await Alerts.mark_escalated(tx, alert.id, now)
                heads = [p.id for p in await People.in_commune(tx, alert.commune_id, Role.POLICE) if p.is_head]
                await Audit.record(tx, now=now, actor_id=None, action="alert.escalate", subject_id=alert.person_id,
                                   detail={"alert_id": alert.id, "heads": heads})
                counts["escalated"] += 1
        return counts
