"""/alerts — commune police see open alerts and act: take one ("Tôi xử lý"), close it with a note
("Đã xong"), or postpone it with a reason and a date ("Hoãn"). The buttons under an alert
message lead to the same steps. /reminders — a person chooses whether to get optional reminders.
/appointment — police set a meeting; the person is reminded the day before."""

from __future__ import annotations

from datetime import date, datetime, time

from bot.clock import format_date, format_datetime
from bot.dialog.types import Choice, Finish, Flow, Goto, Incoming, Reply, Stay, Step, StepContext, Turn
from bot.dialog import engine
from bot.flows.pickers import Item, picker
from bot.flows.dates import DateQuestion
from bot.i18n import N_, _
from bot.labels import OFFICE, alert_choices, not_available
from bot.models import Role
from bot.notices import alert_line, raised_line
from bot.services.access import NotFound


def _line(view) -> str:
    state = {"open": _("new"), "claimed": _("taken by {name}", name=view.claimed_by or "?"),
             "snoozed": _("postponed")}.get(view.alert.state, view.alert.state)
    return alert_line({"reason": view.alert.reason.value, "name": view.name, "village": view.village}) + f" · {state}"


async def begin(ctx: StepContext):
    if not await ctx.services.alerting.unresolved(ctx.actor):
        return Finish((Reply(_("No open alerts.")),))
    return None


async def alerts(ctx: StepContext) -> list[Item]:
    return [Item(v.alert.id, _line(v), v.name) for v in await ctx.services.alerting.unresolved(ctx.actor)]


async def on_alert(ctx: StepContext, alert_id: int):
    ctx.draft["alert"] = alert_id
    return Goto("action")


async def prompt_action(ctx: StepContext) -> Reply:
    view = await ctx.services.alerting.view(ctx.actor, ctx.draft["alert"])
    lines = [_line(view), _("Since {when}", when=format_datetime(view.alert.created_at))]
    raised = raised_line(view.raised_by, view.raised_note)
    if raised:
        lines.append(raised)
    if view.alert.note:
        lines.append(_("Note: {note}", note=view.alert.note))
    return Reply("\n".join(lines), alert_choices())


