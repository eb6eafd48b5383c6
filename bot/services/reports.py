"""The figures commune police report every six months and every year (and the province sees
aggregated across communes, without personal data).

Definitions (also in the README): people managed at the end of the period, by category; new
during it; check-ins done; contact deadlines that fell in the period and whether a contact came
in time, late, or not at all; people overdue now; alerts by reason, with the median time to claim
and to resolve; help requests; loan and job support; records cleared; outreach meetings,
participants and tips.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
import gc
import statistics
import threading

from bot.clock import from_db
from bot.models import Category, CloseReason, Role
from bot.rules.cadence import DueState, deadlines, due, rule_for
from bot.services.access import PermissionDenied, require_role
from bot.services.base import Service
from bot.storage.audit import Audit
from bot.storage.cadence import CadenceRules
from bot.storage.communes import PROVINCE, Communes
from bot.storage.reports import ReportData
from bot.workers import run_heavy


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
    grades: int = 0  # monthly grades of the period's months (people × months)
    grades_signed: int = 0
    grades_on_time: int = 0  # signed by day 5 of the next month (Nghị định 231/2026, Điều 8)
    breaches: int = 0  # breach records and administrative fines dated in the period
    monthly: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))  # YYYY-MM → on_time/late/alerts
    people: list[PersonRow] = field(default_factory=list)  # police of the commune only

    @property
    def on_time_share(self) -> float | None:
        decided = self.on_time + self.late + self.missed
        return self.on_time / decided if decided else None


@contextlib.contextmanager
def _no_gc_pauses():
    """No cyclic garbage collection while a report allocates a million dates (none of them in
    cycles): the collector would otherwise walk them again and again. Restored afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Reports(Service):

    async def for_actor(self, actor, start: date, end: date) -> Report:
        """Police: their commune, with per-person rows. Province: the communes attached to their
        province, no personal data."""
        if actor.role is Role.PROVINCE:
            report = await self.province_summary(start, end, province_id=actor.person.commune_id)
        elif actor.role is Role.POLICE:
            report = await self.commune_summary(actor.person.commune_id, start, end, with_people=True)
        else:
            raise PermissionDenied
        async with self.db.transaction() as tx:
            await Audit.record(tx, now=self.clock.now(), actor_id=actor.person.id, action="report.make",
                               detail={"start": start.isoformat(), "end": end.isoformat()})
        return report

    async def province_summary(self, start: date, end: date, province_id: int | None = None) -> Report:
        """Figures without personal data: one province's communes, or (no province: the command
        line's default) every commune of the deployment."""
        if province_id is None:
            async with self.db.reading() as conn:
                ids = [c.id for c in await Communes.all(conn)]
            return await self._summary(ids, start, end, scope="", with_people=False, everywhere=True)
        async with self.db.reading() as conn:
            province = await Communes.get(conn, province_id)
            ids = [c.id for c in await Communes.in_province(conn, province_id)]
        return await self._summary(ids, start, end, scope=province.name, with_people=False)

    async def province_by_name(self, name: str):
        async with self.db.reading() as conn:
            return await Communes.find(conn, name, kind=PROVINCE)

    async def commune_summary(self, commune_id: int, start: date, end: date, *, with_people: bool) -> Report:
        async with self.db.reading() as conn:
            commune = await Communes.get(conn, commune_id)
        return await self._summary([commune_id], start, end, scope=commune.name, with_people=with_people)

    async def commune_by_name(self, name: str):
        async with self.db.reading() as conn:
            return await Communes.find(conn, name)

    async def _summary(self, commune_ids: list[int], start: date, end: date, *, scope: str,
                       with_people: bool, everywhere: bool = False) -> Report:
        if end < start:
            raise ValueError("the period ends before it starts")
        # A province is 100,000 people: read and counted in the worker process (bot.workers), on its
        # own read-only connection (WAL lets it read beside the bot's writes), so nobody's check-in
        # waits for it.
        return await run_heavy(summary_from_file, str(self.db.path), commune_ids, start, end, scope, with_people,
                               everywhere, self.today(), self.tz.key)

    @staticmethod
    def _tally(report: Report, rows: list[tuple], rules: dict, contacts: dict, today: date, with_people: bool) -> None:
        """The per-person part: 100,000 people in a province, so plain tuples, dates parsed once and
        outcomes counted in C (Counter.update)."""
        start, end, parse = report.start, report.end, date.fromisoformat
        first, last = start.isoformat(), end.isoformat()
        expunged = CloseReason.EXPUNGED.value
        managed, new, outcomes = Counter(), Counter(), Counter()  # outcomes: (deadline, outcome) → people
        overdue = cleared = 0
        no_contacts: list[date] = []
        rule_of: dict[tuple, object] = {}
        for (person_id, commune_id, category, own_rule, enrolled, closed, reason, last_contact, name, village,
             supervisor) in rows:
            if enrolled > last or (closed and closed < first):
                continue
            if closed is None or closed > last:
                managed[category] += 1
            if first <= enrolled:
                new[category] += 1
            if reason == expunged and first <= closed <= last:
                cleared += 1
            rule = rule_of.get((commune_id, category, own_rule))
            if rule is None:
                rule = rule_of[commune_id, category, own_rule] = rule_for(own_rule, rules[commune_id][category])
            enrolled_on, closed_on = parse(enrolled), parse(closed) if closed else None
            days = contacts.get(person_id, no_contacts)
            found = deadlines(rule, enrolled_on=enrolled_on, contacts=days, start=start, end=end, today=today,
                              closed_on=closed_on)
            outcomes.update(found)
            if closed_on is not None and closed_on <= today:
                state = DueState.CLOSED
            else:
                now = (parse(last_contact),) if last_contact else ()
                state = due(rule, enrolled_on=enrolled_on, contacts=now, today=today).state
                if state is DueState.OVERDUE:
                    overdue += 1
            if with_people:
                mine = Counter(outcome for _deadline, outcome in found)
                report.people.append(PersonRow(name, village, Category(category), supervisor,
                                               days[-1] if days else None, state, mine["on_time"], mine["late"],
                                               mine["missed"]))
        report.managed = Counter({Category(k): v for k, v in managed.items()})
        report.new = Counter({Category(k): v for k, v in new.items()})
        report.overdue_now, report.cleared = overdue, cleared
        totals = Counter()
        for (deadline, outcome), count in outcomes.items():
            totals[outcome] += count
            if outcome == "on_time" or outcome == "late":
                report.monthly[f"{deadline.year:04d}-{deadline.month:02d}"][outcome] += count
        report.on_time, report.late, report.missed = totals["on_time"], totals["late"], totals["missed"]

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


