"""The figures commune police report every six months and every year (and the province sees
aggregated across communes, without personal data).

Definitions (also in the README): people managed at the end of the period, by category; new
during it; check-ins done; contact deadlines that fell in the period and whether a contact came
in time, late, or not at all; people overdue now; alerts by reason, with the median time to claim
and to resolve; help requests; loan and job support; records cleared; outreach meetings,
participants and tips.
"""

from __future__ import annotations

from bot.clock import local_today

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bot.models import Category, CloseReason, Record, Role
from bot.rules.cadence import DueState, deadlines, due, rule_for
from bot.services.access import PermissionDenied, require_role
from bot.storage.reports import ReportData
from bot.storage.repos import Audit, Communes, People
from bot.storage.supervision import Assignments, CadenceRules, Records


@dataclass(frozen=True)
class PersonRow:
    name: str
    village: str
    category: Category
    supervisor: str
    last_contact: date | None
    state: DueState
    on_time: int
    late: int
    missed: int


@dataclass
class Report:
    start: date
    end: date
    scope: str  # the commune's name, or "" for the whole province
    managed: Counter = field(default_factory=Counter)  # category → people at the end of the period
    new: Counter = field(default_factory=Counter)
    checkins: int = 0
    due: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0
    overdue_now: int = 0
    alerts: Counter = field(default_factory=Counter)  # reason → count
    median_claim_hours: float | None = None
    median_resolve_hours: float | None = None
    help_requests: int = 0
    loan_support: int = 0
    postings: int = 0
    job_interest: int = 0
    cleared: int = 0
    meetings: int = 0
    participants: int = 0
    tips: int = 0
    monthly: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))  # YYYY-MM → on_time/late/alerts
    people: list[PersonRow] = field(default_factory=list)  # police of the commune only

    @property
    def on_time_share(self) -> float | None:
        decided = self.on_time + self.late + self.missed
        return self.on_time / decided if decided else None


