"""The periodic tick: derive from the database everything that is due, and queue it once.

Each reminder has a key that names what it is about (``sup:last:<person>:<deadline>``), so
running the tick twice queues nothing twice, and after downtime the next tick queues what fell
due meanwhile, once (only the stage that still makes sense: a window that has closed gets the
"overdue" message, not the "window opens" one too). Quiet hours are applied when queueing.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from bot.clock import format_date
from bot.models import AlertReason, Category, Role
from bot.rules import expungement as expungement_rules
from bot.rules.cadence import DueState, next_change, rule_for
from bot.rules.cadence import due as cadence_due
from bot.rules.quiet import next_allowed
from bot.services.alerting import open_alert, show_to_police
from bot.services.delivery import enqueue
from bot.storage.communes import Communes
from bot.storage.outbox import Outbox
from bot.storage.people import People
from bot.storage.schedule import Marks
from bot.storage.appointments import Appointments
from bot.storage.schedule import Schedule
from bot.textnorm import fold

log = logging.getLogger(__name__)

REPORT_DEADLINES = (("half", 6, 15), ("year", 12, 15))  # the six-month review and the annual report
REPORT_NOTICE_DAYS = 7
ENDING_SOON_DAYS = 7
ONE_DAY = timedelta(days=1)
NEVER = date(9999, 12, 31)


class Reminders:
    def __init__(self, db, clock, tz, supervision) -> None:
        self.db = db
        self.clock = clock
        self.tz = tz
        self.supervision = supervision
        self._known: set[str] | None = None  # keys queued already (the outbox's own dedupe still decides)

    async def tick(self, *, everyone: bool = False) -> Counter:
        """Queue everything due now; returns what was queued, by kind.

        Only the people whose ``look_on`` date has come are looked at (the database clears it when
        anything about them changes); ``everyone`` looks at all open records, as the tests do to show
        both give the same messages."""
        queued: Counter = Counter()
        today = self.clock.now().astimezone(self.tz).date()
        async with self.db.reading() as conn:
            communes = await Communes.all(conn)
            if self._known is None:
                self._known = await Outbox.keys_since(conn, self.clock.now() - timedelta(days=400))
            busy = {c.id for c in communes} if everyone else await Schedule.communes_to_look_at(conn, today)
        for commune in communes:
            async with self.db.transaction() as tx:
                await self._commune(tx, commune.id, queued, everyone, people=commune.id in busy)
        return queued

    async def _commune(self, tx, commune_id: int, queued: Counter, everyone: bool, *, people: bool) -> None:
        """One commune in one transaction (so a check-in saved meanwhile waits for it, and is seen by
        the next tick). ``people``: someone may need looking at (checked again in here)."""
        now = self.clock.now()
        today = now.astimezone(self.tz).date()
        settings = await Communes.settings(tx, commune_id)
        rows = await Schedule.to_look_at(tx, commune_id, today, everyone=everyone) if people else []
        rows.sort()  # by person: the same order however they were found
        rules = await self.supervision.rules_for(tx, commune_id)
        police = await People.in_commune(tx, commune_id, Role.POLICE)
        # Nothing here is urgent: everything waits for the end of quiet hours, computed once.
        not_before = next_allowed(now, self.tz, settings.quiet_start, settings.quiet_end)
        batch: list[tuple[int, str, dict, str, datetime]] = []
        known = self._known

        def send(person_id: int, kind: str, params: dict, key: str) -> None:
            if key not in known:
                batch.append((person_id, kind, params, key, not_before))

        grace = settings.missed_grace_days
        missed, ending, looks = [], [], []
        for row in rows:
            category = Category(row.category)
            rule = rule_for(row.cadence_rule, rules[row.category])
            enrolled_on = date.fromisoformat(row.enrolled_on)
            contact = date.fromisoformat(row.last_contact_on) if row.last_contact_on else None
            due = cadence_due(rule, enrolled_on=enrolled_on, contacts=(contact,) if contact else (), today=today)
            supervisor = row.supervisor_id
            look = next_change(rule, due, today, grace)
            if due.state is DueState.DUE or due.state is DueState.OVERDUE:
                deadline = format_date(due.deadline)
                about = {"name": row.full_name, "deadline": deadline}
                key = f"{row.person_id}:{due.deadline}"
                if due.state is DueState.DUE:
                    if supervisor:
                        if today >= due.deadline - ONE_DAY:
                            if today < due.deadline:
                                send(supervisor, "supervisor_window_last", about, f"sup:last:{key}")
                        elif today >= due.window_start:
                            send(supervisor, "supervisor_window_open", about, f"sup:open:{key}")
                    if (today == due.deadline - ONE_DAY and category.serving_in_community and row.reachable
                            and row.opted_in):
                        send(row.person_id, "person_window", {"deadline": deadline}, f"person:window:{key}")
                else:
                    if supervisor:
                        send(supervisor, "supervisor_overdue", about, f"sup:overdue:{key}")
                    if today >= due.deadline + timedelta(days=grace) and not row.missed_open:
                        alert, new = await open_alert(tx, tz=self.tz, now=now, commune_id=commune_id,
                                                      person_id=row.person_id, reason=AlertReason.MISSED_CHECKIN,
                                                      source=f"due:{due.deadline}", notify=False)
                        if new:
                            missed.append((alert, row))
            if row.probation_end:
                end = date.fromisoformat(row.probation_end)
                if today <= end <= today + timedelta(days=ENDING_SOON_DAYS):
                    if await Marks.add(tx, f"ending:{row.person_id}:{end}", now):  # each person named once
                        ending.append([row.full_name, format_date(end)])
                elif today < end:
                    look = _earliest(look, end - timedelta(days=ENDING_SOON_DAYS))
            cleared = (expungement_date(row.penalty_type, row.penalty_months, row.release_date)
                       if row.release_date and category in (Category.RELEASED, Category.AMNESTY) else None)
            if cleared is not None:
                day, basis = cleared
                if day <= today:
                    for officer in police:
                        send(officer.id, "police_expungement_due",
                             {"name": row.full_name, "date": format_date(day), "basis": basis},
                             f"police:expunge:{row.person_id}:{day}:{officer.id}")
                else:
                    look = _earliest(look, day)
            look_on = (look or NEVER).isoformat()
            if look_on != row.look_on:
                looks.append((look_on, row.person_id))

        missed.sort(key=lambda item: fold(item[1].full_name))  # names in digests in a stable, readable order
        ending.sort(key=lambda item: fold(item[0]))
        if ending:
            for officer in police:
                send(officer.id, "police_ending_soon", {"people": ending},
                     f"police:ending:{today}:{officer.id}:{ending[0][0]}:{len(ending)}")
        await self._missed(tx, missed, police, settings.digest_threshold, now, today, queued)
        await self._appointments(tx, commune_id, now, send)
        await self._police_deadlines(tx, commune_id, police, today, send)
        by_kind: dict[str, list] = {}
        for item in batch:
            by_kind.setdefault(item[1], []).append(item)
        for kind, items in by_kind.items():  # one statement per kind; keys queued before are skipped
            queued[kind] += await Outbox.add_many(tx, items, now)
        await Schedule.set_look_on(tx, looks)
        known.update(item[3] for item in batch)

    async def _missed(self, tx, missed, police, threshold, now, today, queued) -> None:
        """A few missed check-ins: one alert each. Many: one digest a day instead of a storm."""
        if len(missed) <= threshold:
            for alert, _record in missed:
                await show_to_police(tx, alert, tz=self.tz, now=now)
                queued["alert"] += len(police)
            return
        people = [[record.full_name, record.village] for _alert, record in missed]
        for officer in police:
            if await enqueue(tx, tz=self.tz, now=now, person_id=officer.id, kind="missed_digest",
                             params={"people": people}, dedupe_key=f"missed:{today}:{officer.id}:{len(people)}"):
                queued["missed_digest"] += 1

    async def _appointments(self, tx, commune_id, now, send) -> None:
        """The day before an appointment (from 07:00, quiet hours permitting): remind the person."""
        local = now.astimezone(self.tz)
        tomorrow = datetime.combine(local.date() + timedelta(days=1), time(0), self.tz)
        for appointment_id, person_id, at, place in await Appointments.between(tx, commune_id, tomorrow,
                                                                               tomorrow + ONE_DAY):
            params = {"time": at.astimezone(self.tz).strftime("%H:%M"), "place": place}
            send(person_id, "person_appointment", params, f"appt:{appointment_id}")

    async def _police_deadlines(self, tx, commune_id, police, today, send) -> None:
        deadline = today.replace(day=5)
        told = all(f"police:monthly:{today:%Y-%m}:{officer.id}" in self._known for officer in police)
        if not told and deadline - ONE_DAY <= today <= deadline:
            serving = [c.value for c in Category if c.serving_in_community]
            total, pending = await Schedule.monthly_not_assessed(tx, commune_id, serving, today.strftime("%Y-%m"))
            if total:
                for officer in police:
                    send(officer.id, "police_monthly", {"deadline": format_date(deadline), "count": pending},
                         f"police:monthly:{today:%Y-%m}:{officer.id}")
        for period, month, day in REPORT_DEADLINES:
            deadline = date(today.year, month, day)
            if deadline - timedelta(days=REPORT_NOTICE_DAYS) <= today < deadline:
                for officer in police:
                    send(officer.id, "police_report_due", {"period": period, "deadline": format_date(deadline)},
                         f"police:report:{today.year}:{period}:{officer.id}")


def _earliest(day: date | None, other: date) -> date:
    return other if day is None or other < day else day


@lru_cache(maxsize=8192)
def expungement_date(penalty_type: str, months: int | None, release_date: str) -> tuple[date, str] | None:
    """Police hear when a returnee reaches the (preliminary) expungement date, to guide them: the date
    and its legal basis, computed cautiously (an intentional, very serious ordinary offence)."""
    try:
        result = expungement_rules.assess(expungement_rules.Case(
            age_at_offence=30, offence_chapter="ordinary", offence_category="very_serious", intent="intentional",
            penalty=penalty_type, prison_months=months, main_penalty_completed_on=date.fromisoformat(release_date)))
    except expungement_rules.InvalidCase:
        return None
    return (result.date, result.basis) if result.date else None
