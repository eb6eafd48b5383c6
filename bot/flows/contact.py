"""Talk to a person. /contact: a returnee writes to their supporter and commune police.
/requests: staff read the open requests, answer (the answer reaches the person), close them."""

from __future__ import annotations

from bot.clock import format_datetime
from bot.dialog.types import Choice, Finish, Flow, Goto, Incoming, Reply, Stay, Step, StepContext
from bot.i18n import N_, _
from bot.models import Role
from bot.services.access import NotFound
from bot.services.handoff import MAX_MESSAGE


async def prompt_message(ctx: StepContext) -> Reply:
    return Reply(_("Write your message to your supporter and the commune police. They will answer here."))


async def on_message(ctx: StepContext, incoming: Incoming):
    text = (incoming.text or "").strip()
    if len(text) < 2:
        return Stay(_("Please write a few words."))
    told = await ctx.services.handoff.ask_for_help(ctx.actor, text, ctx.draft.get("topic", ""))
    names = ", ".join(p.full_name for p in told if p.full_name) or _("the commune police")
    return Finish((Reply(_("Sent to {names}. Their answer will come here.", names=names)),))


MESSAGE = Step(prompt_message, on_message, free_text=True)

CONTACT = Flow(
    name="contact",
    command="contact",
    title=N_("Talk to a person"),
    roles=frozenset({Role.RETURNEE}),
    first="message",
    steps={"message": MESSAGE},
)


async def requests_begin(ctx: StepContext):
    if not await ctx.services.handoff.open_threads(ctx.actor):
        return Finish((Reply(_("No open requests.")),))
    return None


async def prompt_pick(ctx: StepContext) -> Reply:
    threads = await ctx.services.handoff.open_threads(ctx.actor)
    return Reply(_("Open requests:"), tuple(
        Choice(f"t:{t.id}", f"{p.full_name} · {format_datetime(t.opened_at)}") for t, p in threads))


async def on_pick(ctx: StepContext, incoming: Incoming):
    ctx.draft["thread"] = int(incoming.choice.split(":", 1)[1])
    return Goto("thread")


async def prompt_thread(ctx: StepContext) -> Reply:
    view = await ctx.services.handoff.view(ctx.actor, ctx.draft["thread"])
    lines = [_("Request from {name}:", name=view.person.full_name)]
    for message, author in view.messages[-10:]:
        who = author.full_name if author else "?"
        lines.append(f"[{format_datetime(message.created_at)}] {who}: {message.body}")
    return Reply("\n".join(lines), (Choice("answer", _("Answer")), Choice("close", _("Mark as done")),
                                    Choice("back", _("◀ Back to the list"))))


async def on_thread(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "back":
        return Goto("pick")
    if incoming.choice == "close":
        await ctx.services.handoff.close(ctx.actor, ctx.draft["thread"])
        return Finish((Reply(_("Marked as done. The conversation is kept on the person's file.")),))
    return Goto("answer")


async def prompt_answer(ctx: StepContext) -> Reply:
    return Reply(_("Type your answer (up to {max} characters).", max=MAX_MESSAGE))


async def on_answer(ctx: StepContext, incoming: Incoming):
    text = (incoming.text or "").strip()
    if len(text) < 2:
        return Stay(_("Please write a few words."))
    try:
        person = await ctx.services.handoff.answer(ctx.actor, ctx.draft["thread"], text)
    except NotFound:
        return Finish((Reply(_("That request is no longer open to you.")),))
    return Finish((Reply(_("Sent to {name}.", name=person.full_name)),))


REQUESTS = Flow(
    name="requests",
    command="requests",
    title=N_("Requests for help"),
    roles=frozenset({Role.POLICE, Role.SUPERVISOR}),
    first="pick",
    begin=requests_begin,
    steps={"pick": Step(prompt_pick, on_pick), "thread": Step(prompt_thread, on_thread),
           "answer": Step(prompt_answer, on_answer, free_text=True)},
)
