"""/people — commune police: the roster (filtered), a person's card, and what to do with it.

From the card: assign or change the supervisor, edit a field (with a reason), close the record
(with a reason and a date), create the person's invite code. Every card shown is audited.

```mermaid
stateDiagram-v2
    [*] --> filter
    filter --> list: all / overdue
    filter --> by_category --> list
    filter --> by_village --> list
    filter --> by_supervisor --> list
    list --> card
    card --> assign --> card
    card --> edit_field --> edit_value --> edit_reason --> card
    card --> close_reason --> close_date --> close_note --> card
    card --> card: invite code
    card --> list: back
```
"""

from __future__ import annotations

from datetime import date

from bot.dialog.types import Choice, Finish, Flow, Goto, Incoming, Reply, Stay, Step, StepContext
from bot.flows.enrol import invite_for_person, supervisor_choices
from bot.labels import CATEGORY_LABELS, CLOSE_LABELS, role_label, upper_first
from bot.flows.pickers import Item, picker
from bot.flows.texts import card_text
from bot.flows.dates import DateQuestion
from bot.flows.enrol import phone_problem, RECORD_DATE, RECORD_DATES
from bot.rules.phones import normalise_phone
from bot.i18n import N_, _
from bot.labels import choose_an_option
from bot.models import Category, CloseReason, Role
from bot.rules.cadence import DueState
from bot.rules.dates import parse_term
from bot.services.access import NotFound, PermissionDenied

EDITABLE = {
    "full_name": N_("Full name"),
    "date_of_birth": N_("Date of birth"),
    "village": N_("Village"),
    "penalty_months": N_("Term"),
    "release_date": N_("Release date"),
    "probation_start": N_("Start of probation"),
    "probation_end": N_("End of probation"),
    "family_name": N_("Family contact"),
    "family_phone": N_("Family phone"),
    "note": N_("Note"),
    "cadence_rule": N_("Contact cadence"),
}
CADENCES = {
    "default": N_("The category's usual cadence"),
    "window:1:5": N_("Monthly, in the first 5 days"),
    "interval:1:7": N_("Every month after the last contact"),
    "interval:3:14": N_("Every 3 months after the last contact"),
}


async def prompt_filter(ctx: StepContext) -> Reply:
    return Reply(_("Which people?"), (
        Choice("all", _("Everyone")), Choice("overdue", _("Overdue contacts")), Choice("category", _("By category")),
        Choice("village", _("By village")), Choice("supervisor", _("By supervisor")),
    ))


async def on_filter(ctx: StepContext, incoming: Incoming):
    ctx.draft["filter"] = {"kind": incoming.choice}
    if incoming.choice in ("all", "overdue"):
        return await _to_list(ctx)
    return Goto(f"by_{incoming.choice}")


async def _to_list(ctx: StepContext):
    if not await listed(ctx):
        return Stay(_("No one matches. Choose another filter, or enrol someone with /enrol."))
    return Goto("list")


async def prompt_by_category(ctx: StepContext) -> Reply:
    return Reply(_("Category?"), tuple(Choice(f"cat:{c.value}", upper_first(_(l))) for c, l in CATEGORY_LABELS.items()))


async def on_by_category(ctx: StepContext, incoming: Incoming):
    ctx.draft["filter"]["value"] = incoming.choice.split(":", 1)[1]
    return await _to_list(ctx)


async def prompt_by_village(ctx: StepContext) -> Reply:
    villages = await ctx.services.supervision.villages(ctx.actor)
    ctx.draft["_villages"] = villages[:20]
    return Reply(_("Which village?"), tuple(Choice(f"v:{n}", v) for n, v in enumerate(villages[:20])))


async def on_by_village(ctx: StepContext, incoming: Incoming):
    ctx.draft["filter"]["value"] = ctx.draft["_villages"][int(incoming.choice.split(":", 1)[1])]
    return await _to_list(ctx)


async def prompt_by_supervisor(ctx: StepContext) -> Reply:
    return Reply(_("Which supervisor?"), await supervisor_choices(ctx))


async def on_by_supervisor(ctx: StepContext, incoming: Incoming):
    ctx.draft["filter"]["value"] = int(incoming.choice.split(":", 1)[1])
    return await _to_list(ctx)


