"""The supervision cycle under Luật THAHS 127/2025/QH15 and Nghị định 231/2026 (NĐ 231 Điều 8–10,
12, 16): breaches and administrative fines with their review meeting (kiểm điểm) within 5 working
days, the threshold of two, the monthly roll call, the monthly grades proposed from the month's
facts, set by the officer and signed by the head of commune police, and the end of the term.

The bot records and reminds; it never decides for the court or the People's Committee: at the
threshold police hear that the court *may* be asked, with the basis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.clock import to_db
from bot.models import Category, CloseReason, Record, Role
from bot.rules import cycle as rules
from bot.rules.dates import add_months
from bot.services.access import NotFound, PermissionDenied, require_role
from bot.services.base import Service
from bot.services.outbox import enqueue
from bot.storage.audit import Audit
from bot.storage.checkins import Checkins
from bot.storage.communes import Communes
from bot.storage.cycle import Absences, Breach, Breaches, DaysOff, Grade, Grades, RollCalls
from bot.storage.people import People
from bot.storage.records import RecordChanges, Records
from bot.storage.self_reports import SelfReports

SUPERVISED = (Category.SUSPENDED, Category.NON_CUSTODIAL, Category.PAROLE)  # graded monthly (NĐ 231 Điều 8)
KINDS = ("breach", "fine")


@dataclass(frozen=True)
class BreachSaved:
    breach_id: int
    review_due: date
    intentional_breaches: int
    fines: int
    threshold: bool


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(first: date) -> tuple[date, date]:
    first = first.replace(day=1)
    return first, add_months(first, 1) - timedelta(days=1)


class CycleService(Service):
    async def _scoped(self, tx, police, item, item_id: int):
        """``item`` (a breach, a report, an absence) if it exists and is about a person of the
        officer's commune; NotFound otherwise."""
        if item is None:
            raise NotFound(item_id)
        await self._police_record(tx, police, item.person_id)
        return item

    async def _days_off(self, conn, commune_id: int) -> set[date]:
        return await DaysOff.of_commune(conn, commune_id)

    async def record_breach(self, actor, person_id: int, *, kind: str, on: date, what: str,
                            intentional: bool = True) -> BreachSaved:
        """A breach record (biên bản vi phạm nghĩa vụ) or an administrative fine: the review falls
        due within 5 working days; the person is told what it means, respectfully; at the threshold
        police hear what the court may be asked, with the basis."""
        police = require_role(actor, Role.POLICE)
        if kind not in KINDS:
            raise ValueError(kind)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            record = await self._police_record(tx, police, person_id)
            if record.category not in SUPERVISED:
                raise PermissionDenied
            return await self._add_breach(tx, record, kind=kind, on=on, what=what, intentional=intentional,
                                          by=police.id, now=now)

    async def _add_breach(self, tx, record: Record, *, kind: str, on: date, what: str, intentional: bool,
                          by: int, now) -> BreachSaved:
        due = rules.review_due(on, await self._days_off(tx, record.commune_id))
        breach_id = await Breaches.add(tx, person_id=record.person_id, kind=kind, on_date=on, what=what[:500],
                                       intentional=intentional, review_due=due, by=by, now=now)
        await Audit.record(tx, now=now, actor_id=by, action="breach.record", subject_id=record.person_id,
                           detail={"breach_id": breach_id, "kind": kind})
        all_breaches = await Breaches.of_person(tx, record.person_id)
        intentional_count = sum(1 for b in all_breaches if b.kind != "fine" and b.intentional)
        fines = sum(1 for b in all_breaches if b.kind == "fine")
        before = rules.threshold_reached(record.category, intentional_count - (kind != "fine" and intentional),
                                         fines - (kind == "fine"))
        reached = rules.threshold_reached(record.category, intentional_count, fines)
        # The person: what happened, when the review is, that they can explain — no crime named.
        await enqueue(tx, tz=self.tz, now=now, person_id=record.person_id, kind="breach_recorded",
                      params={"date": on.isoformat(), "due": due.isoformat()})
        if reached and not before:
            for officer in await People.in_commune(tx, record.commune_id, Role.POLICE):
                await enqueue(tx, tz=self.tz, now=now, person_id=officer.id, kind="breach_threshold", urgent=True,
                              params={"name": record.full_name, "category": record.category.value,
                                      "breaches": intentional_count, "fines": fines,
                                      "basis": rules.threshold_basis(record.category)})
        return BreachSaved(breach_id, due, intentional_count, fines, reached)

    async def open_reviews(self, actor) -> list[tuple[Breach, Record]]:
        police = require_role(actor, Role.POLICE)
        async with self.db.reading() as conn:
            return [(b, await Records.get(conn, b.person_id)) for b in await Breaches.reviews_open(conn, police.commune_id)]

    async def breaches_of(self, actor, person_id: int) -> list[Breach]:
        police = require_role(actor, Role.POLICE)
        async with self.db.reading() as conn:
            await self._police_record(conn, police, person_id)
            return await Breaches.of_person(conn, person_id)

    async def record_review(self, actor, breach_id: int, *, outcome: str, on: date) -> BreachSaved | None:
        """The review was held, or missed: an absence without a legitimate reason is itself a breach
        record (NĐ 231 Điều 9), with its own review."""
        police = require_role(actor, Role.POLICE)
        if outcome not in ("held", "absent_excused", "absent"):
            raise ValueError(outcome)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            breach = await self._scoped(tx, police, await Breaches.get(tx, breach_id), breach_id)
            record = await self._police_record(tx, police, breach.person_id)
            if not await Breaches.record_review(tx, breach_id, on, outcome):
                raise NotFound(breach_id)  # recorded meanwhile
            await Audit.record(tx, now=now, actor_id=police.id, action="breach.review", subject_id=record.person_id,
                               detail={"breach_id": breach_id, "outcome": outcome})
            if outcome == "absent":
                return await self._add_breach(tx, record, kind="review_absence", on=on,
                                              what="", intentional=True, by=police.id, now=now)
        return None

    async def my_reviews(self, actor) -> list[date]:
        """The person's own review meetings still to come (their due dates)."""
        person = require_role(actor, Role.RETURNEE)
        async with self.db.reading() as conn:
            return [b.review_due for b in await Breaches.of_person(conn, person.id)
                    if b.review_due and b.review_outcome is None]

    async def pending_reports(self, actor) -> list[tuple]:
        """Periodic reports no officer has accepted or sent back yet (NĐ 231 Điều 8 khoản 1)."""
        police = require_role(actor, Role.POLICE)
        async with self.db.reading() as conn:
            return await SelfReports.unreviewed(conn, police.commune_id)

    async def review_report(self, actor, report_id: int, *, accept: bool, note: str = "") -> bool:
        """The officer accepts the report, or asks for a new one (with what is missing); the person is told."""
        police = require_role(actor, Role.POLICE)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            report = await self._scoped(tx, police, await SelfReports.get(tx, report_id), report_id)
            if not await SelfReports.review(tx, report_id, by=police.id, outcome="accepted" if accept else "redo",
                                            note=note[:500], now=now):
                return False
            await Audit.record(tx, now=now, actor_id=police.id, action="report.review", subject_id=report.person_id,
                               detail={"report_id": report_id, "accepted": accept})
            await enqueue(tx, tz=self.tz, now=now, person_id=report.person_id, kind="report_reviewed",
                          params={"accepted": accept, "note": note[:500],
                                  "date": report.created_at.astimezone(self.tz).date().isoformat()})
        return True

    # ---- the month: roll call, facts, grades --------------------------------------------------

    async def record_roll_call(self, actor, person_id: int, on: date, how: str = "in_person") -> bool:
        """The month's roll call in person, or (``how="spot"``) a spot check (NĐ 231 Điều 10)."""
        police = require_role(actor, Role.POLICE)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            await self._police_record(tx, police, person_id)
            done = await RollCalls.record(tx, person_id=person_id, month=month_key(on), on=on, how=how,
                                          by=police.id, now=now)
            if done:
                await Audit.record(tx, now=now, actor_id=police.id, action="rollcall.record", subject_id=person_id)
        return done

    async def my_roll_call(self, actor) -> str:
        """Whether the person can do this month's roll call through the bot now: "open", "done",
        "off" (the commune does it in person), "closed" (outside days 1–5), "none" (not supervised)."""
        person = require_role(actor, Role.RETURNEE)
        today = self.today()
        async with self.db.reading() as conn:
            record = await Records.get(conn, person.id)
            if record is None or record.category not in SUPERVISED or not record.open:
                return "none"
            window = await Communes.rollcall_by_bot(conn, person.commune_id)
            if not window:
                return "off"
            if await RollCalls.done(conn, person.id, month_key(today)):
                return "done"
        return "open" if today.day <= window else "closed"

    async def roll_call_by_person(self, actor, *, photo: str | None = None,
                                  location: tuple[float, float] | None = None) -> bool:
        """The person's roll call through the bot (NĐ 231 Điều 10: "bằng ứng dụng điện tử"), with
        the location or photo asked for."""
        person = require_role(actor, Role.RETURNEE)
        if await self.my_roll_call(actor) != "open" or (photo is None and location is None):
            return False
        now, today = self.clock.now(), self.today()
        async with self.db.transaction() as tx:
            done = await RollCalls.record(tx, person_id=person.id, month=month_key(today), on=today, how="bot",
                                          by=None, now=now, photo=photo, location=location)
            if done:
                await Audit.record(tx, now=now, actor_id=person.id, action="rollcall.bot", subject_id=person.id)
        return done

    async def _facts(self, conn, record: Record, first: date) -> rules.MonthFacts | None:
        """The month's facts for one person, or None if they were not supervised that month."""
        start, end = month_bounds(first)
        began = record.probation_start or record.release_date or record.enrolled_on
        finished = record.closed_on or record.probation_end
        if began and began > end or finished and finished < start:
            return None
        first_day, last_day = max(start, began or start), min(end, finished or end)
        breaches = [b for b in await Breaches.of_person(conn, record.person_id) if start <= b.on_date <= end]
        reports = [r for r in await SelfReports.of_person(conn, record.person_id, limit=40)
                   if start <= r.created_at.astimezone(self.tz).date() <= end]
        contacts = await Checkins.count_between(conn, record.person_id, start, end)
        sent_back = await SelfReports.sent_back(conn, record.person_id,
                                                to_db(datetime.combine(start, time(0), self.tz)),
                                                to_db(datetime.combine(end + timedelta(days=1), time(0), self.tz)))
        return rules.MonthFacts(
            first_day=first_day, last_day=last_day,
            breaches=sum(1 for b in breaches if b.kind != "fine"), fines=sum(1 for b in breaches if b.kind == "fine"),
            report_due=(last_day - first_day).days >= 4,  # a month begun on its last days owes no report yet
            report_received=bool(reports), report_accepted=len(reports) > sent_back,
            roll_call_done=await RollCalls.done(conn, record.person_id, month_key(first)) is not None,
            contacts=contacts, working=any(r.work in ("steady", "seasonal") for r in reports))

    async def month(self, actor, first: date) -> list[tuple[Record, Grade, rules.MonthFacts]]:
        """The month's list for the province and UBND xã: everyone supervised, the grade proposed
        from the facts (stored, so the officer can change it), the facts."""
        police = require_role(actor, Role.POLICE)
        key = month_key(first)
        async with self.db.transaction() as tx:
            rows = []
            for record in await Records.in_commune(tx, police.commune_id, include_closed=True):
                if record.category not in SUPERVISED:
                    continue
                facts = await self._facts(tx, record, first)
                if facts is None:
                    continue
                proposed, reasons = rules.propose_grade(facts)
                await Grades.propose(tx, record.person_id, key, proposed, reasons)
                rows.append((record, facts))
            grades = await Grades.of_month(tx, [r.person_id for r, _f in rows], key)
        return [(record, grades[record.person_id], facts) for record, facts in rows]

    async def set_grade(self, actor, person_id: int, first: date, grade: str) -> bool:
        police = require_role(actor, Role.POLICE)
        if grade not in rules.GRADES:
            raise ValueError(grade)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            await self._police_record(tx, police, person_id)
            changed = await Grades.set(tx, person_id, month_key(first), grade, police.id, now)
            if changed:
                await Audit.record(tx, now=now, actor_id=police.id, action="grade.set", subject_id=person_id,
                                   detail={"month": month_key(first), "grade": grade})
        return changed

    async def sign_month(self, actor, first: date) -> int:
        """The head of commune police signs the month's grades (NĐ 231 Điều 8 khoản 2)."""
        police = require_role(actor, Role.POLICE)
        if not police.is_head:
            raise PermissionDenied
        rows = await self.month(actor, first)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            signed = await Grades.sign(tx, [r.person_id for r, _g, _f in rows], month_key(first), police.id, now)
            await Audit.record(tx, now=now, actor_id=police.id, action="grade.sign",
                               detail={"month": month_key(first), "count": signed})
        return signed

    async def may_be_proposed(self, actor) -> list[tuple[Record, date, dict]]:
        """People past half of their probation (BLHS Điều 65 khoản 4, Điều 66 khoản 5) with no
        breach or fine and no signed grade below Khá: who *may* be proposed for a shorter
        probation, with the facts a proposal needs. The court decides."""
        police = require_role(actor, Role.POLICE)
        today = self.today()
        found = []
        async with self.db.reading() as conn:
            for record in await Records.in_commune(conn, police.commune_id):
                start = record.probation_start or record.release_date
                half = rules.may_be_proposed_from(record.category, start, record.probation_end)
                if half is None or half > today or record.probation_end <= today:
                    continue
                if await Breaches.of_person(conn, record.person_id):
                    continue
                grades = await Grades.history(conn, record.person_id)
                signed = [g for g in grades if g.signed]
                if any(g.grade in ("average", "poor") for g in signed):
                    continue
                reports = len(await SelfReports.of_person(conn, record.person_id, limit=500))
                found.append((record, half, {"good": sum(g.grade == "good" for g in signed),
                                              "fair": sum(g.grade == "fair" for g in signed), "reports": reports}))
        return found

    # ---- absence from the place of residence ------------------------------------------------

    async def absence_budget(self, conn, record: Record) -> tuple[int | None, int, int]:
        """(days allowed per absence, days allowed in all, days already approved): the limits are
        the 2019 law's, UNCONFIRMED under the 2025 law (``cycle_rules.toml``)."""
        start = record.probation_start or record.release_date or record.enrolled_on
        end = record.probation_end or start
        per, total = rules.absence_limits(record.category, start, end)
        used = sum(a.days for a in await Absences.of_person(conn, record.person_id) if a.state == "approved")
        return per, total, used

    async def request_absence(self, actor, *, first: date, last: date, place: str, reason: str,
                              for_work: bool) -> tuple[int | None, int, int]:
        """The person asks; commune police are told, with the days used and the limits. The bot
        approves nothing."""
        person = require_role(actor, Role.RETURNEE)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            record = await Records.get(tx, person.id)
            if record is None or record.category not in SUPERVISED or not record.open:
                raise NotFound(person.id)
            budget = await self.absence_budget(tx, record)
            absence_id = await Absences.add(tx, person_id=person.id, first=first, last=last, place=place[:200],
                                            reason=reason[:300], for_work=for_work, now=now)
            await Audit.record(tx, now=now, actor_id=person.id, action="absence.request", subject_id=person.id,
                               detail={"absence_id": absence_id})
            for officer in await People.in_commune(tx, record.commune_id, Role.POLICE):
                await enqueue(tx, tz=self.tz, now=now, person_id=officer.id, kind="absence_requested",
                              params={"name": record.full_name, "first": first.isoformat(), "last": last.isoformat(),
                                      "days": (last - first).days + 1})
        return budget

    async def absences_to_handle(self, actor) -> list[tuple]:
        """(absence, record, per-absence limit, total limit, days used) for requests and open absences."""
        police = require_role(actor, Role.POLICE)
        found = []
        async with self.db.reading() as conn:
            for absence in await Absences.to_handle(conn, police.commune_id):
                record = await Records.get(conn, absence.person_id)
                found.append((absence, record, *await self.absence_budget(conn, record)))
        return found

    async def decide_absence(self, actor, absence_id: int, *, approved: bool, ref: str) -> bool:
        """Police record the written decision (UBND xã's consent, or the refusal with its reasons)."""
        police = require_role(actor, Role.POLICE)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            absence = await self._scoped(tx, police, await Absences.get(tx, absence_id), absence_id)
            if not await Absences.decide(tx, absence_id, approved=approved, ref=ref[:200], by=police.id, now=now):
                return False
            await Audit.record(tx, now=now, actor_id=police.id, action="absence.decide", subject_id=absence.person_id,
                               detail={"absence_id": absence_id, "approved": approved})
            await enqueue(tx, tz=self.tz, now=now, person_id=absence.person_id, kind="absence_decided",
                          params={"approved": approved, "ref": ref[:200], "first": absence.first_day.isoformat(),
                                  "last": absence.last_day.isoformat()})
        return True

    async def absence_returned(self, actor, absence_id: int, day: date) -> bool:
        police = require_role(actor, Role.POLICE)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            absence = await self._scoped(tx, police, await Absences.get(tx, absence_id), absence_id)
            done = await Absences.returned(tx, absence_id, day)
            if done:
                await Audit.record(tx, now=now, actor_id=police.id, action="absence.return",
                                   subject_id=absence.person_id, detail={"absence_id": absence_id})
        return done

    async def my_absences(self, actor) -> tuple[int | None, int, int] | None:
        person = require_role(actor, Role.RETURNEE)
        async with self.db.reading() as conn:
            record = await Records.get(conn, person.id)
            if record is None or record.category not in SUPERVISED or not record.open:
                return None
            return await self.absence_budget(conn, record)

    # ---- the end of the term --------------------------------------------------------------------

    async def certify_completion(self, actor, person_id: int, day: date) -> Record:
        """Police record the day of the completion certificate (issued by the provincial police):
        conditional release moves on to the returnee regime (a prison term completed on that day);
        a suspended sentence or non-custodial reform ends supervision (waiting for expungement)."""
        police = require_role(actor, Role.POLICE)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            record = await self._police_record(tx, police, person_id)
            if record.category not in SUPERVISED:
                raise PermissionDenied
            changes = {"completion_certified_on": day}
            if record.category is Category.PAROLE:
                changes.update(category=Category.RELEASED, release_date=day)
            else:
                changes.update(closed_on=day, closed_reason=CloseReason.SENTENCE_COMPLETED,
                               closed_note="")
            await Records.update(tx, person_id, changes, now)
            await RecordChanges.add(tx, person_id=person_id, actor_id=police.id, reason="completion certified",
                                    changes={"completion_certified_on": [None, day.isoformat()],
                                             "category": [record.category.value, changes.get("category",
                                                                                        record.category).value]},
                                    now=now)
            await Audit.record(tx, now=now, actor_id=police.id, action="record.complete", subject_id=person_id)
            await enqueue(tx, tz=self.tz, now=now, person_id=person_id, kind="term_completed",
                          params={"date": day.isoformat(), "parole": record.category is Category.PAROLE})
            return await Records.get(tx, person_id)
