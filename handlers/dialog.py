"""Telegram handlers. Each callback: read the update, call one neutral step, send the replies.

All flows share one persistent ``ConversationHandler`` named ``dialog`` whose states are the
flows' stable state strings (``"invite:role"``), so a person is in at most one conversation at a
time, exactly as on the text channels (``bot.dialog.runner``).
"""

from __future__ import annotations

import asyncio

import logging
import warnings

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.dialog import engine
from bot.dialog.runner import command_in_dialog, start_item
from bot.dialog.types import Incoming, StepContext, Turn
from bot.flows import alerts, basics
from bot.i18n import use_locale
from bot.models import Messenger
from bot.textnorm import clean_input
from handlers import commands_menu
from handlers.render import incoming, send

log = logging.getLogger(__name__)

END = ConversationHandler.END
DRAFT = "draft"


async def _context(update: Update, context: ContextTypes.DEFAULT_TYPE) -> StepContext:
    """The neutral step context for this update (the actor is looked up once per update)."""
    services = context.application.bot_data["services"]
    actor = context.__dict__.get("_actor")
    if actor is None:
        user = update.effective_user
        chat = update.effective_chat
        actor = await services.accounts.identify(Messenger.TELEGRAM, str(user.id), str(chat.id))
        context.__dict__["_actor"] = actor
    draft = context.user_data.setdefault(DRAFT, {}) if context.user_data is not None else {}
    return StepContext(services, actor, draft)


async def _deliver(update: Update, context: ContextTypes.DEFAULT_TYPE, ctx: StepContext, replies) -> None:
    """Acknowledge a pressed button (and retire its keyboard), then send the replies."""
    query = update.callback_query
    if query is not None:  # both at once: one round trip to Telegram instead of two on a slow network
        retire = query.message is not None and getattr(query.message, "reply_markup", None)
        await asyncio.gather(query.answer(), *([query.edit_message_reply_markup(reply_markup=None)] if retire else []))
    before = context.__dict__.get("_actor")
    with use_locale(ctx.actor.locale):
        for reply in replies:
            await send(context.bot, update.effective_chat.id, reply)
    if before is not None and (before.locale != ctx.actor.locale or before.role != ctx.actor.role):
        await commands_menu.sync_chat(context.bot, ctx.services.flows, update.effective_chat.id, ctx.actor)


async def _run(update: Update, context, produce, *, dialog: bool = True) -> str | None:
    """Shared body of every callback: build the context, compute a turn, deliver it.

    Only the conversation's own handlers (``dialog``) may end it and drop its draft: a handler
    outside it (a stale button, a command) must leave a conversation in progress untouched."""
    ctx = await _context(update, context)
    if not dialog:
        ctx = StepContext(ctx.services, ctx.actor, {})
    with use_locale(ctx.actor.locale):
        turn: Turn = await produce(ctx)
    await _deliver(update, context, ctx, turn.replies)
    if dialog and turn.state is None and context.user_data is not None:
        context.user_data.pop(DRAFT, None)
    return turn.state


# ---- inside the conversation ---------------------------------------------------------------

def _answer(state: str):
    async def on_answer(update: Update, context: ContextTypes.DEFAULT_TYPE):
        """Feed a typed answer or a pressed button to the step waiting at this state."""
        data = incoming(update)
        if data.text is not None:
            data = Incoming(text=clean_input(data.text))
        registry = context.application.bot_data["services"].flows
        return await _run(update, context, lambda ctx: engine.advance(registry, state, ctx, data)) or END

    return on_answer


def _not_text(state: str):
    async def on_not_text(update: Update, context: ContextTypes.DEFAULT_TYPE):
        """A sticker, voice note or file where text was expected: say so and ask again."""
        registry = context.application.bot_data["services"].flows
        return await _run(
            update, context, lambda ctx: engine.reprompt(registry, state, ctx, basics.only_text().text)
        ) or END

    return on_not_text


def _begin(flow):
    async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE):
        """Start the flow named by the command."""
        return await _run(update, context, lambda ctx: engine.begin(flow, ctx)) or END

    return on_command


