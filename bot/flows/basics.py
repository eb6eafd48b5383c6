"""Commands everyone has, and what the bot says outside any conversation.

Stateless: /start (with or without an invite code), /help, /privacy, /cancel when nothing is in
progress, unknown commands, free text and other content outside a conversation, the main menu.
"""

from __future__ import annotations

import logging

from bot.dialog.types import Choice, Command, Flow, Reply, StepContext, Turn
from bot.labels import not_available, role_label
from bot.i18n import N_, _
from bot.models import Role
from bot.services.accounts import RedeemStatus, looks_like_code
from bot.textnorm import fold

log = logging.getLogger(__name__)

MENU_STATE = "menu"


def main_menu(ctx: StepContext) -> Reply:
    """The big buttons: every flow this person may start."""
    items = ctx.services.flows.allowed(ctx)
    choices = tuple(Choice(f"go:{item.name}", _(item.title)) for item in items)
    return Reply(_("What would you like to do?"), choices, MENU_STATE)


def stranger_intro() -> Reply:
    return Reply(
        _("Hello! This is Hòa Nhập, the community reintegration assistant of the commune police. "
          "It helps village supervisors, commune police, and people returning to the community "
          "with loans, jobs, papers and reminders.\n\n"
          "To use it you need an invite code from your commune police. If you have one, type it "
          "here. To change the language, send /language.")
    )


async def on_start(ctx: StepContext, payload: str | None) -> list[Reply]:
    """/start, or /start CODE from a deep link."""
    if payload:
        return await redeem(ctx, payload)
    if ctx.actor.role is None:
        return [stranger_intro()]
    return [welcome_back(ctx), main_menu(ctx)]


def welcome_back(ctx: StepContext) -> Reply:
    return Reply(_("Welcome back. You are registered as a {role}.", role=role_label(ctx.actor.role)))


async def redeem(ctx: StepContext, code: str) -> list[Reply]:
    actor = ctx.actor
    result = await ctx.services.accounts.redeem(actor.messenger, actor.external_id, actor.chat_id, code, actor.locale)
    if result.status is RedeemStatus.ALREADY_REGISTERED:
        return [Reply(_("You are already registered as a {role} of {commune}. Send /help to see what you can do.",
                        role=role_label(result.person.role), commune=result.commune.name))]
    if result.status is RedeemStatus.UNKNOWN:
        return [Reply(_("I could not find that code. Please check it and type it again, or ask your "
                        "commune police for a new one."))]
    if result.status is RedeemStatus.USED:
        return [Reply(_("That code has already been used. Each code works once; please ask your commune "
                        "police for a new one."))]
    if result.status is RedeemStatus.CANCELLED:
        return [Reply(_("That code has been cancelled by the commune police. Please ask them for a new one."))]
    if result.status is RedeemStatus.EXPIRED:
        return [Reply(_("That code has expired (codes are valid for 7 days). Please ask your commune "
                        "police for a new one."))]
    ctx.actor = await ctx.services.accounts.identify(actor.messenger, actor.external_id, actor.chat_id)
    welcome = Reply(_("Welcome! You are now registered as a {role} of {commune}.",
                      role=role_label(result.person.role), commune=result.commune.name))
    if not result.person.full_name.strip():  # the code was made without a name: ask it now
        return [welcome, NEEDS_NAME]
    return [welcome, main_menu(ctx)]


NEEDS_NAME = Reply("")  # a marker: the caller starts /myname after these replies


async def joined(ctx: StepContext, replies: list[Reply]) -> Turn:
    """The turn after /start CODE or a typed code: the replies, then the name question if needed."""
    if replies and replies[-1] is NEEDS_NAME:
        from bot.dialog import engine

        asked = await engine.begin(ctx.services.flows.flows["myname"], ctx)
        return Turn((*replies[:-1], *asked.replies), asked.state)
    return Turn(tuple(replies), None)


HELP_HEADLINES = {
    Role.POLICE: N_("As commune police you can:"),
    Role.SUPERVISOR: N_("As a village supervisor you can:"),
    Role.RETURNEE: N_("Here you can:"),
    Role.FAMILY: N_("As a family member you can:"),
    Role.PROVINCE: N_("As provincial police you can:"),
}
ACCOUNT = ("language", "myname", "privacy", "mydata", "linkcode", "reminders", "share")  # about oneself
CYCLE = ("grades", "periodic", "rollcall", "breach", "reviews", "absences", "shortening", "complete")


def help_text(ctx: StepContext) -> str:
    """What this person can do now, by command, in two groups: their work, and their account."""
    items = ctx.services.flows.for_role(ctx.actor.role)
    work, account, cycle = [], [], []
    for item in items:
        command = getattr(item, "command", None) or item.name
        if command in ("help", "start"):
            continue
        if command in CYCLE:
            cycle.append(f"/{command}")
            continue
        line = f"/{command} — {_(item.title)}"
        (account if command in ACCOUNT else work).append(line)
    if cycle:  # police's monthly and per-event duties on one line
        work.append(", ".join(cycle) + " — " + _("the supervision cycle (Nghị định 231/2026)"))
    lines = [_(HELP_HEADLINES[ctx.actor.role]), *work, _("Your account:"), *account,
             _("/cancel — stop what you are doing")]
    return "\n".join(lines)


