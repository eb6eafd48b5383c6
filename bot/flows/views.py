"""Read-only views: /mylist for a supervisor, /me for a returnee or a family member."""

from __future__ import annotations

from datetime import date

from bot.clock import format_date, format_datetime
from bot.dialog.types import Choice, Command, Reply, StepContext
from bot.labels import CATEGORY_LABELS
from bot.flows.texts import next_contact_text, roster_line
from bot.rules.cycle import may_be_proposed_from
from bot.i18n import N_, _, _n
from bot.models import Category, Role
from bot.rules.cadence import DueState


async def on_mylist(ctx: StepContext) -> list[Reply]:
    """Each of my people with the last contact and the next one due, overdue first."""
    rows = await ctx.services.supervision.my_people(ctx.actor)
    if not rows:
        return [Reply(_("No one is assigned to you yet. Commune police will assign the people you follow."))]
    overdue = sum(1 for r in rows if r.due.state is DueState.OVERDUE)
    head = _n("You follow {count} person; {overdue} overdue.", "You follow {count} people; {overdue} overdue.",
              len(rows), overdue=overdue)
    lines = [roster_line(row) for row in rows]
    return [Reply("\n".join([head, *lines]), (Choice("go:checkin", _("Record a visit or call")),), "menu")]


async def on_me(ctx: StepContext) -> list[Reply]:
    """My obligations and my dates (or, for family, what my relative chose to share)."""
    views = await ctx.services.supervision.me(ctx.actor)
    if not views:
        if ctx.actor.role is Role.FAMILY:
            return [Reply(_("Nothing has been shared with you yet. Your relative decides what you can see."))]
        return [Reply(_("The commune police have not entered your details yet. If you think they should "
                        "have, please ask them."))]
    replies = []
    for view in views:
        record = view.record
        lines = []
        if ctx.actor.role is Role.FAMILY:
            lines.append(_("Shared with you by {name}:", name=record.full_name))
        else:
            lines.append(_("Your situation: {category}.", category=_(CATEGORY_LABELS[record.category])))
        if "supervisor" in view.shares:
            if view.supervisor:
                lines.append(_("Who supports you: {name}, village security team.", name=view.supervisor.full_name))
            else:
                lines.append(_("No supporter has been assigned yet; commune police will tell you."))
        if "dates" in view.shares:
            if view.due is not None and view.due.state is not DueState.CLOSED:
                lines.append(_("Next contact: {due}.", due=next_contact_text(view.due)))
            if record.probation_end:
                lines.append(_("Probation ends on {date}.", date=format_date(record.probation_end)))
            if record.release_date and not record.category.serving_in_community:
                lines.append(_("Released on {date}.", date=format_date(record.release_date)))
        if ctx.actor.role is Role.RETURNEE and record.category in (Category.SUSPENDED, Category.NON_CUSTODIAL,
                                                                     Category.PAROLE) and record.open:
            lines.append(_("Periodic report to commune police: ask your officer for the day (under the old rules, the "
                           "first 5 days of each month); /selfreport sends it here if your commune uses the bot for it."))
            budget = await ctx.services.supervision.my_absences(ctx.actor)
            if budget is not None and budget[0] is not None:
                per, total, used = budget
                lines.append(_("Days away approved so far: {used} of {total} (at most {per} per absence; 2019 law, to be "
                               "confirmed). To ask: /absence.", used=used, total=total, per=per))
            roll_call = await ctx.services.supervision.my_roll_call(ctx.actor)
            lines.append(_("Roll call this month: done.") if roll_call == "done" else
                         _("Roll call: in the first 5 days of each month (/present).") if roll_call in ("open", "closed")
                         else _("Roll call: in the first 5 days of each month, at the commune police office."))
            for due in await ctx.services.supervision.my_reviews(ctx.actor):
                lines.append(_("Review meeting: by {date}.", date=format_date(due)))
            shortening = may_be_proposed_from(record.category, record.probation_start or record.release_date,
                                              record.probation_end)
            if shortening and shortening > ctx.services.supervision.today():
                lines.append(_("From {date} (half of the probation) you may be proposed for a shorter probation if you "
                               "make clear progress; the court decides (BLHS Điều 65 khoản 4, 66 khoản 5).",
                               date=format_date(shortening)))
        if ctx.actor.role is Role.RETURNEE:
            expected = expected_expungement(record)
            if expected is not None:
                lines.append(_("Your record may be cleared from {date} (expected, if you were 18 or older and the "
                               "offence is not against national security; BLHS Điều 70). /expungement works it out "
                               "in full.", date=format_date(expected)))
            appointment = await ctx.services.supervision.next_appointment(ctx.actor)
            if appointment is not None:
                at, place = appointment
                lines.append(_("Next appointment: {when} {place}", when=format_datetime(at), place=place).strip())
            lines.append(_("Send /selfreport to tell your supporter how you are doing."))
        if len(lines) == 1:
            lines.append(_("Nothing has been shared with you yet. Your relative decides what you can see."))
        replies.append(Reply("\n".join(lines)))
    return replies


MYLIST = Command("mylist", N_("My people"), frozenset({Role.SUPERVISOR}), on_mylist)
ME = Command("me", N_("My dates and obligations"), frozenset({Role.RETURNEE, Role.FAMILY}), on_me)


def expected_expungement(record, completed: date | None = None) -> date | None:
    """The date an adult's record of this penalty may be cleared automatically (BLHS Điều 70), from
    ``completed`` or the record's completion day (still to come, while serving); None if unknown.
    The same preliminary date police are reminded of (``bot.rules.reminders.expungement_date``)."""
    from bot.flows.expungement import completion_day
    from bot.rules.reminders import expungement_date

    completed = completed or completion_day(record)
    if completed is None:
        return None
    found = expungement_date(record.penalty_type.value, record.penalty_months, completed.isoformat())
    return found[0] if found else None
