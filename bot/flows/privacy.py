"""/privacy — what is kept, who sees it, and the person's rights (Luật 91/2025/QH15) on one phone
screen; from there a person asks the commune police to correct or delete data about them.
/datarequests — police read those requests, with what the law lets them keep, and decide; the
person is told the outcome and the reason.

```mermaid
stateDiagram-v2
    [*] --> rights
    rights --> body: correct / delete
    rights --> [*]: my copy
    body --> [*]
    state "/datarequests" as police {
        [*] --> pick --> request --> answer --> [*]
    }
```
"""

from __future__ import annotations

from bot.clock import format_datetime
from bot.dialog.types import Attachment, Choice, Finish, Flow, Goto, Incoming, Reply, Stay, Step, StepContext
from bot.i18n import N_, _
from bot.labels import DATA_REQUEST_KINDS as KINDS
from bot.models import Role
from bot.services.access import NotFound
from bot.services.privacy import MAX_REQUEST

ASKING = frozenset({Role.RETURNEE, Role.FAMILY, Role.SUPERVISOR})


def rights_text() -> str:
    return _("What the assistant keeps: your role, commune, name, language and messenger account; for a person "
             "under management, the commune's record and the contacts with you.\n"
             "Who sees it: the commune police of your commune, and your supervisor as far as needed. Every look "
             "at a record is logged.\n"
             "Your rights (Law 91/2025/QH15): a copy (/mydata); consent to optional reminders, given or withdrawn "
             "at any time (/reminders); ask for a correction or a deletion below. After management ends, the "
             "data is anonymised once the retention period is over.")


async def begin(ctx: StepContext):
    if ctx.actor.role not in ASKING:  # strangers, police and the province: the text is all
        return Finish((Reply(rights_text()),))
    return None


async def prompt_rights(ctx: StepContext) -> Reply:
    return Reply(rights_text(), (Choice("correct", _("Ask for a correction")), Choice("delete", _("Ask for a deletion")),
                                 Choice("copy", _("A copy of my data"))))


async def on_rights(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "copy":
        data = await ctx.services.privacy.my_data(ctx.actor)
        return Finish((Reply(_("Here is a copy of everything the bot keeps about you."),
                             attachment=Attachment("document", "du-lieu-cua-toi.json", data)),))
    ctx.draft["kind"] = incoming.choice
    return Goto("body")


async def prompt_body(ctx: StepContext) -> Reply:
    if ctx.draft["kind"] == "correct":
        return Reply(_("What is wrong, and what should it say? (up to {max} characters)", max=MAX_REQUEST))
    return Reply(_("What would you like deleted, and why? (up to {max} characters)", max=MAX_REQUEST))


async def on_body(ctx: StepContext, incoming: Incoming):
    text = (incoming.text or "").strip()
    if len(text) < 2:
        return Stay(_("Please write a few words."))
    if len(text) > MAX_REQUEST:
        return Stay(_("That is {count} characters; please keep it within {max}.", count=len(text), max=MAX_REQUEST))
    await ctx.services.privacy.ask(ctx.actor, ctx.draft["kind"], text)
    return Finish((Reply(_("Your request has been sent to the commune police. Their decision, and the reason for "
                           "it, will come here.")),))


PRIVACY = Flow(
    name="privacy",
    command="privacy",
    title=N_("What is kept about you"),
    roles=frozenset(),
    first="rights",
    begin=begin,
    steps={"rights": Step(prompt_rights, on_rights), "body": Step(prompt_body, on_body, free_text=True)},
    menu_roles=frozenset(),  # in /help, not among the big buttons
)


# ---- police ---------------------------------------------------------------------------------

async def requests_begin(ctx: StepContext):
    if not await ctx.services.privacy.open_requests(ctx.actor):
        return Finish((Reply(_("No requests about personal data are waiting.")),))
    return None


async def prompt_pick(ctx: StepContext) -> Reply:
    return Reply(_("Requests about personal data:"), tuple(
        Choice(f"r:{r.id}", f"{p.full_name or '?'} · {_(KINDS[r.kind])} · {format_datetime(r.created_at)}")
        for r, p in await ctx.services.privacy.open_requests(ctx.actor)))


async def on_pick(ctx: StepContext, incoming: Incoming):
    ctx.draft["request"] = int(incoming.choice.split(":", 1)[1])
    return Goto("request")


async def _request(ctx: StepContext):
    return next(((r, p) for r, p in await ctx.services.privacy.open_requests(ctx.actor)
                 if r.id == ctx.draft["request"]), (None, None))


async def prompt_request(ctx: StepContext) -> Reply:
    request, person = await _request(ctx)
    if request is None:
        return Reply(_("This request has been answered meanwhile."), (Choice("back", _("◀ Back to the list")),))
    lines = [_("{name} asks you to {kind} data: “{text}”", name=person.full_name or "?", kind=_(KINDS[request.kind]),
               text=request.body),
             _("What the law lets the commune keep: what supervision requires (name, birth date, category, penalty, "
               "its dates, the contacts) while the person is managed and until the retention period ends, and the "
               "access log. Anything wrong can be corrected (/people, Edit the record). Anything not required "
               "(notes, family contact, photos) can be deleted; so can the account of someone no longer managed "
               "(/members).")]
    return Reply("\n\n".join(lines), (Choice("done", _("Done as asked")), Choice("partly", _("Done in part")),
                                       Choice("refused", _("Not possible")), Choice("back", _("◀ Back to the list"))))


async def on_request(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "back":
        return Goto("pick")
    ctx.draft["outcome"] = incoming.choice
    return Goto("answer")


async def prompt_answer(ctx: StepContext) -> Reply:
    return Reply(_("What was done, or why not? The person reads this."))


async def on_answer(ctx: StepContext, incoming: Incoming):
    text = (incoming.text or "").strip()
    if len(text) < 2:
        return Stay(_("Please write a few words."))
    try:
        person = await ctx.services.privacy.decide(ctx.actor, ctx.draft["request"], ctx.draft["outcome"], text)
    except NotFound:
        return Finish((Reply(_("This request has been answered meanwhile.")),))
    return Finish((Reply(_("Saved. {name} has been told.", name=person.full_name or "?")),))


DATA_REQUESTS = Flow(
    name="datarequests",
    command="datarequests",
    title=N_("Requests about personal data"),
    roles=frozenset({Role.POLICE}),
    first="pick",
    begin=requests_begin,
    menu_roles=frozenset(),  # police are sent here by the notice; /help lists it
    steps={
        "pick": Step(prompt_pick, on_pick),
        "request": Step(prompt_request, on_request),
        "answer": Step(prompt_answer, on_answer, free_text=True),
    },
)
