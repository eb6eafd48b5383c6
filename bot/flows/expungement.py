"""/expungement — when may my record be cleared? A short conversation over ``bot.rules.expungement``.

It asks only what the answer depends on (the offender's age and the crime's intent and gravity
only when they matter), starts from the person's own record when the commune enrolled them,
and always says the result is a preliminary calculation, with the article and what to do next.
"""

from __future__ import annotations

from datetime import date

from bot.clock import format_date
from bot.dialog.types import Choice, Finish, Flow, Goto, Incoming, Reply, Stay, Step, StepContext
from bot.flows.dates import DateQuestion
from bot.flows.texts import months_text, years_text
from bot.i18n import N_, _
from bot.models import Category, PenaltyType, Role
from bot.rules import expungement as rules
from bot.rules.dates import parse_term


def explain(result: rules.Result, today: date | None = None) -> str:
    """What the result means for the person, what decided it, and what to do next."""
    head = _("Preliminary calculation, not legal proof.")
    if result.status is rules.Status.NO_RECORD:
        body = _("By law you are not considered to have a criminal record ({basis}). If you need proof, request a "
                 "judicial record certificate, Form No. 1 (Phiếu số 1), on VNeID or from the provincial police.",
                 basis=result.basis)
    elif result.status is rules.Status.PENDING:
        body = _("A new case must first be decided by the court: until then no date can be computed ({basis}). "
                 "Commune police can explain your situation.", basis=result.basis)
    else:
        when = format_date(result.date)
        if result.decided_by == "supplementary":
            why = _("the date your supplementary penalty ends")
        elif result.decided_by == "other_decisions":
            why = _("the date the other decisions of the judgment (compensation, court fees) were completed")
        elif result.decided_by == "new_conviction":
            why = _("the period counted again from the end of the new sentence")
        else:
            why = _("a waiting period of {period} after {start}", period=_period(result.period_months),
                    start=format_date(result.start))
        if result.status is rules.Status.AUTOMATIC:
            past = today is not None and result.date < today
            body = (_("Your record is cleared automatically on {date} ({why}; {basis}), provided you commit no new "
                      "crime before then and have completed the supplementary penalties and the other decisions "
                      "of the judgment.", date=when, why=why, basis=result.basis)
                    + "\n" + (_("That date has passed.") + " " if past else "")
                    + _("To prove it, request a judicial record certificate, Form No. 1 (Phiếu số 1), on VNeID or "
                        "from the provincial police; it will say “no criminal record”."))
        else:
            body = (_("Your record can be cleared only by a court decision. You may apply from {date} ({why}; "
                      "{basis}) to the court that tried your case at first instance, with an assessment from the "
                      "commune People's Committee or your workplace.", date=when, why=why, basis=result.basis))
            if result.unconfirmed:
                body += "\n" + _("This period is not confirmed in the sources we checked: ask commune police or "
                                 "legal aid before you rely on it.")
        body += "\n" + _("With clear progress and a meritorious act, the court may clear it earlier, after a third of "
                         "the period (BLHS 2015 Điều 72).")
    return head + "\n" + body


