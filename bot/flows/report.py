"""/report — the figures the province asks for, for a period: a summary in chat, the Excel
workbook and a chart. /outreach — log an outreach meeting or a tip, so reports count them."""

from __future__ import annotations


from datetime import date

from bot.clock import format_date
from bot.dialog.types import Attachment, Choice, Finish, Flow, Goto, Incoming, Reply, Stay, Step, StepContext
from bot.labels import CATEGORY_LABELS
from bot.workers import run_heavy
from bot.flows.dates import DateQuestion
from bot.i18n import N_, _, format_number
from bot.models import Category, Role
from bot.notices import ALERT_REASONS


def period_of(choice: str, today: date) -> tuple[date, date]:
    if choice == "month":
        return today.replace(day=1), today
    if choice == "quarter":
        return date(today.year, (today.month - 1) // 3 * 3 + 1, 1), today
    if choice == "half":
        return date(today.year, 1 if today.month <= 6 else 7, 1), today
    return date(today.year, 1, 1), today


def summary_text(report) -> str:
    def hours(value):
        return _("{hours} h", hours=format_number(value, 1)) if value is not None else "–"

    lines = [_("Report {scope}, {start} to {end}", scope=report.scope or _("all communes"),
               start=format_date(report.start), end=format_date(report.end))]
    lines.append(_("People managed: {total} (new: {new})", total=sum(report.managed.values()),
                   new=sum(report.new.values())))
    for category in Category:
        if report.managed[category] or report.new[category]:
            lines.append(f"  • {_(CATEGORY_LABELS[category])}: {report.managed[category]}")
    share = f"{format_number(report.on_time_share * 100)}%" if report.on_time_share is not None else "–"
    lines.append(_("Check-ins: {done}; contacts due {due}: on time {on_time}, late {late}, missed {missed} "
                   "({share} on time)", done=report.checkins, due=report.due, on_time=report.on_time,
                   late=report.late, missed=report.missed, share=share))
    lines.append(_("Overdue now: {count}", count=report.overdue_now))
    alerts = ", ".join(f"{_(ALERT_REASONS[r])} {n}" for r, n in sorted(report.alerts.items())) or "0"
    lines.append(_("Alerts: {alerts}", alerts=alerts))
    lines.append(_("Median time to claim: {claim}; to resolve: {resolve}", claim=hours(report.median_claim_hours),
                   resolve=hours(report.median_resolve_hours)))
    lines.append(_("Requests for help: {help}; help with loans: {loans}; job postings {postings}, interest shown "
                   "{interest}", help=report.help_requests, loans=report.loan_support, postings=report.postings,
                   interest=report.job_interest))
    lines.append(_("Records cleared: {count}", count=report.cleared))
    lines.append(_("Outreach: {meetings} meetings, {people} participants; tips received: {tips}",
                   meetings=report.meetings, people=report.participants, tips=report.tips))
    if report.grades or report.breaches:
        lines.append(_("Monthly grades: {signed} of {total} signed, {on_time} by day 5; breach records and fines: "
                       "{breaches}", signed=report.grades_signed, total=report.grades, on_time=report.grades_on_time,
                       breaches=report.breaches))
    return "\n".join(lines)


def files_for(report) -> tuple[bytes, bytes]:
    """The spreadsheet and the chart (runs in the worker process)."""
    from bot.reports import chart, workbook

    return workbook.build(report), chart.build(report)


async def replies_for(ctx: StepContext, start: date, end: date) -> tuple[Reply, ...]:
    report = await ctx.services.reports.for_actor(ctx.actor, start, end)
    stem = f"bao-cao-{start:%Y%m%d}-{end:%Y%m%d}"
    # The files are drawn in the worker process (bot.workers), in the reader's language.
    book, picture = await run_heavy(files_for, report)
    return (Reply(summary_text(report)),
            Reply(_("The figures as a spreadsheet."), attachment=Attachment("document", f"{stem}.xlsx", book)),
            Reply(_("Contacts and alerts by month."), attachment=Attachment("photo", f"{stem}.png", picture)))


async def prompt_period(ctx: StepContext) -> Reply:
    return Reply(_("Which period?"), (Choice("month", _("This month")), Choice("quarter", _("This quarter")),
                                      Choice("half", _("Six months")), Choice("year", _("This year")),
                                      Choice("dates", _("Two dates"))))


async def on_period(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "dates":
        return Goto("start")
    start, end = period_of(incoming.choice, ctx.services.supervision.today())
    return Finish(await replies_for(ctx, start, end))


async def prompt_start(ctx: StepContext) -> Reply:
    return Reply(_("From which date? (dd/mm/yyyy)"))


REPORT_START = DateQuestion("past", refused=N_("A report starts on a day that has passed."))
OUTREACH_DAY = DateQuestion("past", refused=N_("That date is in the future. Record a meeting or a tip that has "
                                              "happened."))


async def on_start(ctx: StepContext, incoming: Incoming):
    day = REPORT_START.read(incoming.text or "", ctx.services.supervision.today())
    if isinstance(day, Stay):
        return day
    ctx.draft["start"] = day.isoformat()
    return Goto("end")


async def prompt_end(ctx: StepContext) -> Reply:
    return Reply(_("To which date? (dd/mm/yyyy)"))


async def on_end(ctx: StepContext, incoming: Incoming):
    day = DateQuestion().read(incoming.text or "", ctx.services.supervision.today())
    if isinstance(day, Stay):
        return day
    start = date.fromisoformat(ctx.draft["start"])
    if day < start:
        return Stay(_("The end must come after the start ({date}).", date=format_date(start)))
    return Finish(await replies_for(ctx, start, day))


REPORT = Flow(
    name="report",
    command="report",
    title=N_("Reports"),
    roles=frozenset({Role.POLICE, Role.PROVINCE}),
    first="period",
    steps={"period": Step(prompt_period, on_period), "start": Step(prompt_start, on_start, free_text=True),
           "end": Step(prompt_end, on_end, free_text=True)},
)


# ---- /outreach -------------------------------------------------------------------------------

async def prompt_kind(ctx: StepContext) -> Reply:
    return Reply(_("What do you want to log?"), (Choice("meeting", _("An outreach meeting")),
                                                Choice("tip", _("A tip received"))))


async def on_kind(ctx: StepContext, incoming: Incoming):
    ctx.draft["kind"] = incoming.choice
    return Goto("day")


async def prompt_day(ctx: StepContext) -> Reply:
    return Reply(_("Which day? Type a date like 20/11, or choose:"), (Choice("today", _("Today")),))


async def on_day(ctx: StepContext, incoming: Incoming):
    text = "hôm nay" if incoming.choice == "today" else (incoming.text or "")
    day = OUTREACH_DAY.read(text, ctx.services.supervision.today())
    if isinstance(day, Stay):
        return day
    ctx.draft["day"] = day.isoformat()
    return Goto("topic")


async def prompt_topic(ctx: StepContext) -> Reply:
    if ctx.draft["kind"] == "tip":
        return Reply(_("In a few words, what was it about? (no names needed)"))
    return Reply(_("Place and topic of the meeting?"))


async def on_topic(ctx: StepContext, incoming: Incoming):
    topic = " ".join((incoming.text or "").split())[:200]
    if len(topic) < 3:
        return Stay(_("Please write a few words."))
    ctx.draft["topic"] = topic
    if ctx.draft["kind"] == "tip":
        return await _save(ctx, 0)
    return Goto("participants")


async def prompt_participants(ctx: StepContext) -> Reply:
    return Reply(_("How many people took part?"))


async def on_participants(ctx: StepContext, incoming: Incoming):
    text = (incoming.text or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= 100_000:
        return Stay(_("Please type a number, for example 35."))
    return await _save(ctx, int(text))


async def _save(ctx: StepContext, participants: int):
    await ctx.services.reports.log_outreach(ctx.actor, kind=ctx.draft["kind"], on_date=date.fromisoformat(ctx.draft["day"]),
                                            place="", topic=ctx.draft["topic"], participants=participants)
    return Finish((Reply(_("Logged. It will be counted in the reports.")),))


OUTREACH = Flow(
    name="outreach",
    command="outreach",
    title=N_("Log outreach or a tip"),
    roles=frozenset({Role.POLICE, Role.SUPERVISOR}),
    first="kind",
    steps={"kind": Step(prompt_kind, on_kind), "day": Step(prompt_day, on_day, free_text=True),
           "topic": Step(prompt_topic, on_topic, free_text=True),
           "participants": Step(prompt_participants, on_participants, free_text=True)},
)
