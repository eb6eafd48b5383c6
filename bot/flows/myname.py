"""/myname — the name colleagues and the people someone helps see (asked at once when an invite
code was made without one, so no notice ever reads "  is handling it")."""

from __future__ import annotations

from bot.dialog.types import Finish, Flow, Incoming, Reply, Stay, Step, StepContext
from bot.i18n import N_, _
from bot.models import Role


async def prompt_name(ctx: StepContext) -> Reply:
    return Reply(_("What is your full name? Colleagues and the people you work with will see it."))


async def on_name(ctx: StepContext, incoming: Incoming):
    name = " ".join((incoming.text or "").split())
    if not 2 <= len(name) <= 80 or not any(c.isalpha() for c in name) or name.startswith("/"):
        return Stay(_("Please type your full name, for example Hoàng Văn Minh."))
    await ctx.services.accounts.set_name(ctx.actor, name)
    ctx.actor = await ctx.services.accounts.identify(ctx.actor.messenger, ctx.actor.external_id, ctx.actor.chat_id)
    from bot.flows.basics import main_menu

    return Finish((Reply(_("Thank you, {name}.", name=name)), main_menu(ctx)))


FLOW = Flow(
    name="myname",
    command="myname",
    title=N_("My name"),
    roles=frozenset(Role),
    first="name",
    steps={"name": Step(prompt_name, on_name, free_text=True)},
    menu_roles=frozenset(),
)
