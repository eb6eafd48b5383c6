"""/enrol — commune police enrol a person their commune manages, then assign a supervisor.

Only what the person's category needs is asked: the dates that matter differ between a
suspended sentence, non-custodial reform, conditional release and a completed prison term.

```mermaid
stateDiagram-v2
    [*] --> name
    name --> dob --> village --> category
    category --> penalty: completed a term / amnesty
    category --> term: others
    penalty --> term: prison
    penalty --> dates: life, commuted
    term --> dates
    dates --> dates: next date of the category
    dates --> supplementary
    supplementary --> supp_end: a kind
    supp_end --> supplementary
    supplementary --> family: none / no more
    family --> relation --> phone --> note
    family --> note: skip
    note --> confirm
    confirm --> same_person: a record's name differs only in accents
    same_person --> assign: someone else
    confirm --> assign: save
    assign --> invite
    invite --> [*]
```
"""

from __future__ import annotations

from datetime import date

from bot.clock import format_date
from bot.dialog.types import Choice, Finish, Flow, Goto, Incoming, Reply, Stay, Step, StepContext
from bot.flows.invite import code_replies
from bot.labels import CATEGORY_LABELS, PENALTY_LABELS, RELATIONS, SUPPLEMENTARY_LABELS, role_label, upper_first
from bot.flows.texts import record_lines
from bot.flows.dates import DateQuestion
from bot.i18n import N_, _
from bot.models import Category, PenaltyType, Record, Role, Supplementary, SupplementaryKind
from bot.rules.dates import add_months, parse_term
from bot.rules.phones import normalise_phone
from bot.services.access import NotFound, PermissionDenied
from bot.services.supervision import LooksLike, RecordInput
from bot.textnorm import clean_name

MAX_NAME = 100

# The dates each category needs, in the order they are asked.
DATES = {
    Category.SUSPENDED: (("probation_start", N_("When did the probation period start?")),
                         ("probation_end", N_("When does the probation period end?"))),
    Category.NON_CUSTODIAL: (("probation_start", N_("When did the non-custodial reform start?")),),
    Category.PAROLE: (("release_date", N_("When was the person released?")),
                      ("probation_end", N_("When does the probation period end?"))),
    Category.DEFERRED: (("probation_end", N_("Until when is the prison term deferred or suspended?")),),
    Category.RELEASED: (("release_date", N_("When did the person complete the prison term (date on the certificate)?")),),
    Category.AMNESTY: (("release_date", N_("When was the person released under the amnesty?")),),
}
# The main penalty follows from the category, except after a completed term or an amnesty.
PENALTY_OF = {
    Category.SUSPENDED: PenaltyType.SUSPENDED,
    Category.NON_CUSTODIAL: PenaltyType.NON_CUSTODIAL_REFORM,
    Category.PAROLE: PenaltyType.PRISON,
    Category.DEFERRED: PenaltyType.PRISON,
}


BACK = "back_to_summary"  # a field is being corrected from the summary: return there after it
EDITABLE = {  # what the summary lets police correct, and what a new answer replaces
    "name": (N_("Edit the name"), ("full_name",)),
    "dob": (N_("Edit the date of birth"), ("date_of_birth",)),
    "village": (N_("Edit the village"), ("village",)),
    "category": (N_("Edit the category and penalty"), ("category", "penalty_type", "penalty_months", "release_date",
                                                        "probation_start", "probation_end", "supplementary",
                                                        "date_index")),
    "family": (N_("Edit the family contact"), ("family_name", "family_relation", "family_phone")),
    "note": (N_("Edit the note"), ("note",)),
}


def onward(ctx: StepContext, step: str) -> Goto:
    """The next question, or back to the summary when a field was being corrected from it."""
    return Goto("confirm") if ctx.draft.get(BACK) else Goto(step)


async def prompt_name(ctx: StepContext) -> Reply:
    return Reply(_("Enrol a person. Full name?"))


async def on_name(ctx: StepContext, incoming: Incoming):
    name = clean_name(incoming.text or "")
    if not 2 <= len(name) <= MAX_NAME:
        return Stay(_("A name should be between 2 and {max} characters.", max=MAX_NAME))
    ctx.draft["full_name"] = name
    return onward(ctx, "dob")


async def prompt_dob(ctx: StepContext) -> Reply:
    return Reply(_("Date of birth of {name}? (dd/mm/yyyy)", name=ctx.draft["full_name"]))


BIRTH_DAY = DateQuestion("past", year_required=True, refused=N_("A date of birth cannot be in the future."))
RECORD_DATE = DateQuestion("past", year_required=True, refused=N_("That date is in the future: this question asks "
                                                                  "about a day that has passed."))
RECORD_DATES = {"probation_end": DateQuestion(year_required=True), "date_of_birth": BIRTH_DAY}
ANY_DAY_WITH_YEAR = DateQuestion(year_required=True)


