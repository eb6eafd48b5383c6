"""/selfreport — a returnee tells their supporter how they are; /share — what family may see."""

from __future__ import annotations

from bot.dialog.types import Choice, Finish, Flow, Goto, Incoming, Reply, Step, StepContext
from bot.labels import WELLBEING_LABELS, WORK_LABELS, upper_first
from bot.i18n import N_, _
from bot.models import Role
from bot.services.access import NotFound
from bot.services.supervision import MAX_NOTE


NOT_ENROLLED = N_("The commune police have not entered your details yet, so a self-report cannot be filed. If "
                  "you need help now, send /contact: your message reaches the commune police.")


async def begin(ctx: StepContext):
    """Say so before the first question if there is no record to file it on."""
    if await ctx.services.supervision.own_record(ctx.actor) is None:
        return Finish((Reply(_(NOT_ENROLLED)),))
    return None


async def prompt_wellbeing(ctx: StepContext) -> Reply:
    return Reply(_("How are you doing these days?"),
                 tuple(Choice(f"w:{k}", upper_first(_(v))) for k, v in WELLBEING_LABELS.items()))


async def on_wellbeing(ctx: StepContext, incoming: Incoming):
    ctx.draft["wellbeing"] = incoming.choice.split(":", 1)[1]
    return Goto("work")


async def prompt_work(ctx: StepContext) -> Reply:
    return Reply(_("And work?"), tuple(Choice(f"k:{k}", _(v)) for k, v in WORK_LABELS.items()))


async def on_work(ctx: StepContext, incoming: Incoming):
    ctx.draft["work"] = incoming.choice.split(":", 1)[1]
    return Goto("help")


async def prompt_help(ctx: StepContext) -> Reply:
    return Reply(_("Is there anything you need help with (a job, a loan, papers, family)? Type it, or choose:"),
                 (Choice("none", _("Nothing for now")),))


async def on_help(ctx: StepContext, incoming: Incoming):
    needs = "" if incoming.choice == "none" else (incoming.text or "")[:MAX_NOTE]
    try:
        supervisor = await ctx.services.supervision.self_report(
            ctx.actor, wellbeing=ctx.draft["wellbeing"], work=ctx.draft["work"], help_needed=needs)
    except NotFound:  # the record went away meanwhile: a difficulty still reaches a person
        if needs:
            await ctx.services.handoff.ask_for_help(ctx.actor, needs, topic="selfreport")
            return Finish((Reply(_("Your details are not on file, so no self-report was filed; what you need help "
                                   "with was sent to the commune police, who will answer here.")),))
        return Finish((Reply(_(NOT_ENROLLED)),))
    told = (_("Thank you. {name} has been told.", name=supervisor.full_name) if supervisor
            else _("Thank you. It is on your file for the commune police."))
    return Finish((Reply(told + "\n" + _("This helps your supporter; it does not replace any written report the "
                                        "law asks of you.")),))


SELF_REPORT = Flow(
    name="selfreport",
    command="selfreport",
    title=N_("Tell my supporter how I am"),
    roles=frozenset({Role.RETURNEE}),
    first="wellbeing",
    begin=begin,
    steps={
        "wellbeing": Step(prompt_wellbeing, on_wellbeing),
        "work": Step(prompt_work, on_work),
        "help": Step(prompt_help, on_help, free_text=True),
    },
)

SHARE_ITEMS = {"dates": N_("My dates (next contact, end of probation)"), "supervisor": N_("Who supports me")}


async def share_begin(ctx: StepContext):
    count, shares = await ctx.services.supervision.family_shares(ctx.actor)
    if count == 0:
        return Finish((Reply(_("No family member is linked to you. Commune police can invite one if you wish.")),))
    ctx.draft["shares"] = shares
    return None


async def prompt_share(ctx: StepContext) -> Reply:
    shares = ctx.draft.get("shares", [])
    lines = [_("What your family member can see (press to switch on or off):")]
    choices = []
    for key, label in SHARE_ITEMS.items():
        mark = "✅" if key in shares else "⬜"
        choices.append(Choice(f"s:{key}", f"{mark} {_(label)}"))
    choices.append(Choice("done", _("Done")))
    return Reply("\n".join(lines), tuple(choices))


async def on_share(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "done":
        await ctx.services.supervision.set_family_shares(ctx.actor, ctx.draft.get("shares", []))
        return Finish((Reply(_("Saved. You can change this any time with /share.")),))
    key = incoming.choice.split(":", 1)[1]
    shares = set(ctx.draft.get("shares", []))
    shares ^= {key}
    ctx.draft["shares"] = sorted(shares)
    return Goto("choose")


SHARE = Flow(
    name="share",
    command="share",
    title=N_("What my family can see"),
    roles=frozenset({Role.RETURNEE}),
    first="choose",
    begin=share_begin,
    steps={"choose": Step(prompt_share, on_share)},
)