async def on_menu_pick(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """A main-menu button: start the flow or run the command it names (or say it is stale)."""
    registry = context.application.bot_data["services"].flows
    name = (incoming(update).choice or "").removeprefix("go:")
    return await _run(update, context, lambda ctx: start_item(registry, name, ctx)) or END


def _command(command):
    async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A stateless command outside any conversation."""
        await _run(update, context, lambda ctx: _turn(engine.run_command(command, ctx)), dialog=False)

    return on_command


async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """/cancel inside a conversation: drop the draft and leave."""
    return await _run(update, context, _const(basics.cancelled)) or END


def _current_state(update: Update, context) -> str | None:
    handler: ConversationHandler = context.application.bot_data["dialog_handler"]
    key = (update.effective_chat.id, update.effective_user.id)
    state = handler._conversations.get(key)  # noqa: SLF001 - PTB keeps the state here
    return state if isinstance(state, str) else None  # (a pending state is written when it resolves)


async def on_command_in_dialog(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """Another command mid-conversation: answer stateless ones, refuse the rest, ask again."""
    registry = context.application.bot_data["services"].flows
    state = _current_state(update, context)
    name = (update.effective_message.text or "/").split()[0][1:].split("@")[0].lower()

    async def produce(ctx):
        if state is None or registry.flow_of(state) is None:
            return Turn((basics.unknown_command(),), None)
        return await command_in_dialog(registry, state, ctx, name)

    return await _run(update, context, produce) or END


# ---- outside any conversation --------------------------------------------------------------

def _const(make_reply):
    """A turn with one fixed reply, built inside the person's locale."""

    async def produce(ctx):
        return Turn((make_reply(),), None)

    return produce


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start, or /start CODE from an invite deep link."""
    payload = clean_input(" ".join(context.args or [])) or None
    await _run(update, context, lambda ctx: _turn(basics.on_start(ctx, payload)), dialog=False)


async def on_idle_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cancel with nothing in progress."""
    await _run(update, context, _const(basics.nothing_to_cancel), dialog=False)


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any command the bot does not have."""
    await _run(update, context, _const(basics.unknown_command), dialog=False)


async def on_free_text(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """Free text outside a conversation: an invite code from a stranger, or a question."""
    text = clean_input(update.effective_message.text or "")
    return await _run(update, context, lambda ctx: basics.on_idle_text(ctx, text)) or END


async def on_idle_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Photos, stickers, voice notes, locations… outside a conversation."""
    await _run(update, context, _const(basics.only_text), dialog=False)


async def on_alert_button(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """A button under an alert message: "Tôi xử lý" claims at once; "Đã xong" and "Hoãn" ask more."""
    choice = incoming(update).choice or ""
    action, _sep, number = choice.partition(":")
    if action not in ("claim", "resolve", "snooze") or not number.isdigit():
        return await _run(update, context, _const(basics.stale_button)) or END
    return await _run(update, context, lambda ctx: alerts.on_alert_button(ctx, action, int(number))) or END


async def on_alert_button_in_dialog(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """An alert button pressed mid-conversation: "Tôi xử lý" works at once and the conversation
    goes on; closing or postponing waits until the conversation is finished."""
    registry = context.application.bot_data["services"].flows
    state = _current_state(update, context)
    choice = incoming(update).choice or ""
    action, _sep, number = choice.partition(":")

    async def produce(ctx):
        if action == "claim" and number.isdigit():
            claimed = await alerts.on_alert_button(StepContext(ctx.services, ctx.actor, {}), action, int(number))
            again = await engine.reprompt(registry, state, ctx, claimed.replies[0].text)
            return Turn(again.replies, state)
        flow = registry.flow_of(state)
        return await engine.reprompt(registry, state, ctx, basics.busy(flow))

    await _run(update, context, produce)
    return None  # the conversation stays where it was


async def on_linkgroup(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/linkgroup in a group chat: the commune's alerts are posted there too (police only)."""
    services = context.application.bot_data["services"]
    actor = await services.accounts.identify(Messenger.TELEGRAM, str(update.effective_user.id),
                                             str(update.effective_user.id))
    with use_locale(actor.locale):
        linked = await services.accounts.link_group(actor, Messenger.TELEGRAM, str(update.effective_chat.id))
        reply = basics.group_linked() if linked else basics.not_for_you()
        await send(context.bot, update.effective_chat.id, reply)


async def on_stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button from an old message (or forged callback data) with nothing in progress."""
    await _run(update, context, _const(basics.stale_button), dialog=False)


async def _turn(replies_coro) -> Turn:
    return Turn(tuple(await replies_coro), None)


async def skip_seen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before all others: drop an update already handled (Telegram redelivers after a crash), and
    slow down someone who floods the bot (told once)."""
    services = context.application.bot_data["services"]
    if await services.seen_updates.seen("telegram", str(update.update_id), increasing=True):
        log.info("update handled before a restart, skipped")
        raise ApplicationHandlerStop
    if update.effective_user is not None:
        verdict = services.flood.check(f"telegram:{update.effective_user.id}")
        if verdict != "ok":
            if verdict == "warn" and update.effective_chat is not None:
                actor = await services.accounts.identify(Messenger.TELEGRAM, str(update.effective_user.id),
                                                         str(update.effective_chat.id))
                with use_locale(actor.locale):
                    await send(context.bot, update.effective_chat.id, basics.slow_down())
            await services.seen_updates.mark("telegram", str(update.update_id))
            raise ApplicationHandlerStop


async def persist_now(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """After all others: write this person's conversation state and draft now, together, instead
    of every 60 s, with the update's id; then let PTB write the rest."""
    services = context.application.bot_data["services"]
    if update.effective_chat is not None and update.effective_user is not None:
        key = (update.effective_chat.id, update.effective_user.id)
        state = _current_state(update, context)
        user_data = context.application.user_data.get(update.effective_user.id, {})
        await context.application.persistence.save_turn("dialog", key, state, update.effective_user.id,
                                                        dict(user_data), str(update.update_id))
        await services.seen_updates.stored_with_turn("telegram", str(update.update_id))
    else:
        await services.seen_updates.mark("telegram", str(update.update_id))
    await context.application.update_persistence()
    await services.notifier.kick()  # notices this update queued (e.g. to a supervisor)


def install(application: Application, services) -> None:
    """Register every handler on ``application``."""
    registry = services.flows
    private = filters.ChatType.PRIVATE
    message = filters.UpdateType.MESSAGE & private
    not_alert = r"^(?!alert\|)"
    states = {
        state: [
            CallbackQueryHandler(_answer(state), pattern=not_alert),
            MessageHandler(message & (filters.TEXT | filters.PHOTO | filters.LOCATION) & ~filters.COMMAND,
                           _answer(state)),
            MessageHandler(message & ~filters.COMMAND, _not_text(state)),
        ]
        for state in registry.states()
    }
    entry_points = [
        CommandHandler(flow.command, _begin(flow), filters=private) for flow in registry.flows.values()
    ] + [
        CallbackQueryHandler(on_menu_pick, pattern=r"^menu\|go:"),
        CallbackQueryHandler(on_alert_button, pattern=r"^alert\|"),
        MessageHandler(message & filters.TEXT & ~filters.COMMAND, on_free_text),
    ]
    fallbacks = [
        CommandHandler("cancel", on_cancel),
        CallbackQueryHandler(on_alert_button_in_dialog, pattern=r"^alert\|"),
        MessageHandler(message & filters.COMMAND, on_command_in_dialog),
    ]
    with warnings.catch_warnings():
        # Buttons are tracked per chat and user, not per message: that is what we want.
        warnings.simplefilter("ignore", PTBUserWarning)
        dialog = ConversationHandler(
            entry_points=entry_points,
            states=states,
            fallbacks=fallbacks,
            name="dialog",
            persistent=True,
            allow_reentry=False,
        )
    application.bot_data["services"] = services
    application.bot_data["dialog_handler"] = dialog
    application.add_handler(dialog, group=0)
    application.add_handlers(
        [
            CommandHandler("linkgroup", on_linkgroup, filters=filters.ChatType.GROUPS),
            CommandHandler("start", on_start, filters=private),
            *(CommandHandler(c.name, _command(c), filters=private) for c in registry.commands.values()),
            CommandHandler("cancel", on_idle_cancel, filters=private),
            MessageHandler(message & filters.COMMAND, on_unknown_command),
            CallbackQueryHandler(on_stale_button),
            MessageHandler(message, on_idle_other),
        ],
        group=0,
    )
    application.add_handler(TypeHandler(Update, skip_seen), group=-1)
    application.add_handler(TypeHandler(Update, persist_now), group=99)