def _period(months: int) -> str:
    if months % 12 == 0:
        return years_text(months // 12)
    return months_text(months)


# ---- the conversation ----------------------------------------------------------------------

PENALTY_CHOICES = {
    "warning": N_("Warning"), "fine": N_("Fine"), "non_custodial_reform": N_("Non-custodial reform"),
    "suspended": N_("Suspended sentence (án treo)"), "prison": N_("Prison (fixed term)"),
    "life": N_("Life imprisonment"), "death_commuted": N_("Death penalty, commuted"),
    "exempted": N_("Exempted from penalty"),
}


async def begin(ctx: StepContext):
    ctx.draft["case"] = {}
    if ctx.actor.role is Role.RETURNEE:
        record = await ctx.services.supervision.own_record(ctx.actor)
        completed = completion_day(record) if record is not None else None
        if completed:  # still serving too: the date the record expects, said as expected
            ctx.draft["case"].update(penalty=record.penalty_type.value, prison_months=record.penalty_months,
                                     completed=completed.isoformat())
            ctx.draft["expected"] = completed > ctx.services.supervision.today()
            return Goto("age")
    return None


def completion_day(record) -> date | None:
    """The day the waiting period starts, from the commune's record: the end of probation for a
    suspended sentence, non-custodial reform and conditional release (its probation; an inference,
    see legal-facts §1.2), the completion date of a prison term otherwise."""
    if record.penalty_type in (PenaltyType.SUSPENDED, PenaltyType.NON_CUSTODIAL_REFORM) \
            or record.category is Category.PAROLE:
        return record.probation_end
    return record.release_date


async def prompt_age(ctx: StepContext) -> Reply:
    text = _("How old were you when the offence was committed?")
    if ctx.draft["case"].get("completed"):
        penalty = _(PENALTY_CHOICES[ctx.draft["case"]["penalty"]]).lower()
        day = format_date(date.fromisoformat(ctx.draft["case"]["completed"]))
        start = (_("I will start from your record: {penalty}, expected to be completed on {date}.", penalty=penalty,
                   date=day) if ctx.draft.get("expected") else
                 _("I will start from your record: {penalty}, completed on {date}.", penalty=penalty, date=day))
        text = start + "\n" + text
    return Reply(text, (Choice("age:30", _("18 or older")), Choice("age:17", _("16 to under 18")),
                        Choice("age:15", _("14 to under 16"))))


async def on_age(ctx: StepContext, incoming: Incoming):
    ctx.draft["case"]["age"] = int(incoming.choice.split(":", 1)[1])
    return Goto("chapter")


async def prompt_chapter(ctx: StepContext) -> Reply:
    return Reply(_("Was it a crime against national security, or a war crime?"), (
        Choice("ch:ordinary", _("No")), Choice("ch:national_security", _("National security (Chương XIII)")),
        Choice("ch:war_crimes", _("War crimes (Chương XXVI)")),
    ))


async def on_chapter(ctx: StepContext, incoming: Incoming):
    ctx.draft["case"]["chapter"] = incoming.choice.split(":", 1)[1]
    return Goto("intent")


async def prompt_intent(ctx: StepContext) -> Reply:
    return Reply(_("Did the judgment say the offence was intentional or unintentional (vô ý)?"),
                 (Choice("in:intentional", _("Intentional")), Choice("in:unintentional", _("Unintentional"))))


async def on_intent(ctx: StepContext, incoming: Incoming):
    ctx.draft["case"]["intent"] = incoming.choice.split(":", 1)[1]
    case = ctx.draft["case"]
    if case["intent"] == "unintentional" or 16 <= case["age"] < 18:
        return Goto("gravity")
    case["category"] = "very_serious"  # does not change an adult's intentional case
    return _after_gravity(ctx)


async def prompt_gravity(ctx: StepContext) -> Reply:
    return Reply(_("How grave was the offence, as the judgment classed it?"), (
        Choice("g:less_serious", _("Less serious")), Choice("g:serious", _("Serious")),
        Choice("g:very_serious", _("Very serious")), Choice("g:especially_serious", _("Especially serious")),
    ))


async def on_gravity(ctx: StepContext, incoming: Incoming):
    ctx.draft["case"]["category"] = incoming.choice.split(":", 1)[1]
    return _after_gravity(ctx)


def _after_gravity(ctx: StepContext):
    return Goto("supplementary") if ctx.draft["case"].get("completed") else Goto("penalty")


async def prompt_penalty(ctx: StepContext) -> Reply:
    return Reply(_("The main penalty as pronounced?"), tuple(Choice(f"p:{k}", _(v)) for k, v in PENALTY_CHOICES.items()))


async def on_penalty(ctx: StepContext, incoming: Incoming):
    penalty = incoming.choice.split(":", 1)[1]
    ctx.draft["case"]["penalty"] = penalty
    if penalty == "exempted":
        ctx.draft["case"]["completed"] = ctx.services.supervision.today().isoformat()
        return await _result(ctx)
    return Goto("term" if penalty in ("prison", "suspended") else "completed")


async def prompt_term(ctx: StepContext) -> Reply:
    return Reply(_("The prison term as pronounced? For example “2 năm 6 tháng”."))


async def on_term(ctx: StepContext, incoming: Incoming):
    months = parse_term(incoming.text or "")
    if months is None:
        return Stay(_("Please type the term in years and months, for example “2 năm 6 tháng” or “18 tháng”."))
    ctx.draft["case"]["prison_months"] = months
    return Goto("completed")


async def prompt_completed(ctx: StepContext) -> Reply:
    if ctx.draft["case"]["penalty"] == "suspended":
        return Reply(_("On which date did your probation end? (dd/mm/yyyy)"))
    return Reply(_("On which date did you complete the main penalty (the date on the certificate)? (dd/mm/yyyy)"))


COMPLETED_DAY = DateQuestion("past", year_required=True, refused=N_(
    "That date is in the future. Type the day the sentence was completed; if it is not completed yet, ask the "
    "commune police when it will be."))


async def on_completed(ctx: StepContext, incoming: Incoming):
    day = COMPLETED_DAY.read(incoming.text or "", ctx.services.supervision.today())
    if isinstance(day, Stay):
        return day
    ctx.draft["case"]["completed"] = day.isoformat()
    return Goto("supplementary")


async def prompt_supplementary(ctx: StepContext) -> Reply:
    return Reply(_("Supplementary penalties, compensation and court fees: are they all completed?"), (
        Choice("sup:done", _("Yes, or there were none")), Choice("sup:date", _("They end on a later date")),
    ))


async def on_supplementary(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "sup:date":
        return Goto("supplementary_date")
    return Goto("new_crime")


async def prompt_supplementary_date(ctx: StepContext) -> Reply:
    return Reply(_("On which date do they end (or did they end)? (dd/mm/yyyy)"))


async def on_supplementary_date(ctx: StepContext, incoming: Incoming):
    day = DateQuestion(year_required=True).read(incoming.text or "", ctx.services.supervision.today())
    if isinstance(day, Stay):
        return day
    ctx.draft["case"]["supplementary"] = day.isoformat()
    return Goto("new_crime")


async def prompt_new_crime(ctx: StepContext) -> Reply:
    return Reply(_("Since then, have you been prosecuted or convicted for a new offence?"), (
        Choice("new:no", _("No")), Choice("new:pending", _("Yes, the case is not decided yet")),
        Choice("new:convicted", _("Yes, convicted")),
    ))


async def on_new_crime(ctx: StepContext, incoming: Incoming):
    answer = incoming.choice.split(":", 1)[1]
    if answer == "convicted":
        return Finish((Reply(_("With a later conviction the period starts again from the end of the new sentence "
                               "(BLHS 2015 Điều 73 khoản 2), and the court may have to decide. Please ask commune "
                               "police to work it out with you: send /contact.")),))
    ctx.draft["case"]["pending"] = answer == "pending"
    return await _result(ctx)


async def _result(ctx: StepContext) -> Finish:
    c = ctx.draft["case"]
    case = rules.Case(
        age_at_offence=c["age"], offence_chapter=c.get("chapter", "ordinary"),
        offence_category=c.get("category", "very_serious"), intent=c.get("intent", "intentional"),
        penalty=c["penalty"], prison_months=c.get("prison_months"),
        main_penalty_completed_on=date.fromisoformat(c["completed"]),
        supplementary_completed_on=date.fromisoformat(c["supplementary"]) if c.get("supplementary") else None,
        new_conviction_pending=bool(c.get("pending")),
    )
    try:
        result = rules.assess(case)
    except rules.InvalidCase:
        return Finish((Reply(_("These answers do not fit together (for example a suspended sentence over 3 years). "
                               "Please check them and start again with /expungement.")),))
    text = explain(result, ctx.services.supervision.today())
    if ctx.draft.get("expected") and result.date:
        text = _("You are still serving: this is the expected date, if your sentence ends on {date} as planned and "
                 "nothing changes.", date=format_date(date.fromisoformat(c["completed"]))) + "\n" + text
    return Finish((Reply(text),))


FLOW = Flow(
    name="expungement",
    command="expungement",
    title=N_("When is my record cleared?"),
    roles=frozenset({Role.RETURNEE, Role.FAMILY, Role.SUPERVISOR, Role.POLICE}),
    menu_roles=frozenset({Role.RETURNEE}),  # its title speaks as the person; staff use /expungement
    first="age",
    begin=begin,
    steps={
        "age": Step(prompt_age, on_age),
        "chapter": Step(prompt_chapter, on_chapter),
        "intent": Step(prompt_intent, on_intent),
        "gravity": Step(prompt_gravity, on_gravity),
        "penalty": Step(prompt_penalty, on_penalty),
        "term": Step(prompt_term, on_term, free_text=True),
        "completed": Step(prompt_completed, on_completed, free_text=True),
        "supplementary": Step(prompt_supplementary, on_supplementary),
        "supplementary_date": Step(prompt_supplementary_date, on_supplementary_date, free_text=True),
        "new_crime": Step(prompt_new_crime, on_new_crime),
    },
)