class Reports:
    def __init__(self, db, clock, tz) -> None:
        self.db = db
        self.clock = clock
        self.tz = tz

    def today(self) -> date:
        return local_today(self.clock, self.tz)

    async def for_actor(self, actor, start: date, end: date) -> Report:
        """Police: their commune, with per-person rows. Province: every commune, no personal data."""
        if actor.role is Role.PROVINCE:
            report = await self.province_summary(start, end)
        elif actor.role is Role.POLICE:
            report = await self.commune_summary(actor.person.commune_id, start, end, with_people=True)
        else:
            raise PermissionDenied
        async with self.db.transaction() as tx:
            await Audit.record(tx, now=self.clock.now(), actor_id=actor.person.id, action="report.make",
                               detail={"start": start.isoformat(), "end": end.isoformat()})
        return report

    async def province_summary(self, start: date, end: date) -> Report:
        async with self.db.reading() as conn:
            ids = [c.id for c in await Communes.all(conn)]
        return await self._summary(ids, start, end, scope="", with_people=False)

    async def commune_summary(self, commune_id: int, start: date, end: date, *, with_people: bool) -> Report:
        async with self.db.reading() as conn:
            commune = await Communes.get(conn, commune_id)
        return await self._summary([commune_id], start, end, scope=commune.name, with_people=with_people)

    async def commune_by_name(self, name: str):
        async with self.db.reading() as conn:
            return await Communes.find(conn, name)

    async def _summary(self, commune_ids: list[int], start: date, end: date, *, scope: str,
                       with_people: bool) -> Report:
        if end < start:
            raise ValueError("the period ends before it starts")
        report = Report(start, end, scope)
        today = self.today()
        start_at = datetime.combine(start, time(0), self.tz)
        end_at = datetime.combine(end + timedelta(days=1), time(0), self.tz)
        async with self.db.reading() as conn:
            records: list[Record] = []
            rules: dict[int, dict[str, str]] = {}
            supervisors: dict[int, int] = {}
            for commune_id in commune_ids:
                records += await Records.in_commune(conn, commune_id, include_closed=True)
                rules[commune_id] = await CadenceRules.for_commune(conn, commune_id)
                supervisors.update(await Assignments.supervisors_of_commune(conn, commune_id))
            contacts = await ReportData.contact_days(conn, commune_ids, end)
            report.checkins = await ReportData.checkins_between(conn, commune_ids, start, end)
            alerts = await ReportData.alerts_between(conn, commune_ids, start_at, end_at)
            topics = await ReportData.help_threads_between(conn, commune_ids, start_at, end_at)
            report.postings, report.job_interest = await ReportData.job_support_between(conn, commune_ids, start_at,
                                                                                        end_at)
            report.meetings, report.participants, report.tips = await ReportData.outreach_between(
                conn, commune_ids, start, end)
            names = {}
            if with_people:
                for supervisor_id in set(supervisors.values()):
                    person = await People.get(conn, supervisor_id)
                    names[supervisor_id] = person.full_name if person else ""

        for record in records:
            if record.enrolled_on > end or (record.closed_on and record.closed_on < start):
                continue
            if record.closed_on is None or record.closed_on > end:
                report.managed[record.category] += 1
            if start <= record.enrolled_on <= end:
                report.new[record.category] += 1
            if record.closed_reason is CloseReason.EXPUNGED and record.closed_on and start <= record.closed_on <= end:
                report.cleared += 1
            rule = rule_for(record.cadence_rule, rules[record.commune_id][record.category.value])
            days = contacts.get(record.person_id, [])
            counts = Counter()
            for deadline, outcome in deadlines(rule, enrolled_on=record.enrolled_on, contacts=days, start=start,
                                               end=end, today=today, closed_on=record.closed_on):
                counts[outcome] += 1
                if outcome in ("on_time", "late"):
                    report.monthly[deadline.strftime("%Y-%m")][outcome] += 1
            report.on_time += counts["on_time"]
            report.late += counts["late"]
            report.missed += counts["missed"]
            state = due(rule, enrolled_on=record.enrolled_on, contacts=days[-1:], today=today,
                        closed_on=record.closed_on).state
            if state is DueState.OVERDUE:
                report.overdue_now += 1
            if with_people:
                supervisor = supervisors.get(record.person_id)
                report.people.append(PersonRow(record.full_name, record.village, record.category,
                                               names.get(supervisor, ""), days[-1] if days else None, state,
                                               counts["on_time"], counts["late"], counts["missed"]))
        report.due = report.on_time + report.late + report.missed
        claim_hours, resolve_hours = [], []
        for reason, created, claimed, resolved in alerts:
            report.alerts[reason] += 1
            report.monthly[created.astimezone(self.tz).strftime("%Y-%m")]["alerts"] += 1
            if claimed:
                claim_hours.append((claimed - created).total_seconds() / 3600)
            if resolved:
                resolve_hours.append((resolved - created).total_seconds() / 3600)
        report.median_claim_hours = statistics.median(claim_hours) if claim_hours else None
        report.median_resolve_hours = statistics.median(resolve_hours) if resolve_hours else None
        report.help_requests = len(topics)
        report.loan_support = sum(1 for t in topics if t == "loan")
        report.people.sort(key=lambda p: (p.village, p.name))
        return report

    async def log_outreach(self, actor, *, kind: str, on_date: date, place: str, topic: str, participants: int) -> int:
        person = require_role(actor, Role.POLICE, Role.SUPERVISOR)
        if kind not in ("meeting", "tip") or participants < 0:
            raise ValueError(kind)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            outreach_id = await ReportData.add_outreach(tx, commune_id=person.commune_id, kind=kind, on_date=on_date,
                                                        place=place, topic=topic, participants=participants,
                                                        created_by=person.id, now=now)
            await Audit.record(tx, now=now, actor_id=person.id, action="outreach.add", detail={"kind": kind})
            return outreach_id
