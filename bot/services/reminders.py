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

from bot.clock import format_date
from bot.models import AlertReason, Category, Role
from bot.rules import expungement as expungement_rules
from bot.rules.cadence import DueState, rule_for
from bot.rules.cadence import due as cadence_due
from bot.rules.quiet import next_allowed
from bot.services.alerting import open_alert, show_to_police
from bot.services.delivery import enqueue
from bot.storage.repos import Communes, Identities, Marks, Outbox, People
from bot.storage.supervision import Alerts, AssessmentPeriods, Appointments, Assignments, Checkins, Records

log = logging.getLogger(__name__)

REPORT_DEADLINES = (("half", 6, 15), ("year", 12, 15))  # the six-month review and the annual report
REPORT_NOTICE_DAYS = 7
ENDING_SOON_DAYS = 7


class Reminders:
    def __init__(self, db, clock, tz, supervision) -> None:
        self.db = db
        self.clock = clock
        self.tz = tz
        self.supervision = supervision
        self._known: set[str] | None = None  # keys queued already (the outbox's own dedupe still decides)

    async def tick(self) -> Counter:
        """Queue everything due now; returns what was queued, by kind."""
        queued: Counter = Counter()
        async with self.db.reading() as conn:
            communes = await Communes.all(conn)
            if self._known is None:
                self._known = await Outbox.keys_since(conn, self.clock.now() - timedelta(days=400))
        for commune in communes:
            async with self.db.transaction() as tx:
                await self._commune(tx, commune.id, queued)
        return queued

    async def _commune(self, tx, commune_id: int, queued: Counter) -> None:
        now = self.clock.now()
        today = now.astimezone(self.tz).date()
        settings = await Communes.settings(tx, commune_id)
        records = await Records.in_commune(tx, commune_id)
        ids = [r.person_id for r in records]
        rules = await self.supervision.rules_for(tx, commune_id)
        last = await Checkins.last_days_in_commune(tx, commune_id)
        supervisors = await Assignments.supervisors_of_commune(tx, commune_id)
        police = await People.in_commune(tx, commune_id, Role.POLICE)
        reachable = await Identities.people_with_identity(tx, ids)
        opted_in = await People.opted_in(tx, ids)
        already_missed = await Alerts.open_people(tx, commune_id, AlertReason.MISSED_CHECKIN)
        # Nothing here is urgent: everything waits for the end of quiet hours, computed once.
        not_before = next_allowed(now, self.tz, settings.quiet_start, settings.quiet_end)
        batch: list[tuple[int, str, dict, str, datetime]] = []

        async def send(person_id: int, kind: str, params: dict, key: str) -> None:
            if key not in self._known:
                batch.append((person_id, kind, params, key, not_before))

        missed, ending = [], []
        for record in records:
            rule = rule_for(record.cadence_rule, rules[record.category.value])
            contact = last.get(record.person_id)
            due = cadence_due(rule, enrolled_on=record.enrolled_on, contacts=[contact] if contact else [], today=today,
                              closed_on=record.closed_on)
            supervisor = supervisors.get(record.person_id)
            about = {"name": record.full_name, "deadline": format_date(due.deadline) if due.deadline else ""}
            key = f"{record.person_id}:{due.deadline}"
            if due.state is DueState.DUE and supervisor:
                if today >= due.deadline - timedelta(days=1):
                    if today < due.deadline:
                        await send(supervisor, "supervisor_window_last", about, f"sup:last:{key}")
                elif today >= due.window_start:
                    await send(supervisor, "supervisor_window_open", about, f"sup:open:{key}")
            if (due.state is DueState.DUE and today == due.deadline - timedelta(days=1)
                    and record.category.serving_in_community and record.person_id in reachable
                    and record.person_id in opted_in):
                await send(record.person_id, "person_window", {"deadline": about["deadline"]}, f"person:window:{key}")
            if due.state is DueState.OVERDUE:
                if supervisor:
                    await send(supervisor, "supervisor_overdue", about, f"sup:overdue:{key}")
                if (today >= due.deadline + timedelta(days=settings.missed_grace_days)
                        and record.person_id not in already_missed):
                    alert, new = await open_alert(tx, tz=self.tz, now=now, commune_id=commune_id,
                                                  person_id=record.person_id, reason=AlertReason.MISSED_CHECKIN,
                                                  source=f"due:{due.deadline}", notify=False)
                    if new:
                        missed.append((alert, record))
            end = record.probation_end
            if end and today <= end <= today + timedelta(days=ENDING_SOON_DAYS):
                if await Marks.add(tx, f"ending:{record.person_id}:{end}", now):  # each person named once
                    ending.append([record.full_name, format_date(end)])
            await self._expungement(record, today, police, send)

        if ending:
            for officer in police:
                await send(officer.id, "police_ending_soon", {"people": ending},
                           f"police:ending:{today}:{officer.id}:{ending[0][0]}:{len(ending)}")
        await self._missed(tx, missed, police, settings.digest_threshold, now, today, queued)
        await self._appointments(tx, ids, now, send)
        await self._police_deadlines(tx, records, police, today, send)
        by_kind: dict[str, list] = {}
        for row in batch:
            by_kind.setdefault(row[1], []).append(row)
        for kind, rows in by_kind.items():  # one statement per kind; keys queued before are skipped
            queued[kind] += await Outbox.add_many(tx, rows, now)
        self._known.update(row[3] for row in batch)

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

    async def _appointments(self, tx, ids, now, send) -> None:
        """The day before an appointment (from 07:00, quiet hours permitting): remind the person."""
        local = now.astimezone(self.tz)
        tomorrow = datetime.combine(local.date() + timedelta(days=1), time(0), self.tz)
        wanted = set(ids)
        for appointment_id, person_id, at, place in await Appointments.between(tx, tomorrow,
                                                                               tomorrow + timedelta(days=1)):
            if person_id in wanted:
                params = {"time": at.astimezone(self.tz).strftime("%H:%M"), "place": place}
                await send(person_id, "person_appointment", params, f"appt:{appointment_id}")

    async def _police_deadlines(self, tx, records, police, today, send) -> None:
        monthly = [r for r in records if r.category.serving_in_community]
        if monthly and 1 <= today.day <= 5:
            done = await AssessmentPeriods.assessed_this_month(tx, [r.person_id for r in monthly],
                                                               today.strftime("%Y-%m"))
            deadline = today.replace(day=5)
            if today >= deadline - timedelta(days=1):
                for officer in police:
                    await send(officer.id, "police_monthly",
                               {"deadline": format_date(deadline), "count": len(monthly) - len(done)},
                               f"police:monthly:{today:%Y-%m}:{officer.id}")
        for period, month, day in REPORT_DEADLINES:
            deadline = date(today.year, month, day)
            if deadline - timedelta(days=REPORT_NOTICE_DAYS) <= today < deadline:
                for officer in police:
                    await send(officer.id, "police_report_due", {"period": period, "deadline": format_date(deadline)},
                               f"police:report:{today.year}:{period}:{officer.id}")

    async def _expungement(self, record, today, police, send) -> None:
        """Police hear when a returnee reaches the (preliminary) expungement date, to guide them."""
        if record.category not in (Category.RELEASED, Category.AMNESTY) or not record.release_date:
            return
        try:
            result = expungement_rules.assess(expungement_rules.Case(
                age_at_offence=30, offence_chapter="ordinary", offence_category="very_serious", intent="intentional",
                penalty=record.penalty_type.value, prison_months=record.penalty_months,
                main_penalty_completed_on=record.release_date))
        except expungement_rules.InvalidCase:
            return
        if result.date and result.date <= today:
            for officer in police:
                await send(officer.id, "police_expungement_due",
                           {"name": record.full_name, "date": format_date(result.date), "basis": result.basis},
                           f"police:expunge:{record.person_id}:{result.date}:{officer.id}")
