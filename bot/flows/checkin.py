"""/checkin — a village supervisor records a visit or a call to one of their people.

The common case (home visit, stable, today, no note) is four taps: the person, the kind of
contact, the status, Save. The draft survives interruptions and restarts; Save stores it once
even if pressed twice. A photo or a location sent at the summary is attached.

```mermaid
stateDiagram-v2
    [*] --> person
    person --> contact: p:ID or typed name
    contact --> status: c:*
    status --> confirm: st:*
    confirm --> date: date
    date --> confirm
    confirm --> note: note
    note --> confirm
    confirm --> confirm: photo / location
    confirm --> [*]: save
```
"""

from __future__ import annotations

import uuid
from datetime import date

from bot.clock import format_date
from bot.dialog.types import Choice, Finish, Flow, Goto, Incoming, Reply, Stay, Step, StepContext
from bot.labels import CONTACT_LABELS, STATUS_LABELS
from bot.flows.pickers import Item, picker
from bot.flows.texts import next_contact_text
from bot.flows.dates import DateQuestion
from bot.i18n import N_, _
from bot.models import ALERTING_STATUSES, Contact, Role, Status
from bot.rules.cadence import DueState
from bot.services.access import NotFound
from bot.services.supervision import MAX_NOTE, CheckinInput


CONTACT_DAY = DateQuestion("past", refused=N_("That date is in the future. A check-in records a contact that has "
                                             "happened."))


async def my_people(ctx: StepContext) -> list[Item]:
    """The supervisor's people, read once per turn (a turn may check the list, take the answer from
    it and ask the next question)."""
    if "my_people" in ctx.memo:
        return ctx.memo["my_people"]
    rows = await ctx.services.supervision.my_people(ctx.actor)
    items = []
    for row in rows:
        flag = "⚠️ " if row.due.state is DueState.OVERDUE else ""
        items.append(Item(row.record.person_id, f"{flag}{row.record.full_name} · {row.record.village}", row.record.full_name))
    ctx.memo["my_people"] = items
    return items


async def begin(ctx: StepContext):
    if not await my_people(ctx):
        return Finish((Reply(_("No one is assigned to you yet. Commune police will assign the people you follow.")),))
    ctx.draft["key"] = uuid.uuid4().hex
    return None


async def on_person(ctx: StepContext, person_id: int):
    try:
        record = await ctx.services.supervision.checkin_record(ctx.actor, person_id)
    except NotFound:
        return Stay(_("That choice is no longer available. Please choose again."))
    ctx.draft.update(person_id=record.person_id, name=record.full_name)
    return Goto("contact")


async def prompt_contact(ctx: StepContext) -> Reply:
    choices = tuple(Choice(f"c:{c.value}", _(label)) for c, label in CONTACT_LABELS.items())
    return Reply(_("How did you contact {name}?", name=ctx.draft["name"]), choices)


async def on_contact(ctx: StepContext, incoming: Incoming):
    ctx.draft["contact"] = incoming.choice.split(":", 1)[1]
    return Goto("status")


async def prompt_status(ctx: StepContext) -> Reply:
    choices = tuple(Choice(f"st:{s.value}", _(label)) for s, label in STATUS_LABELS.items())
    return Reply(_("How is {name} doing?", name=ctx.draft["name"]), choices)


async def on_status(ctx: StepContext, incoming: Incoming):
    ctx.draft["status"] = incoming.choice.split(":", 1)[1]
    ctx.draft.setdefault("day", ctx.services.supervision.today().isoformat())
    return Goto("confirm")


def _summary(ctx: StepContext) -> str:
    d = ctx.draft
    lines = [
        _("Check-in to save:"),
        _("Person: {name}", name=d["name"]),
        _("Contact: {contact}", contact=_(CONTACT_LABELS[Contact(d["contact"])])),
        _("Status: {status}", status=_(STATUS_LABELS[Status(d["status"])])),
        _("Date: {date}", date=format_date(date.fromisoformat(d["day"]))),
        _("Note: {note}", note=d.get("note") or _("none")),
    ]
    if d.get("photo"):
        lines.append(_("Photo attached"))
    if d.get("lat") is not None:
        lines.append(_("Location attached"))
    if Status(d["status"]) in ALERTING_STATUSES:
        lines.append(_("Commune police will be alerted when you save. A short note helps them."))
    else:
        lines.append(_("You can also send a photo or your location before saving."))
    return "\n".join(lines)