def summary_from_file(path: str, commune_ids: list[int], start: date, end: date, scope: str, with_people: bool,
                      everywhere: bool, today: date, tz_name: str) -> Report:
    """The report, computed from the database file on a read-only connection of its own (run in the
    worker process, or a thread). The connection and its event loop are kept for the next report
    (per thread), so SQLite's page cache stays warm."""
    from zoneinfo import ZoneInfo

    from bot.storage.db import Database

    kept = _reader.__dict__
    if kept.get("path") != path:
        if "loop" not in kept:
            kept["loop"] = asyncio.new_event_loop()
        if kept.get("db") is not None:
            kept["loop"].run_until_complete(kept["db"].close())
        kept["db"] = kept["loop"].run_until_complete(Database.open_readonly(path))
        kept["path"] = path
    return kept["loop"].run_until_complete(
        _compute(kept["db"], commune_ids, start, end, scope, with_people, everywhere, today, ZoneInfo(tz_name)))


_reader = threading.local()  # per thread (or worker process): its event loop and read-only connection


async def _compute(db, commune_ids: list[int], start: date, end: date, scope: str, with_people: bool,
               everywhere: bool, today: date, tz) -> Report:
    report = Report(start, end, scope)
    start_at = datetime.combine(start, time(0), tz)
    end_at = datetime.combine(end + timedelta(days=1), time(0), tz)
    async with db.reading() as conn:
        rows = await ReportData.people(conn, None if everywhere else commune_ids, names=with_people)
        rules = {commune_id: await CadenceRules.for_commune(conn, commune_id) for commune_id in commune_ids}
        contacts = await ReportData.contact_days(conn, None if everywhere else commune_ids, end)
        report.checkins = await ReportData.checkins_between(conn, None if everywhere else commune_ids, start,
                                                            end)
        alerts = await ReportData.alerts_between(conn, commune_ids, start_at, end_at)
        topics = await ReportData.help_threads_between(conn, commune_ids, start_at, end_at)
        report.postings, report.job_interest = await ReportData.job_support_between(conn, commune_ids, start_at,
                                                                                    end_at)
        report.meetings, report.participants, report.tips = await ReportData.outreach_between(
            conn, commune_ids, start, end)
        grades, report.breaches = await ReportData.cycle_between(conn, commune_ids, start, end)
    for month, signed_at in grades:
        report.grades += 1
        if signed_at:
            report.grades_signed += 1
            year, number = int(month[:4]), int(month[5:])
            deadline = date(year + number // 12, number % 12 + 1, 5)  # day 5 of the next month
            report.grades_on_time += from_db(signed_at).astimezone(tz).date() <= deadline

    with _no_gc_pauses():
        Reports._tally(report, rows, rules, contacts, today, with_people)
    report.due = report.on_time + report.late + report.missed
    claim_hours, resolve_hours = [], []
    for reason, created, claimed, resolved in alerts:
        report.alerts[reason] += 1
        report.monthly[created.astimezone(tz).strftime("%Y-%m")]["alerts"] += 1
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
