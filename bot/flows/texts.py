"""How supervision data reads to a person: dates, due states, roster lines, a record's card."""

from __future__ import annotations

from bot.clock import format_date
from bot.labels import (
    CATEGORY_LABELS,
    CLOSE_LABELS,
    CONDUCT_LABELS,
    CONTACT_LABELS,
    FAMILY_LABELS,
    PENALTY_LABELS,
    STATUS_LABELS,
    SUPPLEMENTARY_LABELS,
    WELLBEING_LABELS,
    WORK_LABELS,
    relation_label,
)
from bot.i18n import _, _n
from bot.rules.phones import show_phone
from bot.models import Record
from bot.rules.cadence import Due, DueState


def due_text(due: Due) -> str:
    if due.state is DueState.OVERDUE:
        return _("overdue since {date}", date=format_date(due.deadline))
    if due.state is DueState.DUE:
        return _("due by {date}", date=format_date(due.deadline))
    if due.state is DueState.CLOSED:
        return _("record closed")
    return _("next due {start} to {end}", start=format_date(due.window_start), end=format_date(due.deadline))


def next_contact_text(due: Due) -> str:
    """When the next contact falls, said after "Next contact:" (without saying "next" twice)."""
    if due.state is DueState.OVERDUE:
        return _("overdue since {date}", date=format_date(due.deadline))
    if due.state is DueState.DUE:
        return _("by {date}", date=format_date(due.deadline))
    return _("from {start} to {end}", start=format_date(due.window_start), end=format_date(due.deadline))


def last_contact_text(due: Due) -> str:
    if due.last_contact is None:
        return _("no contact yet")
    return _("last contact {date}", date=format_date(due.last_contact))


def roster_line(row) -> str:
    """One person of a list, marked "•": the numbers below a list belong to its actions."""
    mark = "⚠️ " if row.due.state is DueState.OVERDUE else ""
    return f"• {mark}{row.record.full_name} ({row.record.village}): {last_contact_text(row.due)}; {due_text(row.due)}"


def term_text(months: int | None) -> str:
    if not months:
        return ""
    years, rest = divmod(months, 12)
    if years and rest:
        return f"{years_text(years)} {months_text(rest)}"
    if years:
        return years_text(years)
    return months_text(rest)


def years_text(years: int) -> str:
    return _n("{count} year", "{count} years", years)


def months_text(months: int) -> str:
    return _n("{count} month", "{count} months", months)


def record_lines(record: Record) -> list[str]:
    """The record itself (police only)."""
    lines = [
        f"👤 {record.full_name}, {format_date(record.date_of_birth)}, {record.village}",
        _("Category: {category}", category=_(CATEGORY_LABELS[record.category])),
        _("Penalty: {penalty} {term}", penalty=_(PENALTY_LABELS[record.penalty_type]),
          term=term_text(record.penalty_months)).strip(),
    ]
    if record.release_date:
        lines.append(_("Released on: {date}", date=format_date(record.release_date)))
    if record.probation_start or record.probation_end:
        lines.append(_("Probation: {start} to {end}", start=format_date(record.probation_start) if record.probation_start else "?",
                       end=format_date(record.probation_end) if record.probation_end else "?"))
    for item in record.supplementary:
        until = format_date(item.ends_on) if item.ends_on else "?"
        lines.append(_("Supplementary: {kind} until {date}", kind=_(SUPPLEMENTARY_LABELS[item.kind]), date=until))
    if record.family_name or record.family_phone:
        lines.append(_("Family contact: {name} ({relation}) {phone}", name=record.family_name,
                       relation=relation_label(record.family_relation), phone=show_phone(record.family_phone)).strip())
    if record.note:
        lines.append(_("Note: {note}", note=record.note))
    lines.append(_("Enrolled on {date}", date=format_date(record.enrolled_on)))
    if record.closed_on:
        lines.append(_("Closed on {date}: {reason}", date=format_date(record.closed_on),
                       reason=_(CLOSE_LABELS[record.closed_reason]) if record.closed_reason else ""))
    return lines


def card_text(card) -> str:
    lines = record_lines(card.record)
    supervisor = card.supervisor.full_name if card.supervisor else _("not assigned")
    lines.append(_("Supervisor: {name}", name=supervisor))
    lines.append(_("Contact: {last}; {due}", last=last_contact_text(card.due), due=due_text(card.due)))
    if card.alerts:
        lines.append(_("Open alerts: {count}", count=len(card.alerts)))
    if any(a.reason.value == "undeliverable" for a in card.alerts):
        lines.append(_("⚠️ The bot's messages do not reach this person now (blocked, or no recent message to "
                       "the commune's Zalo): reach them by phone or in person."))
    if card.checkins:
        lines.append(_("Recent check-ins:"))
        for c in card.checkins[:5]:
            lines.append(f"• {format_date(c.happened_on)} {_(CONTACT_LABELS[c.contact])}: {_(STATUS_LABELS[c.status])}"
                         + (f" ({c.note[:80]})" if c.note else ""))
    if card.assessments:
        lines.append(_("Assessments:"))
        for a in card.assessments[:3]:
            month = f"{a.period[5:]}/{a.period[:4]}"
            lines.append(f"• {month}: {_(CONDUCT_LABELS[a.conduct])}, {_(WORK_LABELS[a.work])}, "
                         f"{_(FAMILY_LABELS[a.family])}" + (f"; {a.needs[:80]}" if a.needs else ""))
    if card.cycle is not None:
        lines.append(_("This month: periodic report {report}; roll call {roll_call}.",
                       report=_("received") if card.cycle["report"] else _("not received yet"),
                       roll_call=_("done") if card.cycle["roll_call"] else _("not done yet")))
        if card.cycle["breaches"]:
            line = _("Breach records and fines: {count}.", count=card.cycle["breaches"])
            if card.cycle["review_due"]:
                line += " " + _("Review meeting due by {date} (/reviews).", date=format_date(card.cycle["review_due"]))
            lines.append(line)
    if card.self_reports:
        r = card.self_reports[0]
        lines.append(_("Latest self-report {date}: {wellbeing}", date=format_date(r.created_at),
                       wellbeing=_(WELLBEING_LABELS[r.wellbeing])))
    return "\n".join(lines)