async def prompt_confirm(ctx: StepContext) -> Reply:
    note_label = _("Change the note") if ctx.draft.get("note") else _("Add a note")
    return Reply(_summary(ctx), (Choice("save", _("✅ Save")), Choice("day", _("Change the date")),
                                 Choice("note", note_label)))


async def on_confirm(ctx: StepContext, incoming: Incoming):
    if incoming.photo is not None:
        ctx.draft["photo"] = incoming.photo
        return Goto("confirm", (Reply(_("Photo attached.")),))
    if incoming.location is not None:
        ctx.draft["lat"], ctx.draft["lon"] = incoming.location
        return Goto("confirm", (Reply(_("Location attached.")),))
    if incoming.choice == "day":
        return Goto("date")
    if incoming.choice == "note":
        return Goto("note")
    d = ctx.draft
    try:
        saved = await ctx.services.supervision.record_checkin(ctx.actor, CheckinInput(
            client_key=d["key"], person_id=d["person_id"], contact=Contact(d["contact"]), status=Status(d["status"]),
            happened_on=date.fromisoformat(d["day"]), note=d.get("note", ""), photo=d.get("photo"),
            latitude=d.get("lat"), longitude=d.get("lon"),
        ))
    except NotFound:
        return Finish((Reply(_("{name} is no longer on your list, so nothing was saved. Commune police can tell "
                               "you more.", name=d["name"])),))
    done = _("Saved: {contact} with {name} on {date}, {status}.",
             contact=_(CONTACT_LABELS[saved.checkin.contact]).lower(), name=saved.record.full_name,
             date=format_date(saved.checkin.happened_on), status=_(STATUS_LABELS[saved.checkin.status]).lower())
    replies = [Reply(done)]
    if saved.alert is not None:
        replies.append(Reply(_("Commune police have been alerted.")))
    rows = await ctx.services.supervision.my_people(ctx.actor)
    row = next((r for r in rows if r.record.person_id == saved.record.person_id), None)
    if row is not None:
        replies.append(Reply(_("Next contact with {name}: {due}.", name=row.record.full_name, due=next_contact_text(row.due))))
    return Finish(tuple(replies))


async def prompt_date(ctx: StepContext) -> Reply:
    return Reply(_("Which day was the contact? Type a date like 20/11, or choose:"),
                 (Choice("today", _("Today")), Choice("yesterday", _("Yesterday"))))


async def on_date(ctx: StepContext, incoming: Incoming):
    today = ctx.services.supervision.today()
    text = {"today": "hôm nay", "yesterday": "hôm qua"}.get(incoming.choice or "", incoming.text or "")
    day = CONTACT_DAY.read(text, today)
    if isinstance(day, Stay):
        return day
    ctx.draft["day"] = day.isoformat()
    return Goto("confirm")


async def prompt_note(ctx: StepContext) -> Reply:
    return Reply(_("Type the note (up to {max} characters).", max=MAX_NOTE), (Choice("none", _("No note")),))


async def on_note(ctx: StepContext, incoming: Incoming):
    ctx.draft["note"] = "" if incoming.choice == "none" else (incoming.text or "")[:MAX_NOTE]
    return Goto("confirm")


FLOW = Flow(
    name="checkin",
    command="checkin",
    title=N_("Record a visit or call"),
    roles=frozenset({Role.SUPERVISOR}),
    first="person",
    begin=begin,
    steps={
        "person": picker("person", lambda: _("Who did you visit or call?"), my_people, on_person),
        "contact": Step(prompt_contact, on_contact),
        "status": Step(prompt_status, on_status),
        "confirm": Step(prompt_confirm, on_confirm, media=True),
        "date": Step(prompt_date, on_date, free_text=True),
        "note": Step(prompt_note, on_note, free_text=True),
    },
)
