"""/invite — commune police create a single-use code for a new member of their commune.

```mermaid
stateDiagram-v2
    [*] --> role
    role --> name: role:*
    name --> [*]: a name, or skip
```
"""

from __future__ import annotations

from bot.clock import format_date
from bot.dialog.types import Choice, Finish, Flow, Goto, Incoming, Reply, Stay, Step, StepContext
from bot.flows.labels import role_label
from bot.i18n import N_, _
from bot.models import Role
from bot.services.accounts import INVITABLE_BY_POLICE

MAX_NAME = 100


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


async def prompt_role(ctx: StepContext) -> Reply:
    choices = tuple(Choice(f"role:{r.value}", _upper_first(role_label(r))) for r in INVITABLE_BY_POLICE)
    return Reply(_("Who is the invite code for?"), choices)


async def on_role(ctx: StepContext, incoming: Incoming) -> Goto:
    ctx.draft["role"] = incoming.choice.split(":", 1)[1]
    return Goto("name")


async def prompt_name(ctx: StepContext) -> Reply:
    return Reply(
        _("Type the full name of the person this code is for, so you can recognise them later. "
          "Or press Skip."),
        (Choice("skip", _("Skip")),),
    )


async def on_name(ctx: StepContext, incoming: Incoming) -> Finish | Stay:
    name = "" if incoming.choice == "skip" else " ".join((incoming.text or "").split())
    if incoming.choice != "skip" and not 2 <= len(name) <= MAX_NAME:
        return Stay(_("A name should be between 2 and {max} characters.", max=MAX_NAME))
    actor = ctx.actor
    invite = await ctx.services.accounts.create_invite(
        role=Role(ctx.draft["role"]), commune_id=actor.person.commune_id, created_by=actor.person, full_name=name,
    )
    text = _("Invite code for a {role}: {code}\nValid until {date}, for one person only.",
             role=role_label(invite.role), code=invite.code, date=format_date(invite.expires_at))
    if invite.deep_link:
        how = _("Send them this link, or ask them to open the bot and type the code:\n{link}", link=invite.deep_link)
    else:
        how = _("Ask them to open the bot and type: /start {code}", code=invite.code)
    return Finish((Reply(text), Reply(how)))


FLOW = Flow(
    name="invite",
    command="invite",
    title=N_("Create an invite code"),
    roles=frozenset({Role.POLICE}),
    first="role",
    steps={"role": Step(prompt_role, on_role), "name": Step(prompt_name, on_name, free_text=True)},
)
