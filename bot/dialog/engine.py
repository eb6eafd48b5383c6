"""Run flows: start one, feed it what the person did, get back replies and the next state.

State strings are stable and namespaced (``"invite:role"``) so they can be persisted and survive
code changes. Choices shown at a step are remembered in the draft, so a person can answer by
pressing a button, by typing its number, or by typing its words, with or without diacritics.
"""

from __future__ import annotations

import logging
import re

from bot.dialog.types import Choice, Command, Finish, Flow, Goto, Incoming, Reply, Stay, StepContext, Turn
from bot.i18n import _
from bot.labels import cannot_continue, choose_an_option, not_available
from bot.textnorm import fold_words

log = logging.getLogger(__name__)

CHOICES = "_choices"  # the draft key holding the choices last shown
_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[.)]?\s*$")


class Registry:
    """Every flow and command, in menu order."""

    def __init__(self, flows: list[Flow], commands: list[Command] = (), order: tuple[str, ...] = ()) -> None:
        self.flows = {f.name: f for f in flows}
        self.by_command = {f.command: f for f in flows}
        self.commands = {c.name: c for c in commands}
        names = [f.name for f in flows] + [c.name for c in commands]
        self._order = [n for n in order if n in names] + [n for n in names if n not in order]

    def flow_of(self, state: str | None) -> Flow | None:
        if not state:
            return None
        return self.flows.get(state.split(":", 1)[0])

    def states(self) -> list[str]:
        return [f.state(step) for f in self.flows.values() for step in f.steps]

    def allowed(self, ctx: StepContext) -> list[Flow | Command]:
        """What this person may start from the menu, in order."""
        role = ctx.actor.role
        return [i for i in self.for_role(role)
                if getattr(i, "in_menu", True) and (i.menu_roles is None or role in i.menu_roles)]

    def for_role(self, role) -> list[Flow | Command]:
        """Every flow and command open to ``role`` (``None``: someone without a role), in menu order."""
        items = [self.flows.get(n) or self.commands[n] for n in self._order]
        return [i for i in items if not i.roles or role in i.roles]

    def knows(self, name: str) -> bool:
        return name in self.by_command or name in self.commands


async def run_command(command: Command, ctx: StepContext) -> list[Reply]:
    if not _may_start(command, ctx):
        return [not_available()]
    return await command.run(ctx)


def _may_start(item: Flow | Command, ctx: StepContext) -> bool:
    return not item.roles or ctx.actor.role in item.roles


async def _prompt(flow: Flow, step: str, ctx: StepContext) -> Reply:
    reply = await flow.steps[step].prompt(ctx)
    state = flow.state(step)
    ctx.draft[CHOICES] = [[c.id, c.label] for c in reply.choices]
    return Reply(reply.text, reply.choices, state)


async def _apply(flow: Flow, outcome, ctx: StepContext, current: str | None) -> Turn:
    if isinstance(outcome, Goto):
        prompt = await _prompt(flow, outcome.state, ctx)
        return Turn((*outcome.replies, prompt), flow.state(outcome.state))
    if isinstance(outcome, Stay):
        assert current is not None
        prompt = await _prompt(flow, current, ctx)
        return Turn((Reply(outcome.problem), prompt), flow.state(current))
    assert isinstance(outcome, Finish)
    ctx.draft.clear()
    return Turn(outcome.replies, None)


async def begin(flow: Flow, ctx: StepContext) -> Turn:
    """Start ``flow`` for the actor; people without the right role get a polite refusal."""
    ctx.draft.clear()
    if not _may_start(flow, ctx):
        return Turn((not_available(),), None)
    if flow.begin is not None:
        outcome = await flow.begin(ctx)
        if outcome is not None:
            return await _apply(flow, outcome, ctx, None)
    return await _apply(flow, Goto(flow.first), ctx, None)


async def begin_at(flow: Flow, step: str, ctx: StepContext) -> Turn:
    """Start ``flow`` at ``step``, keeping what the caller put in the draft (no role check here:
    the caller has decided the person may be there)."""
    return await _apply(flow, Goto(step), ctx, None)


def resolve_choice(ctx: StepContext, state: str, incoming: Incoming) -> tuple[Incoming | None, str | None]:
    """Turn a number or a label into the choice it names; report stale or foreign buttons."""
    shown = [Choice(i, label) for i, label in ctx.draft.get(CHOICES, [])]
    ids = {c.id for c in shown}
    if incoming.choice is not None:
        if incoming.state != state or incoming.choice not in ids:
            return None, _("That button belongs to an earlier question. Please answer the question below.")
        return incoming, None
    text = incoming.text or ""
    if shown:
        number = _NUMBER.match(text)
        if number:
            index = int(number.group(1))
            if 1 <= index <= len(shown):
                return Incoming(choice=shown[index - 1].id, state=state, text=text), None
            if len(shown) == 1:
                return None, _("There is no option {number}. The only option is 1.", number=index)
            return None, _("There is no option {number}. Please reply with a number from 1 to {count}.",
                           number=index, count=len(shown))
        folded = fold_words(text)
        matches = [c for c in shown if folded and fold_words(c.label) == folded]
        if not matches and len(folded) >= 3:
            matches = [c for c in shown if fold_words(c.label).startswith(folded)]
        if len(matches) == 1:
            return Incoming(choice=matches[0].id, state=state, text=text), None
    return incoming, None


async def advance(registry: Registry, state: str, ctx: StepContext, incoming: Incoming) -> Turn:
    """Feed one input to the step waiting at ``state``."""
    flow = registry.flow_of(state)
    step_name = state.split(":", 1)[1] if ":" in state else ""
    if flow is None or step_name not in flow.steps:
        log.warning("unknown conversation state %r dropped", state)
        ctx.draft.clear()
        return Turn((cannot_continue(),), None)
    step = flow.steps[step_name]
    if incoming.media and not step.media:
        return await _apply(flow, Stay(_("Sorry, I can only read text messages here.")), ctx, step_name)
    if incoming.media:
        return await _apply(flow, await step.handle(ctx, incoming), ctx, step_name)
    resolved, problem = resolve_choice(ctx, state, incoming)
    if problem is not None:
        return await _apply(flow, Stay(problem), ctx, step_name)
    assert resolved is not None
    if resolved.choice is None and not step.free_text:
        if ctx.draft.get(CHOICES):
            message = choose_an_option(ctx.actor.messenger).text
        else:
            message = _("Sorry, I did not understand that.")
        return await _apply(flow, Stay(message), ctx, step_name)
    try:
        outcome = await step.handle(ctx, resolved)
        return await _apply(flow, outcome, ctx, step_name)
    except KeyError:  # the draft lacks what this step needs (e.g. written by another version): start over
        log.warning("conversation %s had an incomplete draft; ended", state)
        ctx.draft.clear()
        return Turn((cannot_continue(),), None)


async def reprompt(registry: Registry, state: str, ctx: StepContext, notice: str) -> Turn:
    """Repeat the current question after ``notice`` (e.g. a command sent mid-conversation)."""
    flow = registry.flow_of(state)
    if flow is None or state.split(":", 1)[1] not in flow.steps:
        return Turn((Reply(notice),), None)
    try:
        return await _apply(flow, Stay(notice), ctx, state.split(":", 1)[1])
    except KeyError:
        ctx.draft.clear()
        return Turn((cannot_continue(),), None)