async def on_dob(ctx: StepContext, incoming: Incoming):
    day = BIRTH_DAY.read(incoming.text or "", ctx.services.supervision.today())
    if isinstance(day, Stay):
        return day
    ctx.draft["date_of_birth"] = day.isoformat()
    return onward(ctx, "village")


async def prompt_village(ctx: StepContext) -> Reply:
    villages = await ctx.services.supervision.villages(ctx.actor)
    ctx.draft["_villages"] = villages[:12]
    return Reply(_("Village or residential group (thôn, tổ dân phố)? Choose or type it."),
                 tuple(Choice(f"v:{n}", v) for n, v in enumerate(villages[:12])))


async def on_village(ctx: StepContext, incoming: Incoming):
    if incoming.choice:
        village = ctx.draft["_villages"][int(incoming.choice.split(":", 1)[1])]
    else:
        village = " ".join((incoming.text or "").split())[:80]
    if len(village) < 2:
        return Stay(_("Please type the name of the village."))
    ctx.draft["village"] = village
    return onward(ctx, "category")


async def prompt_category(ctx: StepContext) -> Reply:
    return Reply(_("Category?"), tuple(Choice(f"cat:{c.value}", upper_first(_(l))) for c, l in CATEGORY_LABELS.items()))


async def on_category(ctx: StepContext, incoming: Incoming):
    category = Category(incoming.choice.split(":", 1)[1])
    ctx.draft.update(category=category.value, date_index=0)
    if category in PENALTY_OF:
        ctx.draft["penalty_type"] = PENALTY_OF[category].value
        return Goto("term")
    return Goto("penalty")


async def prompt_penalty(ctx: StepContext) -> Reply:
    kinds = (PenaltyType.PRISON, PenaltyType.LIFE, PenaltyType.DEATH_COMMUTED)
    return Reply(_("Main penalty as pronounced?"), tuple(Choice(f"pen:{k.value}", upper_first(_(PENALTY_LABELS[k])))
                                                          for k in kinds))


async def on_penalty(ctx: StepContext, incoming: Incoming):
    penalty = PenaltyType(incoming.choice.split(":", 1)[1])
    ctx.draft["penalty_type"] = penalty.value
    if penalty is not PenaltyType.PRISON:
        ctx.draft["penalty_months"] = None
        return Goto("dates")
    return Goto("term")


async def prompt_term(ctx: StepContext) -> Reply:
    return Reply(_("Term as pronounced? For example “2 năm 6 tháng”, “18 tháng”."))


async def on_term(ctx: StepContext, incoming: Incoming):
    months = parse_term(incoming.text or "")
    if months is None:
        return Stay(_("Please type the term in years and months, for example “2 năm 6 tháng” or “18 tháng”."))
    ctx.draft["penalty_months"] = months
    return Goto("dates")


def _date_field(ctx: StepContext) -> tuple[str, str]:
    return DATES[Category(ctx.draft["category"])][ctx.draft["date_index"]]


async def prompt_dates(ctx: StepContext) -> Reply:
    _field, question = _date_field(ctx)
    return Reply(_(question) + " " + _("(dd/mm/yyyy)"))


async def on_dates(ctx: StepContext, incoming: Incoming):
    field, _question = _date_field(ctx)
    question = RECORD_DATES.get(field, RECORD_DATE)
    day = question.read(incoming.text or "", ctx.services.supervision.today())
    if isinstance(day, Stay):
        return day
    if field == "probation_end" and ctx.draft.get("probation_start") and day.isoformat() <= ctx.draft["probation_start"]:
        return Stay(_("The end must come after the start ({date}).",
                      date=format_date(date.fromisoformat(ctx.draft["probation_start"]))))
    ctx.draft[field] = day.isoformat()
    if ctx.draft["category"] == Category.NON_CUSTODIAL.value and field == "probation_start":
        ctx.draft["probation_end"] = add_months(day, ctx.draft["penalty_months"]).isoformat()
    ctx.draft["date_index"] += 1
    if ctx.draft["date_index"] < len(DATES[Category(ctx.draft["category"])]):
        return Goto("dates")
    return Goto("supplementary")


async def prompt_supplementary(ctx: StepContext) -> Reply:
    added = ctx.draft.get("supplementary", [])
    text = _("Supplementary penalties?") if not added else _("Another supplementary penalty?")
    choices = [Choice("none", _("None") if not added else _("No more"))]
    choices += [Choice(f"sup:{k.value}", upper_first(_(l))) for k, l in SUPPLEMENTARY_LABELS.items()]
    return Reply(text, tuple(choices))


