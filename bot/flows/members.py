"""/members — police see who uses the bot in their commune and take access away: end a person's
use of the bot (a supervisor's people handed to someone else first), unlink one messenger account
(a lost phone), cancel an invite code nobody has used.

```mermaid
stateDiagram-v2
    [*] --> what
    what --> member: people
    what --> invite: unused codes
    member --> card
    card --> handover: end access (a supervisor with people)
    card --> end: end access
    handover --> end
    card --> unlink: unlink an account
    end --> [*]
    unlink --> [*]
    invite --> cancel --> [*]
```
"""

from __future__ import annotations

from bot.clock import format_date
from bot.dialog.types import Choice, Finish, Flow, Goto, Incoming, Reply, Step, StepContext
from bot.flows.pickers import Item, picker
from bot.i18n import N_, _, _n
from bot.labels import messenger_label, role_label, upper_first
from bot.models import Messenger, Role
from bot.services.access import NotFound, PermissionDenied


def _back() -> Choice:
    return Choice("back", _("◀ Back to the list"))


async def prompt_what(ctx: StepContext) -> Reply:
    invites = await ctx.services.members.unused_invites(ctx.actor)
    return Reply(_("Who uses the assistant in your commune, and unused invite codes:"),
                 (Choice("people", _("People using the assistant")),
                  Choice("invites", _n("{count} unused invite code", "{count} unused invite codes", len(invites)))))


async def on_what(ctx: StepContext, incoming: Incoming):
    return Goto("member" if incoming.choice == "people" else "invite")


async def members(ctx: StepContext) -> list[Item]:
    return [Item(m.person.id, f"{m.person.full_name or '?'} · {role_label(m.person.role)}", m.person.full_name)
            for m in await ctx.services.members.members(ctx.actor)]


async def on_member(ctx: StepContext, person_id: int):
    ctx.draft["person_id"] = person_id
    return Goto("card")


async def _chosen(ctx: StepContext):
    return next((m for m in await ctx.services.members.members(ctx.actor) if m.person.id == ctx.draft["person_id"]),
                None)


async def prompt_card(ctx: StepContext) -> Reply:
    member = await _chosen(ctx)
    if member is None:
        return Reply(_("This person no longer uses the assistant."), (_back(),))
    lines = [f"{member.person.full_name or '?'} — {role_label(member.person.role)}",
             _("Accounts: {accounts}", accounts=", ".join(messenger_label(i.messenger) for i in member.accounts))]
    if member.person.role is Role.SUPERVISOR:
        lines.append(_n("Supervises {count} person", "Supervises {count} people", member.follows))
    choices = [] if member.person.id == ctx.actor.person.id else [Choice("end", _("End their access"))]
    choices += [Choice(f"unlink:{i.messenger.value}", _("Unlink the {messenger} account",
                                                        messenger=messenger_label(i.messenger)))
                for i in member.accounts if len(member.accounts) > 1 or member.person.id != ctx.actor.person.id]
    return Reply("\n".join(lines), (*choices, _back()))