async def _rows(ctx: StepContext):
    f = ctx.draft.get("filter") or {"kind": "all"}
    kind, value = f["kind"], f.get("value")
    return await ctx.services.supervision.roster(
        ctx.actor,
        overdue_only=kind == "overdue",
        category=Category(value) if kind == "category" else None,
        village=value if kind == "village" else None,
        supervisor_id=value if kind == "supervisor" else None,
    )


async def listed(ctx: StepContext) -> list[Item]:
    items = []
    for row in await _rows(ctx):
        flag = "⚠️ " if row.due.state is DueState.OVERDUE else ""
        items.append(Item(row.record.person_id, f"{flag}{row.record.full_name} · {row.record.village}",
                          row.record.full_name))
    return items


async def on_listed(ctx: StepContext, person_id: int):
    ctx.draft["person_id"] = person_id
    return Goto("card")


def _list_question() -> str:
    return _("Choose a person to see their card.")


async def prompt_card(ctx: StepContext) -> Reply:
    card = await ctx.services.supervision.card(ctx.actor, ctx.draft["person_id"])
    ctx.draft["name"] = card.record.full_name
    choices = [Choice("assign", _("Change supervisor") if card.supervisor else _("Assign a supervisor")),
               Choice("edit", _("Edit the record")), Choice("invite", _("Invite code for this person"))]
    if card.record.open:
        choices.append(Choice("close", _("Close the record")))
    choices.append(Choice("back", _("◀ Back to the list")))
    return Reply(card_text(card), tuple(choices))


