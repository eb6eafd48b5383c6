"""/assess — the periodic assessment (nhận xét, đánh giá định kỳ): conduct, work, family, needs."""

from __future__ import annotations

from bot.dialog.types import Choice, Finish, Flow, Goto, Incoming, Reply, Step, StepContext
from bot.labels import CONDUCT_LABELS, FAMILY_LABELS, WORK_LABELS
from bot.flows.pickers import Item, picker
from bot.i18n import N_, _
from bot.models import Role
from bot.services.access import NotFound
from bot.services.supervision import MAX_NOTE


async def people(ctx: StepContext) -> list[Item]:
    if ctx.actor.role is Role.SUPERVISOR:
        rows = await ctx.services.supervision.my_people(ctx.actor)
    else:
        rows = await ctx.services.supervision.roster(ctx.actor)
    return [Item(r.record.person_id, f"{r.record.full_name} · {r.record.village}", r.record.full_name) for r in rows]


async def begin(ctx: StepContext):
    if not await people(ctx):
        return Finish((Reply(_("There is no one to assess yet.")),))
    return None


async def on_person(ctx: StepContext, person_id: int):
    item = next(i for i in await people(ctx) if i.id == person_id)
    ctx.draft.update(person_id=person_id, name=item.name)
    return Goto("conduct")


def _ask(question: str, key: str, labels: dict, next_step: str) -> Step:
    async def prompt(ctx: StepContext) -> Reply:
        return Reply(_(question, name=ctx.draft["name"]), tuple(Choice(f"{key}:{k}", _(v)) for k, v in labels.items()))

    async def handle(ctx: StepContext, incoming: Incoming):
        ctx.draft[key] = incoming.choice.split(":", 1)[1]
        return Goto(next_step)

    return Step(prompt, handle)


async def prompt_needs(ctx: StepContext) -> Reply:
    return Reply(_("What does {name} need (job, loan, papers, health…)? Type it, or choose:", name=ctx.draft["name"]),
                 (Choice("none", _("Nothing in particular")),))


async def on_needs(ctx: StepContext, incoming: Incoming):
    needs = "" if incoming.choice == "none" else (incoming.text or "")[:MAX_NOTE]
    d = ctx.draft
    try:
        period = await ctx.services.supervision.assess(ctx.actor, d["person_id"], conduct=d["conduct"], work=d["work"],
                                                        family=d["family"], needs=needs)
    except NotFound:
        return Finish((Reply(_("{name} is no longer on your list, so nothing was saved.", name=d["name"])),))
    return Finish((Reply(_("Assessment of {name} for {month} saved. Commune police see it on the card.",
                           name=d["name"], month=f"{period[5:]}/{period[:4]}")),))


FLOW = Flow(
    name="assess",
    command="assess",
    title=N_("Periodic assessment"),
    roles=frozenset({Role.SUPERVISOR, Role.POLICE}),
    first="person",
    begin=begin,
    steps={
        "person": picker("person", lambda: _("Whose assessment?"), people, on_person),
        "conduct": _ask(N_("How is {name} keeping to the rules and the law?"), "conduct", CONDUCT_LABELS, "work"),
        "work": _ask(N_("Work of {name}:"), "work", WORK_LABELS, "family"),
        "family": _ask(N_("Family of {name}:"), "family", FAMILY_LABELS, "needs"),
        "needs": Step(prompt_needs, on_needs, free_text=True),
    },
)
