"""Pick one item from a list that may be long: paged buttons, or type part of its name.

Typing works with or without diacritics ("nong van binh" finds "Nông Văn Bình"). The list is
loaded again when the answer arrives, so a button for someone no longer on the list (or a forged
one) is refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.dialog.types import Choice, Goto, Incoming, Outcome, Reply, Stay, Step, StepContext
from bot.i18n import _
from bot.textnorm import fold

PAGE_SIZE = 6


@dataclass(frozen=True)
class Item:
    id: int
    label: str  # what the button shows
    name: str  # what typing is matched against


Load = Callable[[StepContext], Awaitable[list[Item]]]
Chosen = Callable[[StepContext, int], Awaitable[Outcome]]


def picker(step: str, question: Callable[[], str], load: Load, chosen: Chosen, prefix: str = "p") -> Step:
    """A step named ``step`` whose answer is one of ``load(ctx)``; ``chosen`` decides what follows."""
    page_key, filter_key = f"_{step}_page", f"_{step}_filter"

    async def prompt(ctx: StepContext) -> Reply:
        items = await load(ctx)
        query = ctx.draft.get(filter_key)
        if query:
            items = [i for i in items if query in fold(i.name)]
        page = max(0, min(ctx.draft.get(page_key, 0), (len(items) - 1) // PAGE_SIZE))
        shown = items[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
        choices = [Choice(f"{prefix}:{i.id}", i.label) for i in shown]
        if page > 0:
            choices.append(Choice("pg:prev", _("◀ Previous")))
        if (page + 1) * PAGE_SIZE < len(items):
            choices.append(Choice("pg:next", _("More ▶")))
        text = question()
        if len(items) > PAGE_SIZE or query:
            text += "\n" + _("Or type part of a name.")
        return Reply(text, tuple(choices))

    async def handle(ctx: StepContext, incoming: Incoming) -> Outcome:
        if incoming.choice in ("pg:next", "pg:prev"):
            ctx.draft[page_key] = ctx.draft.get(page_key, 0) + (1 if incoming.choice == "pg:next" else -1)
            return Goto(step)
        items = await load(ctx)
        if incoming.choice and incoming.choice.startswith(f"{prefix}:"):
            wanted = incoming.choice.split(":", 1)[1]
            if not any(str(i.id) == wanted for i in items):
                return Stay(_("That choice is no longer available. Please choose again."))
            ctx.draft.pop(page_key, None)
            ctx.draft.pop(filter_key, None)
            return await chosen(ctx, int(wanted))
        query = fold(incoming.text or "")
        matches = [i for i in items if query and query in fold(i.name)]
        if len(matches) == 1:
            ctx.draft.pop(page_key, None)
            ctx.draft.pop(filter_key, None)
            return await chosen(ctx, matches[0].id)
        if not matches:
            return Stay(_("No one matches “{text}”. Choose from the list or type another part of the name.",
                          text=(incoming.text or "")[:40]))
        ctx.draft[filter_key] = query
        ctx.draft[page_key] = 0
        return Goto(step)

    return Step(prompt, handle, free_text=True)