async def on_card(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "back":
        return Goto("list")
    if incoming.choice == "invite":
        replies = await invite_for_person(ctx, ctx.draft["person_id"], ctx.draft["name"])
        return Finish(tuple(replies))
    if incoming.choice == "assign" and not await ctx.services.supervision.supervisors(ctx.actor):
        return Stay(_("There is no village supervisor in the commune yet: invite one with /invite."))
    return Goto({"assign": "assign", "edit": "edit_field", "close": "close_reason"}[incoming.choice])


async def prompt_assign(ctx: StepContext) -> Reply:
    return Reply(_("Who will supervise {name}?", name=ctx.draft["name"]), await supervisor_choices(ctx))


async def on_assign(ctx: StepContext, incoming: Incoming):
    try:
        _record, supervisor = await ctx.services.supervision.assign(
            ctx.actor, ctx.draft["person_id"], int(incoming.choice.split(":", 1)[1]))
    except (NotFound, PermissionDenied):
        return Stay(_("That choice is no longer available. Please choose again."))
    return Goto("card", (Reply(_("{supervisor} now supervises {name} and has been told.",
                                 supervisor=supervisor.full_name or role_label(Role.SUPERVISOR),
                                 name=ctx.draft["name"])),))


async def prompt_edit_field(ctx: StepContext) -> Reply:
    return Reply(_("Which field?"), tuple(Choice(f"f:{k}", _(v)) for k, v in EDITABLE.items()))


async def on_edit_field(ctx: StepContext, incoming: Incoming):
    ctx.draft["field"] = incoming.choice.split(":", 1)[1]
    return Goto("edit_value")


async def prompt_edit_value(ctx: StepContext) -> Reply:
    field = ctx.draft["field"]
    if field == "cadence_rule":
        return Reply(_("How often should {name} be contacted?", name=ctx.draft["name"]),
                     tuple(Choice(f"cad:{k}", _(v)) for k, v in CADENCES.items()))
    return Reply(_("New value for “{field}”:", field=_(EDITABLE[field])))


def _parse_value(ctx: StepContext, field: str, incoming: Incoming):
    """(value, None) or (None, problem)."""
    text = " ".join((incoming.text or "").split())
    today = ctx.services.supervision.today()
    if field == "cadence_rule":
        rule = incoming.choice.split(":", 1)[1] if incoming.choice else ""
        return (None if rule == "default" else rule), None
    if field in ("date_of_birth", "release_date", "probation_start", "probation_end"):
        day = RECORD_DATES.get(field, RECORD_DATE).read(text, today)
        return (None, day.problem) if isinstance(day, Stay) else (day, None)
    if field == "penalty_months":
        months = parse_term(text)
        return (months, None) if months else (None, _("Please type the term in years and months, for example "
                                                      "“2 năm 6 tháng” or “18 tháng”."))
    if field == "family_phone":
        phone = normalise_phone(text)
        return (phone, None) if phone else (None, phone_problem())
    limit = 500 if field == "note" else 100
    if len(text) < (0 if field == "note" else 2):
        return None, _("Please type the new value.")
    return text[:limit], None


async def on_edit_value(ctx: StepContext, incoming: Incoming):
    if ctx.draft["field"] == "cadence_rule" and not incoming.choice:
        return Stay(choose_an_option(ctx.actor.messenger).text)
    value, problem = _parse_value(ctx, ctx.draft["field"], incoming)
    if problem:
        return Stay(problem)
    ctx.draft["value"] = value.isoformat() if isinstance(value, date) else value
    return Goto("edit_reason")


async def prompt_edit_reason(ctx: StepContext) -> Reply:
    return Reply(_("Why the change? (kept in the record's history)"))


async def on_edit_reason(ctx: StepContext, incoming: Incoming):
    reason = " ".join((incoming.text or "").split())
    if len(reason) < 3:
        return Stay(_("Please give a short reason."))
    field, value = ctx.draft["field"], ctx.draft["value"]
    if field in ("date_of_birth", "release_date", "probation_start", "probation_end") and value:
        value = date.fromisoformat(value)
    await ctx.services.supervision.update(ctx.actor, ctx.draft["person_id"], {field: value}, reason)
    return Goto("card", (Reply(_("Saved.")),))


async def prompt_close_reason(ctx: StepContext) -> Reply:
    return Reply(_("Why does management of {name} end?", name=ctx.draft["name"]),
                 tuple(Choice(f"r:{r.value}", _(l)) for r, l in CLOSE_LABELS.items()))


async def on_close_reason(ctx: StepContext, incoming: Incoming):
    ctx.draft["close_reason"] = incoming.choice.split(":", 1)[1]
    return Goto("close_date")


async def prompt_close_date(ctx: StepContext) -> Reply:
    return Reply(_("From which date? Type it, or choose:"), (Choice("today", _("Today")),))


CLOSING_DATE = DateQuestion("past", refused=N_("A record is closed on a day that has come: type today or an "
                                              "earlier date."))


async def on_close_date(ctx: StepContext, incoming: Incoming):
    text = "hôm nay" if incoming.choice == "today" else (incoming.text or "")
    day = CLOSING_DATE.read(text, ctx.services.supervision.today())
    if isinstance(day, Stay):
        return day
    ctx.draft["close_date"] = day.isoformat()
    return Goto("close_note")


async def prompt_close_note(ctx: StepContext) -> Reply:
    return Reply(_("A note (for example the number of the expungement certificate or the new address)?"),
                 (Choice("skip", _("Skip")),))


async def on_close_note(ctx: StepContext, incoming: Incoming):
    note = "" if incoming.choice == "skip" else (incoming.text or "")[:500]
    record = await ctx.services.supervision.close(
        ctx.actor, ctx.draft["person_id"], CloseReason(ctx.draft["close_reason"]),
        date.fromisoformat(ctx.draft["close_date"]), note)
    return Finish((Reply(_("The record of {name} is closed. It stays in the history; nothing is due any more.",
                           name=record.full_name)),))


FLOW = Flow(
    name="people",
    command="people",
    title=N_("People of the commune"),
    roles=frozenset({Role.POLICE}),
    first="filter",
    steps={
        "filter": Step(prompt_filter, on_filter),
        "by_category": Step(prompt_by_category, on_by_category),
        "by_village": Step(prompt_by_village, on_by_village),
        "by_supervisor": Step(prompt_by_supervisor, on_by_supervisor),
        "list": picker("list", _list_question, listed, on_listed),
        "card": Step(prompt_card, on_card),
        "assign": Step(prompt_assign, on_assign),
        "edit_field": Step(prompt_edit_field, on_edit_field),
        "edit_value": Step(prompt_edit_value, on_edit_value, free_text=True),
        "edit_reason": Step(prompt_edit_reason, on_edit_reason, free_text=True),
        "close_reason": Step(prompt_close_reason, on_close_reason),
        "close_date": Step(prompt_close_date, on_close_date, free_text=True),
        "close_note": Step(prompt_close_note, on_close_note, free_text=True),
    },
)