async def on_action(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "claim":
        won, view = await ctx.services.alerting.claim(ctx.actor, ctx.draft["alert"])
        await ctx.services.notifier.refresh_alert(view)
        if won:
            return Finish((Reply(_("It is yours. The other officers can see that you are handling it.")),))
        return Finish((Reply(_("{name} is already handling it.", name=view.claimed_by or "?")),))
    return Goto("resolve" if incoming.choice == "resolve" else "snooze_reason")


async def prompt_resolve(ctx: StepContext) -> Reply:
    return Reply(_("What was done? (a short note for the record)"))


async def on_resolve(ctx: StepContext, incoming: Incoming):
    note = " ".join((incoming.text or "").split())
    if len(note) < 3:
        return Stay(_("Please give a short reason."))
    view = await ctx.services.alerting.resolve(ctx.actor, ctx.draft["alert"], note)
    await ctx.services.notifier.refresh_alert(view)
    return Finish((Reply(_("Closed. Thank you.")),))


SNOOZE_REASONS = (N_("In hospital"), N_("Working away with permission"), N_("Family matter, agreed with police"))


async def prompt_snooze_reason(ctx: StepContext) -> Reply:
    return Reply(_("Why postpone it? Choose or type the reason."),
                 tuple(Choice(f"r:{n}", _(r)) for n, r in enumerate(SNOOZE_REASONS)))


async def on_snooze_reason(ctx: StepContext, incoming: Incoming):
    reason = _(SNOOZE_REASONS[int(incoming.choice[2:])]) if incoming.choice else " ".join((incoming.text or "").split())
    if len(reason) < 3:
        return Stay(_("Please give a short reason."))
    ctx.draft["reason"] = reason
    return Goto("snooze_until")


async def prompt_snooze_until(ctx: StepContext) -> Reply:
    return Reply(_("Until which date? (dd/mm/yyyy)"))


SNOOZE_UNTIL = DateQuestion("after_today", refused=N_("Please choose a date after today."))
APPOINTMENT_DAY = DateQuestion("future", refused=N_("An appointment is to come: please type a date from today on."))


async def on_snooze_until(ctx: StepContext, incoming: Incoming):
    today = ctx.services.supervision.today()
    day = SNOOZE_UNTIL.read(incoming.text or "", today)
    if isinstance(day, Stay):
        return day
    view = await ctx.services.alerting.snooze(ctx.actor, ctx.draft["alert"], ctx.draft["reason"], day)
    await ctx.services.notifier.refresh_alert(view)
    return Finish((Reply(_("Postponed until {date}. It will come back that morning.", date=format_date(day))),))


FLOW = Flow(
    name="alerts",
    command="alerts",
    title=N_("Alerts"),
    roles=frozenset({Role.POLICE}),
    first="pick",
    begin=begin,
    steps={
        "pick": picker("pick", lambda: _("Open alerts:"), alerts, on_alert, prefix="a"),
        "action": Step(prompt_action, on_action),
        "resolve": Step(prompt_resolve, on_resolve, free_text=True),
        "snooze_reason": Step(prompt_snooze_reason, on_snooze_reason, free_text=True),
        "snooze_until": Step(prompt_snooze_until, on_snooze_until, free_text=True),
    },
)


async def on_alert_button(ctx: StepContext, action: str, alert_id: int) -> Turn:
    """A button under an alert message: claim at once, or start closing / postponing it."""
    if ctx.actor.role is not Role.POLICE:
        return Turn((not_available(),), None)
    try:
        view = await ctx.services.alerting.view(ctx.actor, alert_id)
    except NotFound:
        return Turn((Reply(_("That button is no longer active. Send /help to see what you can do.")),), None)
    if view.alert.state == "resolved":
        return Turn((Reply(_("This alert is already closed.")),), None)
    ctx.draft.clear()
    ctx.draft["alert"] = alert_id
    if action == "claim":
        outcome = await on_action(ctx, Incoming(choice="claim"))
        return Turn(outcome.replies, None)
    return await engine.begin_at(FLOW, "resolve" if action == "resolve" else "snooze_reason", ctx)


# ---- /reminders ----------------------------------------------------------------------------

async def prompt_reminders(ctx: StepContext) -> Reply:
    on = ctx.actor.person.reminders
    state = _("on") if on else _("off")
    return Reply(_("Optional reminders (the day before your contact date) are {state}. Reminders of appointments "
                   "set by commune police always come.", state=state),
                 (Choice("on", _("Turn them on")), Choice("off", _("Turn them off"))))


async def on_reminders(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "on":
        return Goto("consent")
    await ctx.services.privacy.set_consent(ctx.actor, False)
    return Finish((Reply(_("Turned off, and your consent is withdrawn. Appointment reminders still come.")),))


async def prompt_consent(ctx: StepContext) -> Reply:
    return Reply(_("Before I send optional reminders, I need your consent. They use your contact dates from the "
                   "commune's file, only to remind you, and say nothing about your case. You can withdraw at any "
                   "time with /reminders. Do you agree?"),
                 (Choice("yes", _("I agree")), Choice("no", _("I do not agree"))))


async def on_consent(ctx: StepContext, incoming: Incoming):
    given = incoming.choice == "yes"
    await ctx.services.privacy.set_consent(ctx.actor, given)
    if given:
        return Finish((Reply(_("Thank you. Optional reminders are on; your consent is recorded.")),))
    return Finish((Reply(_("All right: no optional reminders. Appointment reminders still come.")),))


REMINDERS = Flow(
    name="reminders",
    command="reminders",
    title=N_("My reminders"),
    roles=frozenset({Role.RETURNEE}),
    first="choose",
    steps={"choose": Step(prompt_reminders, on_reminders), "consent": Step(prompt_consent, on_consent)},
)


# ---- /appointment --------------------------------------------------------------------------

async def enrolled(ctx: StepContext) -> list[Item]:
    rows = await ctx.services.supervision.roster(ctx.actor)
    return [Item(r.record.person_id, f"{r.record.full_name} · {r.record.village}", r.record.full_name) for r in rows]


async def on_person(ctx: StepContext, person_id: int):
    ctx.draft["person"] = person_id
    ctx.draft["name"] = next(i.name for i in await enrolled(ctx) if i.id == person_id)
    return Goto("day")


async def prompt_day(ctx: StepContext) -> Reply:
    return Reply(_("Which day? (dd/mm/yyyy)"))


async def on_day(ctx: StepContext, incoming: Incoming):
    today = ctx.services.supervision.today()
    day = APPOINTMENT_DAY.read(incoming.text or "", today)
    if isinstance(day, Stay):
        return day
    ctx.draft["day"] = day.isoformat()
    return Goto("hour")


async def prompt_hour(ctx: StepContext) -> Reply:
    return Reply(_("At what time? (for example 9:00 or 14:30)"))


async def on_hour(ctx: StepContext, incoming: Incoming):
    text = (incoming.text or "").replace("h", ":").replace(".", ":").strip()
    try:
        hours, _sep, minutes = text.partition(":")
        at = time(int(hours), int(minutes or 0))
    except ValueError:
        return Stay(_("Please type a time like 9:00 or 14:30."))
    ctx.draft["hour"] = at.strftime("%H:%M")
    return Goto("place")


async def prompt_place(ctx: StepContext) -> Reply:
    return Reply(_("Where? (optional)"), (Choice("office", _(OFFICE)), Choice("skip", _("Skip"))))


async def on_place(ctx: StepContext, incoming: Incoming):
    place = {"office": OFFICE, "skip": ""}.get(incoming.choice or "", (incoming.text or "")[:100])  # a key: translated when shown
    day = date.fromisoformat(ctx.draft["day"])
    at = datetime.combine(day, time.fromisoformat(ctx.draft["hour"]), ctx.services.settings.timezone)
    await ctx.services.supervision.set_appointment(ctx.actor, ctx.draft["person"], at, place)
    if await ctx.services.supervision.can_be_reminded(ctx.actor, ctx.draft["person"]):
        return Finish((Reply(_("Appointment with {name} on {when} saved. They will be reminded the day before.",
                               name=ctx.draft["name"], when=format_datetime(at))),))
    return Finish((Reply(_("Appointment with {name} on {when} saved. {name} has not joined the bot (or cannot get its "
                           "messages), so no reminder can be sent: please tell them yourself.",
                           name=ctx.draft["name"], when=format_datetime(at))),))


APPOINTMENT = Flow(
    name="appointment",
    command="appointment",
    title=N_("Set an appointment"),
    roles=frozenset({Role.POLICE}),
    first="person",
    steps={
        "person": picker("person", lambda: _("Appointment with whom?"), enrolled, on_person),
        "day": Step(prompt_day, on_day, free_text=True),
        "hour": Step(prompt_hour, on_hour, free_text=True),
        "place": Step(prompt_place, on_place, free_text=True),
    },
)