async def on_card(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "back":
        return Goto("member")
    member = await _chosen(ctx)
    if member is None:
        return Goto("member")
    if incoming.choice == "end":
        others = [m for m in await ctx.services.members.members(ctx.actor)
                  if m.person.role is Role.SUPERVISOR and m.person.id != member.person.id]
        if member.person.role is Role.SUPERVISOR and member.follows and others:
            return Goto("handover")
        return Goto("end")
    ctx.draft["messenger"] = incoming.choice.split(":", 1)[1]
    return Goto("unlink")


async def prompt_handover(ctx: StepContext) -> Reply:
    member = await _chosen(ctx)
    others = [m for m in await ctx.services.members.members(ctx.actor)
              if m.person.role is Role.SUPERVISOR and m.person.id != ctx.draft["person_id"]]
    return Reply(_("Who takes over the {count} people {name} supervises?", count=member.follows if member else 0,
                   name=member.person.full_name if member else "?"),
                 (*(Choice(f"sup:{m.person.id}", m.person.full_name or "?") for m in others),
                  Choice("later", _("No one yet: assign them later in /people"))))


async def on_handover(ctx: StepContext, incoming: Incoming):
    ctx.draft["hand_to"] = int(incoming.choice.split(":", 1)[1]) if incoming.choice.startswith("sup:") else None
    return Goto("end")


async def prompt_end(ctx: StepContext) -> Reply:
    member = await _chosen(ctx)
    name = member.person.full_name if member else "?"
    return Reply(_("End {name}'s use of the assistant? They will be told, and can only come back with a new code "
                   "from you.", name=name), (Choice("yes", _("End access")), Choice("no", _("No"))))


async def on_end(ctx: StepContext, incoming: Incoming):
    if incoming.choice != "yes":
        return Finish((Reply(_("Nothing was changed.")),))
    try:
        person = await ctx.services.members.deactivate(ctx.actor, ctx.draft["person_id"],
                                                       hand_to=ctx.draft.get("hand_to"))
    except (NotFound, PermissionDenied):
        return Finish((Reply(_("This person no longer uses the assistant.")),))
    return Finish((Reply(_("{name} no longer has access to the assistant and has been told.",
                           name=person.full_name or "?")),))


async def prompt_unlink(ctx: StepContext) -> Reply:
    member = await _chosen(ctx)
    return Reply(_("Unlink the {messenger} account of {name}? Their other accounts keep working.",
                   messenger=messenger_label(Messenger(ctx.draft["messenger"])),
                   name=member.person.full_name if member else "?"),
                 (Choice("yes", _("Unlink")), Choice("no", _("No"))))


async def on_unlink(ctx: StepContext, incoming: Incoming):
    if incoming.choice != "yes":
        return Finish((Reply(_("Nothing was changed.")),))
    messenger = Messenger(ctx.draft["messenger"])
    try:
        person = await ctx.services.members.unlink(ctx.actor, ctx.draft["person_id"], messenger)
    except (NotFound, PermissionDenied):
        return Finish((Reply(_("This person no longer uses the assistant.")),))
    return Finish((Reply(_("The {messenger} account of {name} is no longer linked.", messenger=messenger_label(messenger),
                           name=person.full_name or "?")),))


async def invites(ctx: StepContext) -> list[Item]:
    return [Item(i.id, _("{role} · {name} · until {date}", role=upper_first(role_label(i.role)),
                         name=i.full_name or "—", date=format_date(i.expires_at)), i.full_name)
            for i in await ctx.services.members.unused_invites(ctx.actor)]


async def on_invite(ctx: StepContext, invite_id: int):
    ctx.draft["invite_id"] = invite_id
    return Goto("cancel")


async def prompt_cancel(ctx: StepContext) -> Reply:
    return Reply(_("Cancel this code? Nobody will be able to use it."),
                 (Choice("yes", _("Cancel the code")), Choice("no", _("No"))))


async def on_cancel(ctx: StepContext, incoming: Incoming):
    if incoming.choice != "yes":
        return Finish((Reply(_("Nothing was changed.")),))
    if await ctx.services.members.cancel_invite(ctx.actor, ctx.draft["invite_id"]):
        return Finish((Reply(_("The code is cancelled.")),))
    return Finish((Reply(_("That code was used or cancelled meanwhile.")),))


FLOW = Flow(
    name="members",
    command="members",
    title=N_("People using the assistant"),
    roles=frozenset({Role.POLICE}),
    first="what",
    menu_roles=frozenset(),  # in /help, not among the big buttons
    steps={
        "what": Step(prompt_what, on_what),
        "member": picker("member", lambda: _("Whose access?"), members, on_member),
        "card": Step(prompt_card, on_card),
        "handover": Step(prompt_handover, on_handover),
        "end": Step(prompt_end, on_end),
        "unlink": Step(prompt_unlink, on_unlink),
        "invite": picker("invite", lambda: _("Which code?"), invites, on_invite, prefix="inv"),
        "cancel": Step(prompt_cancel, on_cancel),
    },
)
