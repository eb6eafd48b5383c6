"""Drive conversations on text-only channels (console, Zalo): state in SQLite, choices numbered.

Telegram uses python-telegram-bot's ConversationHandler for the same steps (see ``handlers/``);
this runner gives the console and Zalo the same behaviour: the same commands, the same answers
to garbage, and a conversation that survives a restart.
"""

from __future__ import annotations

from bot.dialog import engine
from bot.dialog.types import Incoming, Reply, StepContext, Turn
from bot.flows import basics
from bot.services.accounts import Actor
from bot.storage.repos import Dialogs
from bot.textnorm import clean_input


def parse_command(text: str) -> tuple[str, str] | None:
    """'/start ABC' → ('start', 'ABC'); '/help@HoaNhapBot' → ('help', ''); plain text → None."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, rest = text[1:].partition(" ")
    return head.split("@", 1)[0].lower(), rest.strip()


async def command_in_dialog(registry: engine.Registry, state: str, ctx: StepContext, name: str) -> Turn:
    """A command sent mid-conversation: answer stateless ones, refuse the rest, ask again."""
    flow = registry.flow_of(state)
    head: tuple[Reply, ...] = ()
    if name in registry.commands:
        head = tuple(await engine.run_command(registry.commands[name], ctx))
        notice = basics.busy(flow)
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


class TextRunner:
    def __init__(self, services, channel: str) -> None:
        self.services = services
        self.channel = channel

    async def _load(self, actor: Actor) -> tuple[str | None, dict]:
        async with self.services.db.reading() as conn:
            return await Dialogs.get(conn, self.channel, actor.chat_id)

    async def _save(self, actor: Actor, state: str | None, draft: dict) -> None:
        async with self.services.db.transaction() as tx:
            await Dialogs.put(tx, self.channel, actor.chat_id, state, draft, self.services.clock.now())

    async def handle(self, actor: Actor, text: str | None, *, photo: str | None = None,
                     location: tuple[float, float] | None = None) -> list[Reply]:
        """One incoming message: text, a photo or a location (``text=None`` for anything else)."""
        state, draft = await self._load(actor)
        ctx = StepContext(self.services, actor, draft)
        turn = await self._turn(ctx, state, text, photo, location)
        saved = dict(ctx.draft) if turn.state else {}
        if turn.state is None:  # remember the menu so "2" picks its second entry
            menus = [r for r in turn.replies if r.state == basics.MENU_STATE]
            if menus:
                saved = {"_menu": [[c.id, c.label] for c in menus[-1].choices]}
        await self._save(ctx.actor, turn.state, saved)
        await self.services.notifier.kick()  # notices this turn queued (e.g. to a supervisor)
        return list(turn.replies)

    async def _turn(self, ctx: StepContext, state: str | None, text: str | None, photo, location) -> Turn:
        registry = self.services.flows
        if photo is not None or location is not None:
            if state:
                return await engine.advance(registry, state, ctx, Incoming(photo=photo, location=location))
            return Turn((basics.only_text(),), None)
        if text is None:
            if state:
                return await engine.reprompt(registry, state, ctx, basics.only_text().text)
            return Turn((basics.only_text(),), None)
        text = clean_input(text)
        command = parse_command(text)
        if command:
            name, arg = command
            if name == "cancel":
                ctx.draft.clear()
                return Turn((basics.cancelled() if state else basics.nothing_to_cancel(),), None)
            if state:
                return await command_in_dialog(registry, state, ctx, name)
            if name == "start":
                return Turn(tuple(await basics.on_start(ctx, arg or None)), None)
            if registry.knows(name):
                return await start_item(registry, name, ctx)
            return Turn((basics.unknown_command(),), None)
        if state:
            return await engine.advance(registry, state, ctx, Incoming(text=text))
        menu_pick = self._menu_pick(ctx, text)
        if menu_pick is not None:
            return await start_item(registry, menu_pick.removeprefix("go:"), ctx)
        return await basics.on_idle_text(ctx, text)

    @staticmethod
    def _menu_pick(ctx: StepContext, text: str) -> str | None:
        menu = ctx.draft.get("_menu")
        if not menu:
            return None
        probe = StepContext(ctx.services, ctx.actor, {engine.CHOICES: menu})
        resolved, _problem = engine.resolve_choice(probe, basics.MENU_STATE, Incoming(text=text))
        return resolved.choice if resolved is not None else None
