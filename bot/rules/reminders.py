"""What is due for one person today: the reminder tick's plan, as a pure function (no database,
no clock). The tick (``bot/services/reminders.py``) reads the rows, calls :func:`plan_person`, and
queues what it returns through the outbox.

Each message has a key that names what it is about (``sup:last:<person>:<deadline>``), so a
plan made twice queues nothing twice; after downtime only the stage that still makes sense is
planned (a window that has closed gets "overdue", not "window opens" too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from bot.clock import format_date
from bot.models import Category
from bot.rules import expungement as expungement_rules
from bot.rules.cadence import DueState, Rule, next_change
from bot.rules.cadence import due as cadence_due

ENDING_SOON_DAYS = 7
ONE_DAY = timedelta(days=1)


@dataclass
class PersonPlan:
    messages: list[tuple[int, str, dict, str]] = field(default_factory=list)  # (to, kind, params, key)
    missed_deadline: date | None = None  # a contact missed past the grace days: police should be alerted
    ending_on: date | None = None  # probation or management ends within 7 days
    look: date | None = None  # when to look at this person again (None: only when something changes)


def plan_person(row, rule: Rule, today: date, grace_days: int, police: list[int]) -> PersonPlan:
    """``row``: a :class:`~bot.storage.schedule.TickRow`; ``police``: the commune's officers."""
    plan = PersonPlan()
    category = Category(row.category)
    enrolled_on = date.fromisoformat(row.enrolled_on)
    contact = date.fromisoformat(row.last_contact_on) if row.last_contact_on else None
    due = cadence_due(rule, enrolled_on=enrolled_on, contacts=(contact,) if contact else (), today=today)
    supervisor = row.supervisor_id
    plan.look = next_change(rule, due, today, grace_days)
    if due.state in (DueState.DUE, DueState.OVERDUE):
        deadline = format_date(due.deadline)
        about = {"name": row.full_name, "deadline": deadline}
        key = f"{row.person_id}:{due.deadline}"
        if due.state is DueState.DUE:
            if supervisor:
                if today >= due.deadline - ONE_DAY:
                    if today < due.deadline:
                        plan.messages.append((supervisor, "supervisor_window_last", about, f"sup:last:{key}"))
                elif today >= due.window_start:
                    plan.messages.append((supervisor, "supervisor_window_open", about, f"sup:open:{key}"))
            if (today == due.deadline - ONE_DAY and category.serving_in_community and row.reachable
                    and row.opted_in):
                plan.messages.append((row.person_id, "person_window", {"deadline": deadline}, f"person:window:{key}"))
        else:
            if supervisor:
                plan.messages.append((supervisor, "supervisor_overdue", about, f"sup:overdue:{key}"))
            if today >= due.deadline + timedelta(days=grace_days) and not row.missed_open:
                plan.missed_deadline = due.deadline
    if row.probation_end:
        end = date.fromisoformat(row.probation_end)
        if today <= end <= today + timedelta(days=ENDING_SOON_DAYS):
            plan.ending_on = end
        elif today < end:
            plan.look = _earliest(plan.look, end - timedelta(days=ENDING_SOON_DAYS))
    cleared = (expungement_date(row.penalty_type, row.penalty_months, row.release_date)
               if row.release_date and category in (Category.RELEASED, Category.AMNESTY) else None)
    if cleared is not None:
        day, basis = cleared
        if day <= today:
            for officer in police:
                plan.messages.append((officer, "police_expungement_due",
                                      {"name": row.full_name, "date": format_date(day), "basis": basis},
                                      f"police:expunge:{row.person_id}:{day}:{officer}"))
        else:
            plan.look = _earliest(plan.look, day)
    return plan


def _earliest(day: date | None, other: date) -> date:
    return other if day is None or other < day else day


@lru_cache(maxsize=8192)
def expungement_date(penalty_type: str, months: int | None, release_date: str) -> tuple[date, str] | None:
    """Police hear when a returnee may reach the (preliminary) expungement date, to guide them. The
    record does not hold the offence's category or intent, so the date is computed for the
    longest case those could give (an intentional, very serious offence): police are never told
    too early; the person's own calculation (/expungement) asks for the facts."""
    try:
        result = expungement_rules.assess(expungement_rules.Case(
            age_at_offence=30, offence_chapter="ordinary", offence_category="very_serious", intent="intentional",
            penalty=penalty_type, prison_months=months, main_penalty_completed_on=date.fromisoformat(release_date)))
    except expungement_rules.InvalidCase:
        return None
    return (result.date, result.basis) if result.date else None
