"""The jobs and training board. /jobs: browse by place, see one, say "I am interested" (the poster
and the supervisor are told). /post: police add an opening or a course. Past postings vanish."""

from __future__ import annotations

from bot.clock import format_date
from bot.dialog.types import Choice, Finish, Flow, Goto, Incoming, Reply, Stay, Step, StepContext
from bot.flows.pickers import Item, picker
from bot.flows.dates import DateQuestion
from bot.i18n import N_, _
from bot.models import Role
from bot.services.access import NotFound
from bot.services.jobs import VIEWERS

KINDS = {"job": N_("Job"), "course": N_("Course")}


async def begin(ctx: StepContext):
    postings = await ctx.services.jobs.open_postings(ctx.actor)
    if not postings:
        return Finish((Reply(_("There are no openings or courses at the moment. Ask commune police, or the "
                               "provincial employment service centre (free).")),))
    places = sorted({p.place for p in postings})
    if len(places) == 1:
        ctx.draft["place"] = None
        return Goto("list")
    return None


async def prompt_place(ctx: StepContext) -> Reply:
    places = sorted({p.place for p in await ctx.services.jobs.open_postings(ctx.actor)})
    ctx.draft["_places"] = places
    return Reply(_("Where?"), (Choice("all", _("Everywhere")), *(Choice(f"pl:{n}", p) for n, p in enumerate(places))))


async def on_place(ctx: StepContext, incoming: Incoming):
    ctx.draft["place"] = None if incoming.choice == "all" else ctx.draft["_places"][int(incoming.choice[3:])]
    return Goto("list")


async def listed(ctx: StepContext) -> list[Item]:
    postings = await ctx.services.jobs.open_postings(ctx.actor, ctx.draft.get("place"))
    return [Item(p.id, f"{_(KINDS[p.kind])}: {p.title} · {p.place}", f"{p.title} {p.employer} {p.place}")
            for p in postings]


async def on_listed(ctx: StepContext, posting_id: int):
    ctx.draft["posting"] = posting_id
    return Goto("detail")


async def prompt_detail(ctx: StepContext) -> Reply:
    try:
        p = await ctx.services.jobs.posting(ctx.actor, ctx.draft["posting"])
    except NotFound:
        return Reply(_("This posting has closed."), (Choice("back", _("◀ Back to the list")),))
    lines = [f"{_(KINDS[p.kind])}: {p.title}", _("Employer or school: {name}", name=p.employer),
             _("Place: {place}", place=p.place)]
    if p.pay:
        lines.append(_("Pay or support: {pay}", pay=p.pay))
    if p.contact:
        lines.append(_("Contact person: {contact}", contact=p.contact))
    lines.append(_("Open until {date}", date=format_date(p.closes_on)))
    choices = []
    if ctx.actor.role is Role.RETURNEE:
        choices.append(Choice("interest", _("I am interested")))
    if ctx.actor.role is Role.POLICE:
        choices.append(Choice("close", _("Close this posting")))
    choices.append(Choice("back", _("◀ Back to the list")))
    return Reply("\n".join(lines), tuple(choices))


async def on_detail(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "back":
        return Goto("list")
    try:
        if incoming.choice == "close":
            await ctx.services.jobs.close(ctx.actor, ctx.draft["posting"])
            return Finish((Reply(_("Closed. It no longer shows on the board.")),))
        new = await ctx.services.jobs.interested(ctx.actor, ctx.draft["posting"])
    except NotFound:
        return Finish((Reply(_("This posting has closed.")),))
    if not new:
        return Finish((Reply(_("You had already said you are interested; they know.")),))
    return Finish((Reply(_("Done: the person who posted it and your supporter have been told. They will contact "
                           "you.")),))


BOARD = Flow(
    name="jobs",
    command="jobs",
    title=N_("Jobs and courses"),
    roles=frozenset(VIEWERS),
    menu_roles=frozenset({Role.RETURNEE, Role.FAMILY, Role.SUPERVISOR}),
    first="place",
    begin=begin,
    steps={
        "place": Step(prompt_place, on_place),
        "list": picker("list", lambda: _("Openings and courses:"), listed, on_listed),
        "detail": Step(prompt_detail, on_detail),
    },
)

# ---- /post (police) --------------------------------------------------------------------------

FIELDS = (
    ("title", N_("Title (for example “Công nhân may”, “Lớp sửa xe máy 3 tháng”)?"), 2, 100),
    ("employer", N_("Employer or school?"), 2, 100),
    ("place", N_("Place (village, commune or district)?"), 2, 60),
    ("pay", N_("Pay or support (optional)?"), 0, 100),
    ("contact", N_("Contact (name and phone)?"), 0, 100),
)


async def prompt_kind(ctx: StepContext) -> Reply:
    return Reply(_("A job or a course?"), tuple(Choice(f"k:{k}", _(v)) for k, v in KINDS.items()))


async def on_kind(ctx: StepContext, incoming: Incoming):
    ctx.draft.update(kind=incoming.choice[2:], field=0)
    return Goto("field")


async def prompt_field(ctx: StepContext) -> Reply:
    _key, question, minimum, _max = FIELDS[ctx.draft["field"]]
    return Reply(_(question), (Choice("skip", _("Skip")),) if minimum == 0 else ())


async def on_field(ctx: StepContext, incoming: Incoming):
    key, _question, minimum, maximum = FIELDS[ctx.draft["field"]]
    value = "" if incoming.choice == "skip" else " ".join((incoming.text or "").split())
    if not minimum <= len(value) <= maximum:
        return Stay(_("Please type between {min} and {max} characters.", min=minimum, max=maximum))
    ctx.draft[key] = value
    ctx.draft["field"] += 1
    return Goto("field" if ctx.draft["field"] < len(FIELDS) else "closes")


async def prompt_closes(ctx: StepContext) -> Reply:
    return Reply(_("Last day to show it? (dd/mm/yyyy)"))


CLOSING_DAY = DateQuestion("future", refused=N_("That date has passed. Please type a date from today on."))


async def on_closes(ctx: StepContext, incoming: Incoming):
    today = ctx.services.jobs.today()
    day = CLOSING_DAY.read(incoming.text or "", today)
    if isinstance(day, Stay):
        return day
    d = ctx.draft
    await ctx.services.jobs.post(ctx.actor, kind=d["kind"], title=d["title"], employer=d["employer"], place=d["place"],
                                 pay=d["pay"], contact=d["contact"], closes_on=day)
    return Finish((Reply(_("Posted: “{title}”, shown until {date}.", title=d["title"], date=format_date(day))),))


POST = Flow(
    name="post",
    command="post",
    title=N_("Post a job or course"),
    roles=frozenset({Role.POLICE}),
    first="kind",
    steps={"kind": Step(prompt_kind, on_kind), "field": Step(prompt_field, on_field, free_text=True),
           "closes": Step(prompt_closes, on_closes, free_text=True)},
)

