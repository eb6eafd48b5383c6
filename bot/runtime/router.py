"""Route one event to the conversation engine: written once for every messenger.

A pressed button, a typed number and typed words are the same answer; commands work the same
everywhere; a group chat is answered only where a member has a question open there (or links it).
"""

from __future__ import annotations

from bot.dialog import engine
from bot.dialog.types import Incoming, Reply, StepContext, Turn
from bot.flows import alerts, basics
from bot.models import Messenger
from bot.runtime.events import EDITED, PROTECTED, Inbound
from bot.textnorm import clean_input

GROUP_COMMANDS = ("linkgroup",)


def parse_command(text: str) -> tuple[str, str] | None:
    """'/start ABC' → ('start', 'ABC'); '/help@HoaNhapBot' → ('help', ''); plain text → None."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, rest = text[1:].partition(" ")
    return head.split("@", 1)[0].lower(), rest.strip()


# Conversations that hold a half-typed record (a new person, a contact, an assessment, a
# correction): a command that would start another conversation asks to finish or /cancel first,
# so nothing typed is lost. Any other conversation is simply left for the command.
KEEP_UNTIL_DONE = {"enrol", "checkin", "assess", "checkins"}


async def command_in_dialog(registry: engine.Registry, state: str, ctx: StepContext, name: str) -> Turn:
    """A command sent mid-conversation: a stateless one is answered and the question asked again;
    one that starts another conversation starts it (saying which was left), unless that would lose
    a half-typed record."""
    flow = registry.flow_of(state)
    if flow is None:
        return Turn((basics.unknown_command(),), None)
    head: tuple[Reply, ...] = ()
    if name in registry.commands:
        head = tuple(await engine.run_command(registry.commands[name], ctx))
        notice = basics.busy(flow)
    elif name in registry.by_command and registry.by_command[name] not in registry.for_role(ctx.actor.role):
        notice = basics.not_for_you().text  # refused: the conversation in progress is kept
    elif name in registry.by_command and flow.name not in KEEP_UNTIL_DONE:
        started = await engine.begin(registry.by_command[name], ctx)
        return Turn((basics.left(flow), *started.replies), started.state)
    elif name in registry.by_command or name == "start":
        notice = basics.busy(flow)
    else:
        notice = basics.unknown_command().text
    again = await engine.reprompt(registry, state, ctx, notice)
    return Turn((*head, *again.replies), again.state)


async def start_item(registry: engine.Registry, name: str, ctx: StepContext) -> Turn:
    """A menu pick or a command outside a conversation: start the flow, or run the command."""
    if name in registry.flows:
        return await engine.begin(registry.flows[name], ctx)
    if name in registry.by_command:
        return await engine.begin(registry.by_command[name], ctx)
    if name in registry.commands:
        return Turn(tuple(await engine.run_command(registry.commands[name], ctx)), None)
    return Turn((basics.stale_button(),), None)


async def route(registry: engine.Registry, ctx: StepContext, state: str | None, event: Inbound) -> Turn:
    """The turn for ``event``, given the conversation's ``state`` (None: nothing in progress)."""
    if event.group:
        return await _in_group(registry, ctx, state, event)
    if event.kind == EDITED:
        return await _again(registry, state, ctx, basics.edited_message())
    if event.kind == PROTECTED:
        return await _again(registry, state, ctx, basics.protected_sender())
    if event.button is not None:
        return await _pressed(registry, ctx, state, event.button)
    if event.photo is not None or event.location is not None:
        if state:
            return await engine.advance(registry, state, ctx, Incoming(photo=event.photo, location=event.location))
        return Turn((basics.only_text(),), None)
    if event.text is None:
        return await _again(registry, state, ctx, basics.only_text())
    text = clean_input(event.text)
    command = parse_command(text)
    if command:
        name, arg = command
        if name == "cancel":
            ctx.draft.clear()
            return Turn((basics.cancelled() if state else basics.nothing_to_cancel(),), None)
        if state:
            return await command_in_dialog(registry, state, ctx, name)
        if name == "start":
            return await basics.joined(ctx, await basics.on_start(ctx, arg or None))
        if registry.knows(name):
            return await start_item(registry, name, ctx)
        return Turn((basics.unknown_command(),), None)
    if state:
        return await engine.advance(registry, state, ctx, Incoming(text=text))
    menu_pick = _menu_pick(ctx, text)
    if menu_pick is not None:
        return await start_item(registry, menu_pick.removeprefix("go:"), ctx)
    if text.strip(" .").isdigit():  # an answer to a question that is no longer open
        return Turn((basics.no_open_question(),), None)
    return await basics.on_idle_text(ctx, text)


