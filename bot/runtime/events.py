"""What a messenger adapter makes of whatever arrives: one small, channel-neutral event.

Adapters translate their platform's updates into :class:`Inbound` and nothing else; the pipeline
stores it in the inbox (as JSON) before the platform is told it arrived.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from bot.dialog.types import Attachment, Choice, Reply
from bot.textnorm import well_formed

# What an event is about, beyond an ordinary message.
MESSAGE = "message"      # text, a pressed button, a photo, a location, or other content (all None)
EDITED = "edited"        # the person edited a message they had sent
PROTECTED = "protected"  # the platform withheld the content (Zalo: the sender is a protected user)
BLOCKED = "blocked"      # the person blocked the bot on this messenger
UNBLOCKED = "unblocked"  # … and unblocked it
MIGRATED = "migrated"    # a group chat got a new id (Telegram: upgraded to a supergroup)


@dataclass(frozen=True)
class Inbound:
    channel: str              # a Messenger value: "telegram", "zalo", "console"
    external_id: str          # the platform's id of this event: dedupe key in the inbox
    user_id: str              # who did it, on this messenger
    chat_id: str              # where to answer
    kind: str = MESSAGE
    text: str | None = None
    button: str | None = None  # a pressed button's data, "state|choice"
    photo: str | None = None
    location: tuple[float, float] | None = None
    group: bool = False        # from a group chat
    ack: dict = field(default_factory=dict)  # what the adapter needs to acknowledge a press (ids)
    new_chat_id: str | None = None  # MIGRATED: the group's new id

    @property
    def order_key(self) -> str:
        """Events with the same key are handled one at a time, in the order they arrived."""
        return f"{self.channel}:{self.chat_id}"

    @property
    def dialog_key(self) -> str:
        """Whose conversation this is: the chat, or one member's conversation inside a group."""
        return f"{self.chat_id}/{self.user_id}" if self.group else self.chat_id

    def to_json(self) -> dict:
        data = {k: (well_formed(v) if isinstance(v, str) else v) for k, v in asdict(self).items()
                if v not in (None, False, {}, "")}
        data.setdefault("kind", MESSAGE)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Inbound":
        data = dict(data)
        if data.get("location") is not None:
            data["location"] = tuple(data["location"])
        return cls(**data)


def reply_to_json(reply: Reply) -> dict:
    """A reply as stored until delivered (a file is not kept: only its name, in the text)."""
    text = reply.text if reply.attachment is None else f"{reply.text}\n📎 {reply.attachment.filename}"
    data: dict = {"text": text}
    if reply.choices:
        data["choices"] = [[c.id, c.label] for c in reply.choices]
    if reply.state:
        data["state"] = reply.state
    if reply.inline_only:
        data["inline_only"] = True
    return data


def reply_from_json(data: dict) -> Reply:
    return Reply(data["text"], tuple(Choice(i, label) for i, label in data.get("choices", [])),
                 data.get("state"), bool(data.get("inline_only")))


__all__ = ["Inbound", "Attachment", "reply_to_json", "reply_from_json"]
