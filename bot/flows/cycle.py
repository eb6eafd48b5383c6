"""The monthly and per-event work of commune police under Nghị định 231/2026 (issue 18):

- /breach — record a breach (biên bản vi phạm nghĩa vụ) or an administrative fine; the review
  meeting falls due within 5 working days;
- /reviews — record that a review was held, or missed (a missed one is a new breach record);
- /rollcall — the monthly roll call, in person;
- /grades — the month's list with the grade proposed from the facts: change any, the head
  signs, the workbook for the province and UBND xã;
- /complete — the completion certificate's date: the record moves on by itself.

```mermaid
stateDiagram-v2
    state "/breach" as b { [*] --> person --> kind --> day --> what --> intent --> [*] }
    state "/reviews" as r { [*] --> review --> outcome --> [*] }
    state "/grades" as g { [*] --> list --> change --> list
                           list --> [*]: sign / export }
    state "/complete" as c { [*] --> person --> day --> [*] }
```
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.clock import format_date
from bot.dialog.types import Attachment, Choice, Command, Finish, Flow, Goto, Incoming, Reply, Stay, Step, StepContext
from bot.flows.dates import DateQuestion
from bot.flows.pickers import Item, picker
from bot.i18n import N_, _, current_locale
from bot.labels import CATEGORY_LABELS, GRADE_LABELS, REASON_LABELS
from bot.models import Role
from bot.rules.cycle import GRADES
from bot.services.access import NotFound, PermissionDenied
from bot.services.supervision.cycle import SUPERVISED

PAST_DAY = DateQuestion("past", refused=N_("That date is in the future: record what has happened."))
POLICE = frozenset({Role.POLICE})


async def supervised(ctx: StepContext) -> list[Item]:
    rows = await ctx.services.supervision.roster(ctx.actor)
    return [Item(r.record.person_id, f"{r.record.full_name} · {_(CATEGORY_LABELS[r.record.category])}",
                 r.record.full_name) for r in rows if r.record.category in SUPERVISED]


async def _name(ctx: StepContext, person_id: int) -> str:
    return next((i.name for i in await supervised(ctx) if i.id == person_id), "?")


# ---- /breach ------------------------------------------------------------------------------

async def breach_begin(ctx: StepContext):
    if not await supervised(ctx):
        return Finish((Reply(_("No one of the commune is serving a suspended sentence, non-custodial reform or "
                               "conditional release.")),))
    return None


async def on_breach_person(ctx: StepContext, person_id: int):
    ctx.draft.update(person_id=person_id, name=await _name(ctx, person_id))
    return Goto("kind")


async def prompt_kind(ctx: StepContext) -> Reply:
    return Reply(_("What is recorded for {name}?", name=ctx.draft["name"]),
                 (Choice("breach", _("A breach of obligations (biên bản)")),
                  Choice("fine", _("An administrative fine"))))


async def on_kind(ctx: StepContext, incoming: Incoming):
    ctx.draft["kind"] = incoming.choice
    return Goto("day")


async def prompt_day(ctx: StepContext) -> Reply:
    return Reply(_("On which day? Type a date like 20/11, or choose:"),
                 (Choice("today", _("Today")), Choice("yesterday", _("Yesterday"))))


async def on_day(ctx: StepContext, incoming: Incoming):
    day = PAST_DAY.read({"today": "hôm nay", "yesterday": "hôm qua"}.get(incoming.choice, incoming.text or ""),
                        ctx.services.supervision.today())
    if isinstance(day, Stay):
        return day
    ctx.draft["day"] = day.isoformat()
    return Goto("what")


async def prompt_what(ctx: StepContext) -> Reply:
    return Reply(_("What happened, in a few words (as in the record)?"))


async def on_what(ctx: StepContext, incoming: Incoming):
    text = (incoming.text or "").strip()
    if len(text) < 2:
        return Stay(_("Please write a few words."))
    ctx.draft["what"] = text[:500]
    if ctx.draft["kind"] == "fine":
        return await _save_breach(ctx, intentional=True)
    return Goto("intent")


async def prompt_intent(ctx: StepContext) -> Reply:
    return Reply(_("Was the breach intentional? (Only intentional breaches count towards the threshold of two.)"),
                 (Choice("yes", _("Intentional")), Choice("no", _("Not intentional"))))


async def on_intent(ctx: StepContext, incoming: Incoming):
    return await _save_breach(ctx, intentional=incoming.choice == "yes")


async def _save_breach(ctx: StepContext, *, intentional: bool):
    d = ctx.draft
    try:
        saved = await ctx.services.supervision.record_breach(
            ctx.actor, d["person_id"], kind=d["kind"], on=date.fromisoformat(d["day"]), what=d["what"],
            intentional=intentional)
    except (NotFound, PermissionDenied):
        return Finish((Reply(_("This person is no longer on your list.")),))
    lines = [_("Saved. The review meeting (kiểm điểm) is due by {date}: 5 working days, public holidays excluded "
               "(Nghị định 231/2026, Điều 9). {name} has been told.", date=format_date(saved.review_due),
               name=d["name"])]
    if saved.threshold:
        lines.append(_("⚠️ The threshold of two is reached: the court may be asked to act. Commune police have been "
                       "alerted; the court decides."))
    return Finish((Reply("\n".join(lines)),))


BREACH = Flow(
    name="breach", command="breach", title=N_("Record a breach or a fine"), roles=POLICE, first="person",
    begin=breach_begin, menu_roles=frozenset(),
    steps={
        "person": picker("person", lambda: _("Whose breach?"), supervised, on_breach_person),
        "kind": Step(prompt_kind, on_kind),
        "day": Step(prompt_day, on_day, free_text=True),
        "what": Step(prompt_what, on_what, free_text=True),
        "intent": Step(prompt_intent, on_intent),
    },
)


# ---- /reviews -----------------------------------------------------------------------------

async def open_reviews(ctx: StepContext) -> list[Item]:
    return [Item(b.id, _("{name} · by {date}", name=r.full_name, date=format_date(b.review_due)), r.full_name)
            for b, r in await ctx.services.supervision.open_reviews(ctx.actor)]


async def reviews_begin(ctx: StepContext):
    if not await open_reviews(ctx):
        return Finish((Reply(_("No review meeting is waiting to be recorded.")),))
    return None


async def on_review(ctx: StepContext, breach_id: int):
    ctx.draft["breach_id"] = breach_id
    return Goto("outcome")


async def prompt_outcome(ctx: StepContext) -> Reply:
    return Reply(_("How did the review go?"), (Choice("held", _("Held")),
                                              Choice("absent_excused", _("Absent, with a legitimate reason")),
                                              Choice("absent", _("Absent without a legitimate reason"))))


async def on_outcome(ctx: StepContext, incoming: Incoming):
    try:
        new = await ctx.services.supervision.record_review(ctx.actor, ctx.draft["breach_id"], outcome=incoming.choice,
                                                           on=ctx.services.supervision.today())
    except (NotFound, PermissionDenied):
        return Finish((Reply(_("That review was recorded meanwhile.")),))
    if new is None:
        return Finish((Reply(_("Saved.")),))
    text = _("Saved. Missing the review without a legitimate reason is itself a breach record (Nghị định 231/2026, "
             "Điều 9); its own review is due by {date}.", date=format_date(new.review_due))
    if new.threshold:
        text += "\n" + _("⚠️ The threshold of two is reached: the court may be asked to act. Commune police have been "
                         "alerted; the court decides.")
    return Finish((Reply(text),))


REVIEWS = Flow(
    name="reviews", command="reviews", title=N_("Review meetings"), roles=POLICE, first="review", begin=reviews_begin,
    menu_roles=frozenset(),
    steps={"review": picker("review", lambda: _("Which review?"), open_reviews, on_review, prefix="rv"),
           "outcome": Step(prompt_outcome, on_outcome)},
)


# ---- /rollcall ----------------------------------------------------------------------------

async def on_rollcall_person(ctx: StepContext, person_id: int):
    today = ctx.services.supervision.today()
    name = await _name(ctx, person_id)
    if await ctx.services.supervision.record_roll_call(ctx.actor, person_id, today):
        return Finish((Reply(_("Roll call recorded for {name}, {date}, in person.", name=name,
                               date=format_date(today))),))
    ctx.draft.update(person_id=person_id, name=name)
    return Goto("spot")


async def prompt_spot(ctx: StepContext) -> Reply:
    return Reply(_("{name} already has this month's roll call. Record a spot check instead?", name=ctx.draft["name"]),
                 (Choice("yes", _("Record a spot check")), Choice("no", _("No"))))


async def on_spot(ctx: StepContext, incoming: Incoming):
    if incoming.choice != "yes":
        return Finish((Reply(_("Nothing was changed.")),))
    today = ctx.services.supervision.today()
    if not await ctx.services.supervision.record_roll_call(ctx.actor, ctx.draft["person_id"], today, how="spot"):
        return Finish((Reply(_("{name} already has a spot check this month.", name=ctx.draft["name"])),))
    return Finish((Reply(_("Spot check recorded for {name}, {date}.", name=ctx.draft["name"],
                           date=format_date(today))),))


ROLLCALL = Flow(
    name="rollcall", command="rollcall", title=N_("Monthly roll call"), roles=POLICE, first="person",
    begin=breach_begin, menu_roles=frozenset(),
    steps={"person": picker("person", lambda: _("Who came for this month's roll call?"), supervised,
                            on_rollcall_person),
           "spot": Step(prompt_spot, on_spot)},
)


# ---- /grades ------------------------------------------------------------------------------

def _month(ctx: StepContext) -> date:
    """The month being graded: the previous one (signed by day 5 of this one)."""
    if ctx.draft.get("month"):
        return date.fromisoformat(ctx.draft["month"])
    return (ctx.services.supervision.today().replace(day=1) - timedelta(days=1)).replace(day=1)


async def prompt_list(ctx: StepContext) -> Reply:
    month = _month(ctx)
    ctx.draft["month"] = month.isoformat()
    rows = await ctx.services.supervision.month(ctx.actor, month)
    if not rows:
        return Reply(_("No one was supervised in {month}.", month=f"{month:%m/%Y}"), (Choice("done", _("Done")),))
    lines = [_("Grades for {month} (proposed from the month's facts; the officer decides):", month=f"{month:%m/%Y}")]
    choices = []
    for record, grade, _facts in rows:
        shown = grade.grade or grade.proposed
        why = ", ".join(_(REASON_LABELS[r]) for r in grade.reasons if r in REASON_LABELS)
        mark = "✍️ " if grade.signed else ""
        lines.append(f"• {mark}{record.full_name}: {_(GRADE_LABELS[shown])} ({why})")
        if not grade.signed:
            choices.append(Choice(f"p:{record.person_id}", _("Change: {name}", name=record.full_name)))
    if ctx.actor.person.is_head and any(not g.signed for _r, g, _f in rows):
        choices.append(Choice("sign", _("✍️ Sign the month")))
    choices.append(Choice("export", _("The list as a spreadsheet")))
    return Reply("\n".join(lines), tuple(choices))


async def on_list(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "done":
        return Finish(())
    if incoming.choice and incoming.choice.startswith("p:"):
        ctx.draft["person_id"] = int(incoming.choice[2:])
        return Goto("change")
    month = _month(ctx)
    if incoming.choice == "sign":
        try:
            signed = await ctx.services.supervision.sign_month(ctx.actor, month)
        except PermissionDenied:
            return Stay(_("Only the head of commune police signs the month."))
        return Finish((Reply(_("Signed: {count} grades for {month}.", count=signed, month=f"{month:%m/%Y}")),
                       await _workbook(ctx, month)))
    return Finish((await _workbook(ctx, month),))


async def _workbook(ctx: StepContext, month: date) -> Reply:
    from bot.reports import grades

    rows = await ctx.services.supervision.month(ctx.actor, month)
    data = grades.build(rows, month, current_locale())
    return Reply(_("The list for {month}, for the provincial agency and the commune People's Committee.",
                   month=f"{month:%m/%Y}"),
                 attachment=Attachment("document", f"xep-loai-{month:%Y-%m}.xlsx", data))


async def prompt_change(ctx: StepContext) -> Reply:
    name = await _name(ctx, ctx.draft["person_id"])
    return Reply(_("Grade for {name}?", name=name), tuple(Choice(f"g:{g}", _(GRADE_LABELS[g])) for g in GRADES))


async def on_change(ctx: StepContext, incoming: Incoming):
    try:
        await ctx.services.supervision.set_grade(ctx.actor, ctx.draft["person_id"], _month(ctx), incoming.choice[2:])
    except (NotFound, PermissionDenied):
        return Finish((Reply(_("This person is no longer on your list.")),))
    return Goto("list")


GRADES_FLOW = Flow(
    name="grades", command="grades", title=N_("Monthly grades"), roles=POLICE, first="list",
    steps={"list": Step(prompt_list, on_list), "change": Step(prompt_change, on_change)},
)


# ---- /complete ----------------------------------------------------------------------------

async def on_complete_person(ctx: StepContext, person_id: int):
    ctx.draft.update(person_id=person_id, name=await _name(ctx, person_id))
    return Goto("day")


async def prompt_certificate_day(ctx: StepContext) -> Reply:
    return Reply(_("Date of {name}'s completion certificate (issued by the provincial police)? (dd/mm/yyyy)",
                   name=ctx.draft["name"]))


async def on_certificate_day(ctx: StepContext, incoming: Incoming):
    day = PAST_DAY.read(incoming.text or "", ctx.services.supervision.today())
    if isinstance(day, Stay):
        return day
    try:
        record = await ctx.services.supervision.certify_completion(ctx.actor, ctx.draft["person_id"], day)
    except (NotFound, PermissionDenied):
        return Finish((Reply(_("This person is no longer on your list.")),))
    if record.open:
        text = _("Saved. {name} now follows the returnee regime (Thông tư 10/2024/TT-BCA): contacts every three "
                 "months, loan and expungement dates from {date}. The commune People's Committee ends supervision "
                 "within 3 working days (Nghị định 231/2026, Điều 12).", name=ctx.draft["name"], date=format_date(day))
    else:
        text = _("Saved. Supervision of {name} ends; the record waits for expungement. The commune People's "
                 "Committee ends supervision within 3 working days (Nghị định 231/2026, Điều 12).",
                 name=ctx.draft["name"])
        from bot.flows.views import expected_expungement

        expected = expected_expungement(record, completed=day)
        if expected:
            text += "\n" + _("Expected expungement date: {date} (an adult's automatic expungement, BLHS Điều 70; "
                             "preliminary).", date=format_date(expected))
    return Finish((Reply(text + "\n" + _("{name} has been told what happens next.", name=ctx.draft["name"])),))


COMPLETE = Flow(
    name="complete", command="complete", title=N_("End of the term"), roles=POLICE, first="person",
    begin=breach_begin, menu_roles=frozenset(),
    steps={"person": picker("person", lambda: _("Whose term has ended?"), supervised, on_complete_person),
           "day": Step(prompt_certificate_day, on_certificate_day, free_text=True)},
)


# ---- /shortening --------------------------------------------------------------------------

async def on_shortening(ctx: StepContext) -> list[Reply]:
    rows = await ctx.services.supervision.may_be_proposed(ctx.actor)
    if not rows:
        return [Reply(_("No one is past half of their probation without a breach yet."))]
    lines = [_("May be proposed for a shorter probation (past half, no breach, no grade below Khá; the court "
               "decides; the 2019 law's quantities need confirming):")]
    for record, half, facts in rows:
        lines.append(_("• {name}: half reached on {date}; grades Tốt {good}, Khá {fair}; {reports} periodic reports",
                       name=record.full_name, date=format_date(half), good=facts["good"], fair=facts["fair"],
                       reports=facts["reports"]))
    return [Reply("\n".join(lines))]


SHORTENING = Command("shortening", N_("Who may be proposed for a shorter probation"), POLICE, on_shortening,
                     in_menu=False)


# ---- /periodic ----------------------------------------------------------------------------

async def pending(ctx: StepContext) -> list[Item]:
    return [Item(r.id, f"{name} · {format_date(r.created_at)}", name)
            for r, name in await ctx.services.supervision.pending_reports(ctx.actor)]


async def periodic_begin(ctx: StepContext):
    if not await pending(ctx):
        return Finish((Reply(_("No periodic report is waiting for you.")),))
    return None


async def on_pending(ctx: StepContext, report_id: int):
    ctx.draft["report_id"] = report_id
    return Goto("decide")


async def prompt_decide(ctx: StepContext) -> Reply:
    from bot.labels import WELLBEING_LABELS, WORK_LABELS

    report, name = next(((r, n) for r, n in await ctx.services.supervision.pending_reports(ctx.actor)
                         if r.id == ctx.draft["report_id"]), (None, "?"))
    if report is None:
        return Reply(_("That report was dealt with meanwhile."), (Choice("done", _("Done")),))
    lines = [_("Report of {name}, {date}:", name=name, date=format_date(report.created_at)),
             _("How they are: {state}", state=_(WELLBEING_LABELS.get(report.wellbeing, report.wellbeing))),
             _("Work: {work}", work=_(WORK_LABELS.get(report.work, report.work)))]
    if report.help_needed:
        lines.append(_("Needs: {text}", text=report.help_needed))
    return Reply("\n".join(lines), (Choice("accept", _("Accept")), Choice("redo", _("Ask for a new report"))))


async def on_decide(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "done":
        return Finish(())
    if incoming.choice == "redo":
        return Goto("why")
    done = await ctx.services.supervision.review_report(ctx.actor, ctx.draft["report_id"], accept=True)
    return Finish((Reply(_("Accepted; they have been told.") if done else _("That report was dealt with meanwhile.")),))


async def prompt_why(ctx: StepContext) -> Reply:
    return Reply(_("What is missing? The person reads this."))


async def on_why(ctx: StepContext, incoming: Incoming):
    text = (incoming.text or "").strip()
    if len(text) < 2:
        return Stay(_("Please write a few words."))
    done = await ctx.services.supervision.review_report(ctx.actor, ctx.draft["report_id"], accept=False, note=text)
    return Finish((Reply(_("Sent back; they have been told what is missing.") if done
                         else _("That report was dealt with meanwhile.")),))


PERIODIC = Flow(
    name="periodic", command="periodic", title=N_("Periodic reports"), roles=POLICE, first="report",
    begin=periodic_begin, menu_roles=frozenset(),
    steps={"report": picker("report", lambda: _("Which report?"), pending, on_pending, prefix="rp"),
           "decide": Step(prompt_decide, on_decide), "why": Step(prompt_why, on_why, free_text=True)},
)


# ---- /absence (the person) and /absences (police) -----------------------------------------

FIRST_DAY = DateQuestion("future", refused=N_("Please type a day from today on."))


async def absence_begin(ctx: StepContext):
    if await ctx.services.supervision.my_absences(ctx.actor) is None:
        return Finish((Reply(_("Only someone serving a sentence in the community asks for this. If you need to be "
                               "away, tell your commune police.")),))
    return None


async def prompt_first(ctx: StepContext) -> Reply:
    return Reply(_("Ask commune police for permission to be away (1 day or more needs a written request and the "
                   "commune's written consent; the bot passes on your request, it does not decide). From which day? "
                   "(dd/mm/yyyy)"))


async def on_first(ctx: StepContext, incoming: Incoming):
    day = FIRST_DAY.read(incoming.text or "", ctx.services.supervision.today())
    if isinstance(day, Stay):
        return day
    ctx.draft["first"] = day.isoformat()
    return Goto("last")


async def prompt_last(ctx: StepContext) -> Reply:
    return Reply(_("Until which day? (dd/mm/yyyy)"))


async def on_last(ctx: StepContext, incoming: Incoming):
    first = date.fromisoformat(ctx.draft["first"])
    day = FIRST_DAY.read(incoming.text or "", ctx.services.supervision.today())
    if isinstance(day, Stay):
        return day
    if day < first:
        return Stay(_("The last day comes after the first ({date}).", date=format_date(first)))
    ctx.draft["last"] = day.isoformat()
    return Goto("place")


async def prompt_place(ctx: StepContext) -> Reply:
    return Reply(_("Where will you be (commune, province)?"))


async def on_place(ctx: StepContext, incoming: Incoming):
    text = (incoming.text or "").strip()
    if len(text) < 2:
        return Stay(_("Please write a few words."))
    ctx.draft["place"] = text[:200]
    return Goto("reason")


async def prompt_reason(ctx: StepContext) -> Reply:
    return Reply(_("Why?"), (Choice("work", _("Work or study there")), Choice("family", _("Family matters")),
                             Choice("health", _("Medical treatment"))))


REASONS = {"work": N_("Work or study there"), "family": N_("Family matters"), "health": N_("Medical treatment")}


async def on_reason(ctx: StepContext, incoming: Incoming):
    d = ctx.draft
    reason = _(REASONS[incoming.choice]) if incoming.choice in REASONS else (incoming.text or "").strip()
    if len(reason) < 2:
        return Stay(_("Please write a few words."))
    first, last = date.fromisoformat(d["first"]), date.fromisoformat(d["last"])
    per, total, used = await ctx.services.supervision.request_absence(
        ctx.actor, first=first, last=last, place=d["place"], reason=reason, for_work=incoming.choice == "work")
    days = (last - first).days + 1
    lines = [_("Sent to commune police: {days} days, {first} to {last}. They will tell you the decision here.",
               days=days, first=format_date(first), last=format_date(last))]
    if per is not None:
        lines.append(_("Not certain: {what} Ask commune police before relying on it.", what=_(
            "under the 2019 law, at most {per} days per absence and {total} days in all; you have had {used} "
            "approved.", per=per, total=total, used=used)))
    return Finish((Reply("\n".join(lines)),))


ABSENCE = Flow(
    name="absence", command="absence", title=N_("Ask to be away from home"), roles=frozenset({Role.RETURNEE}),
    first="first", begin=absence_begin, menu_roles=frozenset(),
    steps={"first": Step(prompt_first, on_first, free_text=True), "last": Step(prompt_last, on_last, free_text=True),
           "place": Step(prompt_place, on_place, free_text=True), "reason": Step(prompt_reason, on_reason, free_text=True)},
)


async def absences(ctx: StepContext) -> list[Item]:
    today = ctx.services.supervision.today()
    items = []
    for absence, record, _per, _total, _used in await ctx.services.supervision.absences_to_handle(ctx.actor):
        if absence.state == "requested":
            label = _("{name}: asks {first}–{last}", name=record.full_name, first=format_date(absence.first_day),
                      last=format_date(absence.last_day))
        elif absence.last_day < today:
            label = _("{name}: ⚠️ was due back on {date}", name=record.full_name, date=format_date(absence.last_day))
        else:
            label = _("{name}: away until {date}", name=record.full_name, date=format_date(absence.last_day))
        items.append(Item(absence.id, label, record.full_name))
    return items


async def absences_begin(ctx: StepContext):
    if not await absences(ctx):
        return Finish((Reply(_("No request or absence to deal with.")),))
    return None


async def on_absence(ctx: StepContext, absence_id: int):
    ctx.draft["absence_id"] = absence_id
    return Goto("handle")


async def prompt_handle(ctx: StepContext) -> Reply:
    row = next((r for r in await ctx.services.supervision.absences_to_handle(ctx.actor)
                if r[0].id == ctx.draft["absence_id"]), None)
    if row is None:
        return Reply(_("That was dealt with meanwhile."), (Choice("done", _("Done")),))
    absence, record, per, total, used = row
    lines = [_("{name}: {first} to {last} ({days} days), {place}. Reason: {reason}.", name=record.full_name,
               first=format_date(absence.first_day), last=format_date(absence.last_day), days=absence.days,
               place=absence.place, reason=absence.reason),
             _("Days approved so far: {used}. Under the 2019 law (to be confirmed for the 2025 law): at most {per} days "
               "per absence, {total} in all.", used=used, per=per if per is not None else "—", total=total)]
    if absence.state == "requested":
        return Reply("\n".join(lines), (Choice("yes", _("Agreed in writing")), Choice("no", _("Not agreed"))))
    return Reply("\n".join(lines), (Choice("back", _("Back today")),))


async def on_handle(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "done":
        return Finish(())
    if incoming.choice == "back":
        done = await ctx.services.supervision.absence_returned(ctx.actor, ctx.draft["absence_id"],
                                                               ctx.services.supervision.today())
        return Finish((Reply(_("Return recorded.") if done else _("That was dealt with meanwhile.")),))
    ctx.draft["approved"] = incoming.choice == "yes"
    return Goto("ref")


async def prompt_ref(ctx: StepContext) -> Reply:
    return Reply(_("The written decision's number and date (or the reasons for refusing)?"))


async def on_ref(ctx: StepContext, incoming: Incoming):
    text = (incoming.text or "").strip()
    if len(text) < 2:
        return Stay(_("Please write a few words."))
    done = await ctx.services.supervision.decide_absence(ctx.actor, ctx.draft["absence_id"],
                                                         approved=ctx.draft["approved"], ref=text)
    return Finish((Reply(_("Saved; they have been told.") if done else _("That was dealt with meanwhile.")),))


ABSENCES = Flow(
    name="absences", command="absences", title=N_("Absences"), roles=POLICE, first="pick", begin=absences_begin,
    menu_roles=frozenset(),
    steps={"pick": picker("pick", lambda: _("Which one?"), absences, on_absence, prefix="ab"),
           "handle": Step(prompt_handle, on_handle), "ref": Step(prompt_ref, on_ref, free_text=True)},
)


# ---- /present (the person's roll call through the bot) -------------------------------------

async def present_begin(ctx: StepContext):
    state = await ctx.services.supervision.my_roll_call(ctx.actor)
    if state == "open":
        return None
    return Finish((Reply({
        "done": _("You have already done this month's roll call. Thank you."),
        "off": _("Your commune does the roll call in person: please come to the commune police office in the first "
                 "5 days of the month."),
        "closed": _("The roll call through the bot is open in the first days of each month only. Please come back "
                    "then, or see the commune police."),
        "none": _("Only someone serving a sentence in the community does a monthly roll call."),
    }[state]),))


async def prompt_evidence(ctx: StepContext) -> Reply:
    return Reply(_("This month's roll call: send your current location (or a photo taken where you live)."))


async def on_evidence(ctx: StepContext, incoming: Incoming):
    if not incoming.media:
        return Stay(_("Please send your location or a photo; a typed message cannot stand in for it."))
    done = await ctx.services.supervision.roll_call_by_person(ctx.actor, photo=incoming.photo, location=incoming.location)
    if not done:
        return Finish((Reply(_("You have already done this month's roll call. Thank you.")),))
    return Finish((Reply(_("Roll call recorded for {month}. Thank you.",
                           month=f"{ctx.services.supervision.today():%m/%Y}")),))


PRESENT = Flow(
    name="present", command="present", title=N_("Monthly roll call"), roles=frozenset({Role.RETURNEE}),
    first="evidence", begin=present_begin, menu_roles=frozenset(),
    steps={"evidence": Step(prompt_evidence, on_evidence, free_text=True, media=True)},
)
