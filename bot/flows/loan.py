"""/loan — can I borrow under Quyết định 22/2023/QĐ-TTg? A quick check, then help with the dossier."""

from __future__ import annotations

from datetime import date

from bot.clock import format_date
from bot.dialog.types import Choice, Finish, Flow, Goto, Incoming, Reply, Stay, Step, StepContext
from bot.flows.contact import on_message as send_message
from bot.flows.expungement import COMPLETED_DAY
from bot.i18n import N_, _, current_locale
from bot.models import Category, Role
from bot.rules import loans
from bot.services import helpdesk


async def begin(ctx: StepContext):
    """What the record holds is used, not asked again: the completion date (said back so the person
    can correct it with the commune), or that the sentence is still being served."""
    if ctx.actor.role is Role.RETURNEE:
        record = await ctx.services.supervision.own_record(ctx.actor)
        finished_in_community = (record is not None and record.category in (Category.SUSPENDED, Category.NON_CUSTODIAL)
                                 and record.probation_end and record.probation_end <= ctx.services.supervision.today())
        if finished_in_community:
            # They hold no "giấy chứng nhận chấp hành xong án phạt tù": marked as the fact sheet marks it.
            return Finish((Reply(_(
                "This loan (Quyết định 22/2023/QĐ-TTg, Điều 3) is for people holding a certificate of having served "
                "a prison term, or an amnesty certificate. Having finished a suspended sentence or non-custodial "
                "reform, you hold neither, so it may not apply to you.") + "\n" + _(
                "Not certain: {what} Ask commune police before relying on it.", what=_(
                    "this is an inference, not a confirmed rule: ask the Social Policy Bank or commune police.")) + "\n" + _(
                "Other help: training loans, the National Employment Fund, provincial support; your supporter and "
                "commune police can help: send /contact.")),))
        if record and record.category.serving_in_community:
            return Finish((Reply(_(
                "This loan (Quyết định 22/2023/QĐ-TTg) is for people who have completed a prison sentence. While "
                "you are still serving yours in the community you may not be on the list yet; your supporter and "
                "the commune police can tell you what other help there is: send /contact.")),))
        if record and record.category in (Category.RELEASED, Category.AMNESTY) and record.release_date:
            ctx.draft["completed"] = record.release_date.isoformat()
            ctx.draft["from_record"] = True
    return None


async def prompt_purpose(ctx: StepContext) -> Reply:
    return Reply(_("What is the loan for?"), (Choice("pu:training", _("Vocational training or study")),
                                             Choice("pu:business", _("Production, business, a job"))))


async def on_purpose(ctx: StepContext, incoming: Incoming):
    ctx.draft["purpose"] = incoming.choice.split(":", 1)[1]
    return Goto("list" if ctx.draft.get("completed") else "completed")


async def prompt_completed(ctx: StepContext) -> Reply:
    return Reply(_("On which date did you complete your prison sentence (the date on the certificate)?"),
                 (Choice("none", _("I have no certificate")),))


