"""Telegram updates → the pipeline's events. Nothing else happens here."""

from __future__ import annotations

from telegram import Chat, ChatMember, Update

from bot.runtime.events import BLOCKED, EDITED, MIGRATED, UNBLOCKED, Inbound

CHANNEL = "telegram"
# Only what the bot handles is asked for: a stray update type costs a turn and counts as flooding.
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]


def to_inbound(update: Update) -> Inbound | None:
    """The event for ``update``, or None for what the bot does not answer."""
    uid = str(update.update_id)
    if update.my_chat_member is not None:
        member = update.my_chat_member
        if member.chat.type != Chat.PRIVATE:
            return None
        status = member.new_chat_member.status
        kind = BLOCKED if status == ChatMember.BANNED else UNBLOCKED if status == ChatMember.MEMBER else None
        return Inbound(CHANNEL, uid, str(member.from_user.id), str(member.chat.id), kind=kind) if kind else None
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        chat_id = str(message.chat.id) if message is not None else str(query.from_user.id)
        ack = {"query": query.id}
        if message is not None and getattr(message, "reply_markup", None):
            ack["message"] = message.message_id
        return Inbound(CHANNEL, uid, str(query.from_user.id), chat_id, button=query.data or "",
                       group=message is not None and message.chat.type != Chat.PRIVATE, ack=ack)
    message = update.message or update.edited_message
    if message is None:
        return None
    group = message.chat.type != Chat.PRIVATE
    if message.migrate_to_chat_id:
        return Inbound(CHANNEL, uid, str(message.chat.id), str(message.chat.id), kind=MIGRATED,
                       new_chat_id=str(message.migrate_to_chat_id))
    if message.from_user is None or message.from_user.is_bot:
        return None
    base = dict(channel=CHANNEL, external_id=uid, user_id=str(message.from_user.id), chat_id=str(message.chat.id),
                group=group)
    if update.edited_message is not None:
        return None if group else Inbound(**base, kind=EDITED)
    if message.photo:
        return Inbound(**base, photo=message.photo[-1].file_id)
    if message.location:
        return Inbound(**base, location=(message.location.latitude, message.location.longitude))
    return Inbound(**base, text=message.text)  # None for stickers, voice notes, files…
