"""/checkins — correct or withdraw a recent check-in.

A supervisor may change their own check-ins for 24 hours; after that, commune police do it
(police see the commune's check-ins of the last 30 days). Every change is audited.
"""

from __future__ import annotations

from bot.clock import format_date
from bot.dialog.types import Choice, Finish, Flow, Goto, Incoming, Reply, Stay, Step, StepContext
from bot.labels import CONTACT_LABELS, STATUS_LABELS
from bot.i18n import N_, _
from bot.models import Role, Status
from bot.services.access import NotFound, PermissionDenied
from bot.services.supervision import MAX_NOTE


async def begin(ctx: StepContext):
    if not await ctx.services.supervision.fixable_checkins(ctx.actor):
        if ctx.actor.role is Role.SUPERVISOR:
            return Finish((Reply(_("You have no check-ins from the last 24 hours. Older ones can be corrected by "
                                   "commune police.")),))
        return Finish((Reply(_("No check-ins from the last 30 days.")),))
    return None


async def prompt_pick(ctx: StepContext) -> Reply:
    items = await ctx.services.supervision.fixable_checkins(ctx.actor)
    choices = tuple(
        Choice(f"ci:{c.id}", f"{format_date(c.happened_on)} {r.full_name} · {_(STATUS_LABELS[c.status])}")
        for c, r in items
    )
    return Reply(_("Which check-in?"), choices)


async def on_pick(ctx: StepContext, incoming: Incoming):
    ctx.draft["checkin"] = int(incoming.choice.split(":", 1)[1])
    return Goto("action")


async def prompt_action(ctx: StepContext) -> Reply:
    return Reply(_("What do you want to change?"), (
        Choice("status", _("Change the status")), Choice("note", _("Change the note")),
        Choice("withdraw", _("Withdraw it")),
    ))


async def on_action(ctx: StepContext, incoming: Incoming):
    return Goto({"status": "status", "note": "note", "withdraw": "reason"}[incoming.choice])


async def prompt_status(ctx: StepContext) -> Reply:
    return Reply(_("The right status:"), tuple(Choice(f"st:{s.value}", _(label)) for s, label in STATUS_LABELS.items()))


def _corrected(checkin) -> str:
    return _("Done. The check-in of {date} ({contact}) now reads: {status}.", date=format_date(checkin.happened_on),
             contact=_(CONTACT_LABELS[checkin.contact]).lower(), status=_(STATUS_LABELS[checkin.status]).lower())


def _withdrawn(checkin) -> str:
    return _("Withdrawn: the check-in of {date} no longer counts.", date=format_date(checkin.happened_on))


async def _apply(ctx: StepContext, action, done=_corrected) -> Finish:
    """Run the change; say what it did, or why it could not be done."""
    try:
        checkin = await action
    except PermissionDenied:
        return Finish((Reply(_("More than 24 hours have passed: please ask commune police to change it.")),))
    except NotFound:
        return Finish((Reply(_("That check-in can no longer be changed.")),))
    return Finish((Reply(done(checkin)),))


async def on_status(ctx: StepContext, incoming: Incoming):
    status = Status(incoming.choice.split(":", 1)[1])
    return await _apply(ctx, ctx.services.supervision.correct_checkin(ctx.actor, ctx.draft["checkin"], status=status))


async def prompt_note(ctx: StepContext) -> Reply:
    return Reply(_("Type the new note (up to {max} characters).", max=MAX_NOTE))


async def on_note(ctx: StepContext, incoming: Incoming):
    note = (incoming.text or "").strip()
    if not note:
        return Stay(_("Please type the note."))
    return await _apply(ctx, ctx.services.supervision.correct_checkin(ctx.actor, ctx.draft["checkin"], note=note))


async def prompt_reason(ctx: StepContext) -> Reply:
    return Reply(_("Why withdraw it? (for example: wrong person, entered twice)"))


async def on_reason(ctx: StepContext, incoming: Incoming):
    reason = (incoming.text or "").strip()
    if len(reason) < 3:
        return Stay(_("Please give a short reason."))
    return await _apply(ctx, ctx.services.supervision.withdraw_checkin(ctx.actor, ctx.draft["checkin"], reason),
                        _withdrawn)


FLOW = Flow(
    name="checkins",
    command="checkins",
    title=N_("Correct a check-in"),
    roles=frozenset({Role.SUPERVISOR, Role.POLICE}),
    first="pick",
    begin=begin,
    steps={
        "pick": Step(prompt_pick, on_pick),
        "action": Step(prompt_action, on_action),
        "status": Step(prompt_status, on_status),
        "note": Step(prompt_note, on_note, free_text=True),
        "reason": Step(prompt_reason, on_reason, free_text=True),
    },
)