async def on_completed(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "none":
        ctx.draft["completed"] = None
        return Goto("list")
    day = COMPLETED_DAY.read(incoming.text or "", ctx.services.supervision.today())
    if isinstance(day, Stay):
        return day
    ctx.draft["completed"] = day.isoformat()
    return Goto("list")


async def prompt_list(ctx: StepContext) -> Reply:
    known = ""
    if ctx.draft.get("from_record"):
        known = _("Your record says you completed your sentence on {date} (if that is wrong, tell the commune "
                  "police).", date=format_date(date.fromisoformat(ctx.draft["completed"]))) + "\n"
    return Reply(known + _("Are you on the commune's list of returnees who may borrow (drawn up by commune police, "
                   "confirmed by the commune People's Committee, Mẫu số 01)?"),
                 (Choice("l:yes", _("Yes")), Choice("l:no", _("No")), Choice("l:unknown", _("I do not know"))))


async def on_list(ctx: StepContext, incoming: Incoming):
    ctx.draft["on_list"] = {"yes": True, "no": False, "unknown": None}[incoming.choice.split(":", 1)[1]]
    return Goto("debt")


async def prompt_debt(ctx: StepContext) -> Reply:
    return Reply(_("Do you still owe the Social Policy Bank (NHCSXH) on another loan for the same purpose?"),
                 (Choice("d:no", _("No")), Choice("d:yes", _("Yes"))))


async def on_debt(ctx: StepContext, incoming: Incoming):
    d = ctx.draft
    today = ctx.services.supervision.today()
    result = loans.check(completed_on=date.fromisoformat(d["completed"]) if d.get("completed") else None, today=today,
                         on_list=d["on_list"], outstanding_same_purpose=incoming.choice == "d:yes")
    return Goto("help", (Reply(_explain(result, d["purpose"])),))


def _explain(result: loans.LoanCheck, purpose: str) -> str:
    figures = {k: f.value[current_locale()] for k, f in helpdesk.figures().items()}
    lines = []
    if result.verdict == "eligible":
        lines.append(_("You appear to meet the conditions."))
    elif result.verdict == "check":
        lines.append(_("You may be able to borrow; one thing must be checked first."))
    else:
        lines.append(_("You do not appear to meet the conditions now."))
    reasons = {
        "window_passed": _("More than 5 years have passed since you completed your sentence (the limit was {date}).",
                           date=format_date(result.last_day) if result.last_day else ""),
        "outstanding_debt": _("You must first repay the NHCSXH loan you have for the same purpose."),
        "not_on_list": _("Your name must be on the commune's list: ask commune police to include you."),
        "list_unknown": _("Ask commune police whether you are on the commune's list (Mẫu số 01)."),
        "no_certificate": _("You need the certificate of completion of your prison sentence (or amnesty)."),
    }
    lines += [f"• {reasons[p]}" for p in result.problems]
    if result.last_day and "window_passed" not in result.problems:
        lines.append(_("Apply by {date}: loans are for up to 5 years after completing the sentence.",
                       date=format_date(result.last_day)))
    if purpose == "training":
        lines.append(_("For training: up to {amount}.", amount=figures["training_loan_per_month"]))
    else:
        lines.append(_("For business: up to {amount}, through your household, no collateral.",
                       amount=figures["business_loan_max"]))
    lines.append(_("Bring: your ID card, the certificate of completion (or amnesty) and the commune's confirmation; "
                   "the bank's exact list is not confirmed here, so ask the NHCSXH officer."))
    lines.append(_("Source: {sources}", sources="Quyết định 22/2023/QĐ-TTg, Điều 3, 6"))
    return "\n".join(lines)


async def prompt_help(ctx: StepContext) -> Reply:
    return Reply(_("Shall I ask your supporter and the commune police to help you with the loan dossier?"),
                 (Choice("yes", _("Yes, please")), Choice("no", _("No, thank you"))))


async def on_help(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "no":
        return Finish((Reply(_("All right. Send /loan again any time.")),))
    if ctx.actor.role is not Role.RETURNEE:
        return Finish((Reply(_("Only the person themself can ask for this help.")),))
    purpose = _("training") if ctx.draft["purpose"] == "training" else _("business")
    ctx.draft["topic"] = "loan"
    return await send_message(ctx, type(incoming)(text=_("I would like help with a loan dossier ({purpose}).",
                                                         purpose=purpose)))


FLOW = Flow(
    name="loan",
    command="loan",
    title=N_("Can I get a loan?"),
    roles=frozenset({Role.RETURNEE, Role.FAMILY, Role.SUPERVISOR, Role.POLICE}),
    menu_roles=frozenset({Role.RETURNEE}),  # its title speaks as the person; staff use /loan
    first="purpose",
    begin=begin,
    steps={
        "purpose": Step(prompt_purpose, on_purpose),
        "completed": Step(prompt_completed, on_completed, free_text=True),
        "list": Step(prompt_list, on_list),
        "debt": Step(prompt_debt, on_debt),
        "help": Step(prompt_help, on_help),
    },
)