async def on_help(ctx: StepContext) -> list[Reply]:
    role = ctx.actor.role
    if role is None:
        return [stranger_intro()]
    return [Reply(help_text(ctx)), main_menu(ctx)]


async def on_linkcode(ctx: StepContext) -> list[Reply]:
    """A code to use this same account on the other messenger (Telegram ↔ Zalo)."""
    invite = await ctx.services.accounts.create_invite(role=ctx.actor.role, commune_id=ctx.actor.person.commune_id,
                                                       person_id=ctx.actor.person.id, created_by=None,
                                                       full_name=ctx.actor.person.full_name)
    return [Reply(_("To use the bot on your other messenger (Zalo or Telegram) as the same person, open it there "
                    "and send: /start {code}\nValid for 7 days, once.", code=invite.code))]


async def on_mydata(ctx: StepContext) -> list[Reply]:
    """A copy of everything kept about me (a JSON file)."""
    from bot.dialog.types import Attachment

    data = await ctx.services.privacy.my_data(ctx.actor)
    return [Reply(_("Here is a copy of everything the bot keeps about you. To ask for a correction or a "
                    "deletion, send /privacy."), attachment=Attachment("document", "du-lieu-cua-toi.json", data))]


MYDATA = Command("mydata", N_("A copy of my data"),
                 frozenset({Role.POLICE, Role.SUPERVISOR, Role.RETURNEE, Role.FAMILY, Role.PROVINCE}), on_mydata,
                 in_menu=False)
LINKCODE = Command("linkcode", N_("Use the bot on another messenger"),
                   frozenset({Role.POLICE, Role.SUPERVISOR, Role.RETURNEE, Role.FAMILY, Role.PROVINCE}), on_linkcode,
                   in_menu=False)
HELP = Command("help", N_("What I can do for you"), frozenset(), on_help, in_menu=False)


def nothing_to_cancel() -> Reply:
    return Reply(_("There is nothing to cancel. Send /help to see what you can do."))


def cancelled() -> Reply:
    return Reply(_("Cancelled. Nothing was saved. Send /help to see what you can do."))


def unknown_command() -> Reply:
    return Reply(_("I do not know that command. Send /help to see what you can do."))


def busy(flow: Flow) -> str:
    return _("You are in the middle of: {task}. Answer the question below, or send /cancel to stop.",
             task=_(flow.title))


def left(flow: Flow) -> Reply:
    return Reply(_("You left: {task} (send /{command} to start it again).", task=_(flow.title),
                   command=flow.command))


def resumed() -> Reply:
    return Reply(_("Let's go on where we stopped (send /cancel to stop):"))


def no_open_question() -> Reply:
    return Reply(_("That number answers no open question. Send /help to see what you can do."))


def stale_button() -> Reply:
    return Reply(_("That button is no longer active. Send /help to see what you can do."))


def group_linked() -> Reply:
    return Reply(_("This group will now receive the commune's alerts."))


def not_for_you() -> Reply:
    return not_available()


def slow_down() -> Reply:
    return Reply(_("You are sending messages very fast. Please wait half a minute, then try again."))


def only_text() -> Reply:
    return Reply(_("Sorry, I can only read text messages here."))


def edited_message() -> Reply:
    return Reply(_("I do not see changes to a message already sent. Please send the corrected answer "
                   "again as a new message."))


def protected_sender() -> Reply:
    return Reply(_("Zalo does not show me what you sent. Please ask the commune police or a relative to help you, "
                   "or come to the commune police office; they can answer you in person."))


def something_went_wrong() -> Reply:
    return Reply(_("Sorry, something went wrong on our side. What you confirmed earlier is saved. "
                   "Please try again in a moment."))


ACKNOWLEDGEMENTS = {"ok", "oke", "okay", "da", "vang", "da nhan", "nhan duoc", "da doc", "roi", "u"}


async def on_idle_text(ctx: StepContext, text: str) -> Turn:
    """Free text outside any conversation: an invite code from a stranger, or a question."""
    if ctx.actor.role is None:
        if looks_like_code(text):
            return await joined(ctx, await redeem(ctx, text))
        return Turn((stranger_intro(),), None)
    if fold(text).strip(" .!") in ACKNOWLEDGEMENTS:  # "OK" to a reminder
        return Turn((Reply(_("Thank you. Send /help whenever you need something.")),), None)
    if ctx.actor.role is Role.PROVINCE:
        return Turn((Reply(_("Sorry, I did not understand that. Choose what you would like to do:")), main_menu(ctx)),
                    None)
    from bot.flows import helpdesk

    return await helpdesk.on_free_text(ctx, text)