async def resume(registry: engine.Registry, ctx: StepContext, state: str, event: Inbound) -> Turn:
    """The first message after a restart, to a question asked a while ago: a command, or a plain
    pick of one of the question's choices, is taken as usual; anything else gets the open question
    again, with its choices (it may not have been meant as the answer)."""
    text = clean_input(event.text or "")
    if parse_command(text) or event.photo is not None or event.location is not None:
        return await route(registry, ctx, state, event)
    if text and ctx.draft.get(engine.CHOICES):
        resolved, _problem = engine.resolve_choice(ctx, state, Incoming(text=text))
        if resolved is not None and resolved.choice is not None:
            return await route(registry, ctx, state, event)
    return await engine.reprompt(registry, state, ctx, basics.resumed().text)


async def _again(registry, state: str | None, ctx: StepContext, notice: Reply) -> Turn:
    """Say ``notice``; if a question is open, ask it again."""
    if state:
        return await engine.reprompt(registry, state, ctx, notice.text)
    return Turn((notice,), None)


async def _pressed(registry, ctx: StepContext, state: str | None, data: str) -> Turn:
    """A button: ``question|choice`` (``alert|claim:7`` for the buttons under an alert)."""
    question, _sep, choice = data.partition("|")
    if question == "alert":
        return await _alert_button(registry, ctx, state, choice)
    if state:
        return await engine.advance(registry, state, ctx, Incoming(choice=choice, state=question))
    if question == basics.MENU_STATE and choice.startswith("go:"):
        return await start_item(registry, choice.removeprefix("go:"), ctx)
    return Turn((basics.stale_button(),), None)


async def _alert_button(registry, ctx: StepContext, state: str | None, choice: str) -> Turn:
    """"Tôi xử lý" claims at once, even mid-conversation; closing or postponing asks a question,
    so it waits until the conversation in progress is finished."""
    action, _sep, number = choice.partition(":")
    if action not in ("claim", "resolve", "snooze") or not number.isdigit():
        return await _again(registry, state, ctx, basics.stale_button())
    if not state:
        return await alerts.on_alert_button(ctx, action, int(number))
    if action == "claim":
        claimed = await alerts.on_alert_button(StepContext(ctx.services, ctx.actor, {}), action, int(number))
        return await engine.reprompt(registry, state, ctx, claimed.replies[0].text)
    flow = registry.flow_of(state)
    if flow is None:
        return Turn((basics.stale_button(),), None)
    return await engine.reprompt(registry, state, ctx, basics.busy(flow))


async def _in_group(registry, ctx: StepContext, state: str | None, event: Inbound) -> Turn:
    """In a group, the bot speaks only when spoken to: /linkgroup, an alert's buttons, and the
    answer to a question it asked that member there. Everything else is the group's own talk."""
    if event.button is not None:
        question, _sep, choice = event.button.partition("|")
        if question == "alert" or state:
            return await _pressed(registry, ctx, state, event.button)
        return Turn((), state)
    command = parse_command(clean_input(event.text or ""))
    if command and command[0] in GROUP_COMMANDS:
        linked = await ctx.services.accounts.link_group(ctx.actor, Messenger(event.channel), event.chat_id)
        return Turn((basics.group_linked() if linked else basics.not_for_you(),), state)
    if command and command[0] == "cancel" and state:
        ctx.draft.clear()
        return Turn((basics.cancelled(),), None)
    if state and event.text is not None and not command:
        return await engine.advance(registry, state, ctx, Incoming(text=clean_input(event.text)))
    return Turn((), state)


def _menu_pick(ctx: StepContext, text: str) -> str | None:
    menu = ctx.draft.get("_menu")
    if not menu:
        return None
    probe = StepContext(ctx.services, ctx.actor, {engine.CHOICES: menu})
    resolved, _problem = engine.resolve_choice(probe, basics.MENU_STATE, Incoming(text=text))
    return resolved.choice if resolved is not None else None