async def on_supplementary(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "none":
        return onward(ctx, "family")
    ctx.draft["_sup_kind"] = incoming.choice.split(":", 1)[1]
    return Goto("supp_end")


async def prompt_supp_end(ctx: StepContext) -> Reply:
    return Reply(_("When does it end? (dd/mm/yyyy)"), (Choice("unknown", _("Not known")),))


async def on_supp_end(ctx: StepContext, incoming: Incoming):
    ends = None
    if incoming.choice != "unknown":
        day = ANY_DAY_WITH_YEAR.read(incoming.text or "", ctx.services.supervision.today())
        if isinstance(day, Stay):
            return day
        ends = day.isoformat()
    ctx.draft.setdefault("supplementary", []).append([ctx.draft.pop("_sup_kind"), ends])
    return Goto("supplementary")


async def prompt_family(ctx: StepContext) -> Reply:
    return Reply(_("A family contact (name)? It is used to reach the family if needed."),
                 (Choice("skip", _("Skip")),))


async def on_family(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "skip":
        return onward(ctx, "note")
    name = clean_name(incoming.text or "")
    if not 2 <= len(name) <= MAX_NAME:
        return Stay(_("A name should be between 2 and {max} characters.", max=MAX_NAME))
    ctx.draft["family_name"] = name
    return Goto("relation")


async def prompt_relation(ctx: StepContext) -> Reply:
    return Reply(_("Relation to {name}? Choose or type it.", name=ctx.draft["full_name"]),
                 tuple(Choice(f"rel:{n}", _(r)) for n, r in enumerate(RELATIONS)))


async def on_relation(ctx: StepContext, incoming: Incoming):
    if incoming.choice:
        relation = RELATIONS[int(incoming.choice.split(":", 1)[1])]  # the key: shown in each reader's language
    else:
        relation = " ".join((incoming.text or "").split())[:40]
    ctx.draft["family_relation"] = relation
    return Goto("phone")


def phone_problem() -> str:
    return _("That is not a Vietnamese phone number. Type it as you would dial it, for example 0912 345 678 or 024 3825 1234.")


async def prompt_phone(ctx: StepContext) -> Reply:
    return Reply(_("Their phone number?"), (Choice("skip", _("Skip")),))


async def on_phone(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "skip":
        return onward(ctx, "note")
    phone = normalise_phone(incoming.text or "")
    if phone is None:
        return Stay(phone_problem())
    ctx.draft["family_phone"] = phone
    return onward(ctx, "note")


async def prompt_note(ctx: StepContext) -> Reply:
    return Reply(_("A short note (optional)?"), (Choice("skip", _("Skip")),))


async def on_note(ctx: StepContext, incoming: Incoming):
    ctx.draft["note"] = "" if incoming.choice == "skip" else (incoming.text or "")[:500]
    return Goto("confirm")


def _input(d: dict) -> RecordInput:
    def day(key):
        return date.fromisoformat(d[key]) if d.get(key) else None

    return RecordInput(
        full_name=d["full_name"], date_of_birth=day("date_of_birth"), village=d["village"],
        category=Category(d["category"]), penalty_type=PenaltyType(d["penalty_type"]),
        penalty_months=d.get("penalty_months"), release_date=day("release_date"),
        probation_start=day("probation_start"), probation_end=day("probation_end"),
        supplementary=tuple(Supplementary(SupplementaryKind(k), date.fromisoformat(e) if e else None)
                            for k, e in d.get("supplementary", [])),
        family_name=d.get("family_name", ""), family_relation=d.get("family_relation", ""),
        family_phone=d.get("family_phone", ""), note=d.get("note", ""),
    )


async def prompt_confirm(ctx: StepContext) -> Reply:
    data = _input(ctx.draft)
    preview = Record(person_id=0, commune_id=0, enrolled_on=ctx.services.supervision.today(), closed_on=None,
                     closed_reason=None, cadence_rule=None, **{k: getattr(data, k) for k in (
                         "full_name", "date_of_birth", "village", "category", "penalty_type", "penalty_months",
                         "release_date", "probation_start", "probation_end", "family_name", "family_relation",
                         "family_phone", "note", "supplementary")})
    ctx.draft.pop(BACK, None)
    text = _("Please check:") + "\n" + "\n".join(record_lines(preview)[:-1])
    return Reply(text, (Choice("save", _("✅ Save")),
                        *(Choice(f"edit:{step}", _(label)) for step, (label, _keys) in EDITABLE.items())))


async def on_confirm(ctx: StepContext, incoming: Incoming):
    if incoming.choice and incoming.choice.startswith("edit:"):
        step = incoming.choice.split(":", 1)[1]
        for key in EDITABLE[step][1]:
            ctx.draft.pop(key, None)
        ctx.draft[BACK] = True
        return Goto(step)
    return await _save(ctx)


async def _save(ctx: StepContext):
    try:
        record, new = await ctx.services.supervision.enrol(
            ctx.actor, _input(ctx.draft), not_the_same_as=tuple(ctx.draft.get("not_the_same_as", ())))
    except LooksLike as similar:
        ctx.draft["similar"] = similar.record.person_id
        ctx.draft["similar_name"] = similar.record.full_name
        return Goto("same_person")
    if not new:
        return Finish((Reply(_("{name}, born {date}, is already enrolled. Use /people to see or edit the record.",
                               name=record.full_name, date=format_date(record.date_of_birth))),))
    ctx.draft.clear()
    ctx.draft.update(person_id=record.person_id, full_name=record.full_name)
    saved = Reply(_("{name} is enrolled.", name=record.full_name))
    if not await ctx.services.supervision.supervisors(ctx.actor):
        return Goto("invite", (saved, Reply(_("There is no village supervisor in the commune yet: invite one with "
                                              "/invite, then assign them from /people."))))
    return Goto("assign", (saved,))


async def prompt_same_person(ctx: StepContext) -> Reply:
    d = ctx.draft
    return Reply(_("The commune already has {name}, born {date}, {village}: the name differs only in its accents. "
                   "Is {new} the same person?", name=d["similar_name"], new=d["full_name"],
                   date=format_date(date.fromisoformat(d["date_of_birth"])), village=d["village"]),
                 (Choice("same", _("The same person")), Choice("other", _("Someone else: enrol them"))))


async def on_same_person(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "same":
        return Finish((Reply(_("Nothing new was saved. Use /people to see or correct {name}'s record.",
                               name=ctx.draft["similar_name"])),))
    ctx.draft["not_the_same_as"] = [*ctx.draft.get("not_the_same_as", ()), ctx.draft.pop("similar")]
    ctx.draft.pop("similar_name", None)
    return await _save(ctx)


async def supervisor_choices(ctx: StepContext) -> tuple[Choice, ...]:
    return tuple(Choice(f"sup:{p.id}", p.full_name or role_label(Role.SUPERVISOR))
                 for p in await ctx.services.supervision.supervisors(ctx.actor))


async def prompt_assign(ctx: StepContext) -> Reply:
    return Reply(_("Who will supervise {name}?", name=ctx.draft["full_name"]),
                 (*await supervisor_choices(ctx), Choice("later", _("Later"))))


async def on_assign(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "later":
        return Goto("invite")
    try:
        _record, supervisor = await ctx.services.supervision.assign(
            ctx.actor, ctx.draft["person_id"], int(incoming.choice.split(":", 1)[1]))
    except (NotFound, PermissionDenied):
        return Stay(_("That choice is no longer available. Please choose again."))
    return Goto("invite", (Reply(_("{supervisor} now supervises {name} and has been told.",
                                   supervisor=supervisor.full_name, name=ctx.draft["full_name"])),))


async def prompt_invite(ctx: StepContext) -> Reply:
    return Reply(_("Create an invite code so {name} can use the bot?", name=ctx.draft["full_name"]),
                 (Choice("yes", _("Create a code")), Choice("no", _("Not now"))))


async def on_invite(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "no":
        return Finish((Reply(_("Done. The record is in /people.")),))
    return Finish(tuple(await invite_for_person(ctx, ctx.draft["person_id"], ctx.draft["full_name"])))


async def invite_for_person(ctx: StepContext, person_id: int, name: str) -> list[Reply]:
    invite = await ctx.services.accounts.create_invite(
        role=Role.RETURNEE, commune_id=ctx.actor.person.commune_id, created_by=ctx.actor.person,
        full_name=name, person_id=person_id,
    )
    return code_replies(invite)


FLOW = Flow(
    name="enrol",
    command="enrol",
    title=N_("Enrol a person"),
    roles=frozenset({Role.POLICE}),
    first="name",
    steps={
        "name": Step(prompt_name, on_name, free_text=True),
        "dob": Step(prompt_dob, on_dob, free_text=True),
        "village": Step(prompt_village, on_village, free_text=True),
        "category": Step(prompt_category, on_category),
        "penalty": Step(prompt_penalty, on_penalty),
        "term": Step(prompt_term, on_term, free_text=True),
        "dates": Step(prompt_dates, on_dates, free_text=True),
        "supplementary": Step(prompt_supplementary, on_supplementary),
        "supp_end": Step(prompt_supp_end, on_supp_end, free_text=True),
        "family": Step(prompt_family, on_family, free_text=True),
        "relation": Step(prompt_relation, on_relation, free_text=True),
        "phone": Step(prompt_phone, on_phone, free_text=True),
        "note": Step(prompt_note, on_note, free_text=True),
        "confirm": Step(prompt_confirm, on_confirm),
        "same_person": Step(prompt_same_person, on_same_person),
        "assign": Step(prompt_assign, on_assign),
        "invite": Step(prompt_invite, on_invite),
    },
)
