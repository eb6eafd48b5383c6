"""The periodic tick: derive from the database everything that is due, and queue it once.

Each reminder has a key that names what it is about (``sup:last:<person>:<deadline>``), so
running the tick twice queues nothing twice, and after downtime the next tick queues what fell
due meanwhile, once (only the stage that still makes sense: a window that has closed gets the
"overdue" message, not the "window opens" one too). What is due for a person is planned by
``bot/rules/reminders.py`` (pure); this module reads, opens alerts, and queues through
``bot/services/outbox.py`` (which applies quiet hours).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
import logging

from bot.clock import format_date
from bot.models import AlertReason, Category, Role
from bot.rules.cadence import rule_for
from bot.rules.reminders import plan_person
from bot.services.alerting import open_alert, show_to_police
from bot.services.base import Service
from bot.services.outbox import enqueue, enqueue_many
from bot.storage.appointments import Appointments
from bot.storage.cadence import CadenceRules
from bot.storage.communes import Communes
from bot.storage.cycle import Absences, Breaches
from bot.storage.outbox import Outbox
from bot.storage.people import People
from bot.storage.records import Records
from bot.storage.schedule import Marks, Schedule
from bot.textnorm import fold

log = logging.getLogger(__name__)

REPORT_DEADLINES = (("half", 6, 15), ("year", 12, 15))  # the six-month review and the annual report
REPORT_NOTICE_DAYS = 7
ONE_DAY = timedelta(days=1)
NEVER = date(9999, 12, 31)


class Reminders(Service):
    def __init__(self, db, clock, tz) -> None:
        super().__init__(db, clock, tz)
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
        rules = await CadenceRules.for_commune(tx, commune_id)
        police = await People.in_commune(tx, commune_id, Role.POLICE)
        batch: list[tuple[int, str, dict, str]] = []  # nothing here is urgent: all after quiet hours
        known = self._known

        def send(person_id: int, kind: str, params: dict, key: str) -> None:
            if key not in known:
                batch.append((person_id, kind, params, key))

        grace = settings.missed_grace_days
        missed, ending, looks = [], [], []
        police_ids = [officer.id for officer in police]
        for row in rows:
            plan = plan_person(row, rule_for(row.cadence_rule, rules[row.category]), today, grace, police_ids)
            for message in plan.messages:
                send(*message)
            if plan.missed_deadline is not None:
                alert, new = await open_alert(tx, tz=self.tz, now=now, commune_id=commune_id, person_id=row.person_id,
                                              reason=AlertReason.MISSED_CHECKIN, source=f"due:{plan.missed_deadline}",
                                              notify=False)
                if new:
                    missed.append((alert, row))
            if plan.ending_on is not None and await Marks.add(tx, f"ending:{row.person_id}:{plan.ending_on}", now):
                ending.append([row.full_name, format_date(plan.ending_on)])  # each person named once
            look_on = (plan.look or NEVER).isoformat()
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
        await self._cycle(tx, commune_id, police, today, send)
        for absence, name in await Absences.overdue(tx, commune_id, today):  # once per absence and officer
            for officer in police:
                send(officer.id, "absence_overdue", {"name": name, "date": absence.last_day.isoformat()},
                     f"absence:overdue:{absence.id}:{officer.id}")
        queued.update(await enqueue_many(tx, tz=self.tz, now=now, settings=settings, items=batch))
        await Schedule.set_look_on(tx, looks)
        known.update(item[3] for item in batch)

    async def _cycle(self, tx, commune_id, police, today, send) -> None:
        """Nghị định 231: police hear the day before a review meeting falls due; on day 1 of each
        month everyone supervised is reminded of the periodic report (and of the roll call where
        the commune does it through the bot) — an obligation's reminder, like an appointment's."""
        tomorrow = today + ONE_DAY
        for breach in await Breaches.reviews_open(tx, commune_id):
            if breach.review_due == tomorrow:
                record = await Records.get(tx, breach.person_id)
                for officer in police:
                    send(officer.id, "police_review_due", {"name": record.full_name, "date": tomorrow.isoformat()},
                         f"review:{breach.id}:{officer.id}")
        if today.day == 1:
            by_bot = await Communes.rollcall_by_bot(tx, commune_id)
            for record in await Records.in_commune(tx, commune_id):
                if record.category in (Category.SUSPENDED, Category.NON_CUSTODIAL, Category.PAROLE):
                    send(record.person_id, "person_report_due", {"rollcall": by_bot},
                         f"person:report:{today:%Y-%m}:{record.person_id}")

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
        # NĐ 231 Điều 8, 10: by day 5, the previous month's grades signed and this month's roll
        # call done; police are reminded on day 1 and day 4.
        deadline = today.replace(day=5)
        if today.day in (1, 4):
            told = all(f"police:grades:{today:%Y-%m}:{today.day}:{officer.id}" in self._known for officer in police)
            previous = (today.replace(day=1) - ONE_DAY).strftime("%Y-%m")
            supervised = [Category.SUSPENDED.value, Category.NON_CUSTODIAL.value, Category.PAROLE.value]
            total, pending = (0, 0) if told else await Schedule.grades_unsigned(tx, commune_id, supervised, previous)
            if total and pending:
                for officer in police:
                    send(officer.id, "police_monthly", {"deadline": format_date(deadline), "count": pending,
                                                        "month": f"{previous[5:]}/{previous[:4]}"},
                         f"police:grades:{today:%Y-%m}:{today.day}:{officer.id}")
        for period, month, day in REPORT_DEADLINES:
            deadline = date(today.year, month, day)
            if deadline - timedelta(days=REPORT_NOTICE_DAYS) <= today < deadline:
                for officer in police:
                    send(officer.id, "police_report_due", {"period": period, "deadline": format_date(deadline)},
                         f"police:report:{today.year}:{period}:{officer.id}")
