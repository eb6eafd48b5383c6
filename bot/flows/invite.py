"""/invite — commune police create a single-use code for a new member of their commune.

A code for a returnee is tied to their enrolled record; a code for a family member names the
relative whose shared details they may see.

```mermaid
stateDiagram-v2
    [*] --> role
    role --> name: supervisor, police
    role --> person: returnee
    role --> relative: family
    person --> [*]
    relative --> name
    name --> [*]: a name, or skip
```
"""

from __future__ import annotations

from bot.clock import format_date
from bot.dialog.types import Choice, Finish, Flow, Goto, Incoming, Reply, Stay, Step, StepContext
from bot.labels import role_label, upper_first
from bot.flows.pickers import Item, picker
from bot.i18n import N_, _
from bot.models import Role
from bot.services.accounts import INVITABLE_BY_POLICE, NewInvite

MAX_NAME = 100


def code_replies(invite: NewInvite) -> list[Reply]:
    text = _("Invite code for a {role}: {code}\nValid until {date}, for one person only.",
             role=role_label(invite.role), code=invite.code, date=format_date(invite.expires_at))
    if invite.deep_link:
        how = _("Send them this link, or ask them to open the bot and type the code:\n{link}", link=invite.deep_link)
    else:
        how = _("Ask them to open the bot and type: /start {code}", code=invite.code)
    return [Reply(text), Reply(how)]


async def prompt_role(ctx: StepContext) -> Reply:
    choices = tuple(Choice(f"role:{r.value}", upper_first(role_label(r))) for r in INVITABLE_BY_POLICE)
    return Reply(_("Who is the invite code for?"), choices)


async def on_role(ctx: StepContext, incoming: Incoming):
    role = Role(incoming.choice.split(":", 1)[1])
    ctx.draft["role"] = role.value
    if role in (Role.RETURNEE, Role.FAMILY):
        if not await enrolled(ctx):
            return Finish((Reply(_("Enrol the person first with /enrol; their code is tied to their record.")),))
        return Goto("person" if role is Role.RETURNEE else "relative")
    return Goto("name")


async def enrolled(ctx: StepContext) -> list[Item]:
    rows = await ctx.services.supervision.roster(ctx.actor)
    return [Item(r.record.person_id, f"{r.record.full_name} · {r.record.village}", r.record.full_name) for r in rows]


async def on_person(ctx: StepContext, person_id: int):
    name = next(i.name for i in await enrolled(ctx) if i.id == person_id)
    invite = await ctx.services.accounts.create_invite(
        role=Role.RETURNEE, commune_id=ctx.actor.person.commune_id, created_by=ctx.actor.person,
        full_name=name, person_id=person_id,
    )
    return Finish(tuple(code_replies(invite)))


async def on_relative(ctx: StepContext, person_id: int):
    ctx.draft["family_of"] = person_id
    return Goto("name")


async def prompt_name(ctx: StepContext) -> Reply:
    return Reply(
        _("Type the full name of the person this code is for, so you can recognise them later. "
          "Or press Skip."),
        (Choice("skip", _("Skip")),),
    )


async def on_name(ctx: StepContext, incoming: Incoming):
    name = "" if incoming.choice == "skip" else " ".join((incoming.text or "").split())
    if incoming.choice != "skip" and not 2 <= len(name) <= MAX_NAME:
        return Stay(_("A name should be between 2 and {max} characters.", max=MAX_NAME))
    actor = ctx.actor
    invite = await ctx.services.accounts.create_invite(
        role=Role(ctx.draft["role"]), commune_id=actor.person.commune_id, created_by=actor.person, full_name=name,
        family_of=ctx.draft.get("family_of"),
    )
    return Finish(tuple(code_replies(invite)))


FLOW = Flow(
    name="invite",
    command="invite",
    title=N_("Create an invite code"),
    roles=frozenset({Role.POLICE}),
    first="role",
    steps={
        "role": Step(prompt_role, on_role),
        "person": picker("person", lambda: _("Which enrolled person is the code for?"), enrolled, on_person),
        "relative": picker("relative", lambda: _("Whose family member is it?"), enrolled, on_relative),
        "name": Step(prompt_name, on_name, free_text=True),
    },
)
