"""Make people the way the bot does (an invite code, redeemed), and talk as them."""

from __future__ import annotations

import itertools

from bot.dialog.types import Reply
from bot.models import Messenger, Role
from bot.runtime.events import Inbound

_ids = itertools.count(1)


async def onboard(services, messenger: Messenger, external_id: str, role: Role, commune: str = "Xã Mẫu Sơn",
                  name: str = "", locale: str = "vi"):
    """Create an invite with the CLI's service call and redeem it as ``external_id``."""
    unit = {"province_name": "Tỉnh Lạng Sơn" if commune == "Xã Mẫu Sơn" else commune} if role is Role.PROVINCE \
        else {"commune_name": commune}
    invite = await services.accounts.create_invite(role=role, full_name=name, **unit)
    result = await services.accounts.redeem(messenger, external_id, external_id, invite.code, locale)
    assert result.status.value == "ok", result
    return result.person


class TextChat:
    """One person on a text channel (the console's and Zalo's rules): says things, reads replies."""

    def __init__(self, services, handle: str, messenger: Messenger = Messenger.CONSOLE) -> None:
        self.services = services
        self.handle = handle
        self.messenger = messenger
        self.replies: list[Reply] = []

    async def says(self, text: str | None) -> list[str]:
        """Type ``text`` (None: send something that is not text, e.g. a sticker), through the pipeline."""
        event = Inbound(self.messenger.value, f"t{next(_ids)}", self.handle, self.handle, text=text)
        self.replies = await self.services.pipeline.handle_now(event)
        return [r.text for r in self.replies]

    async def sends_location(self, latitude: float, longitude: float) -> list[str]:
        """Share a location (as the console and Zalo deliver one), through the pipeline."""
        event = Inbound(self.messenger.value, f"t{next(_ids)}", self.handle, self.handle,
                        location=(latitude, longitude))
        self.replies = await self.services.pipeline.handle_now(event)
        return [r.text for r in self.replies]

    @property
    def last(self) -> Reply:
        return self.replies[-1]

    @property
    def options(self) -> list[str]:
        return [c.label for c in self.last.choices]

    async def picks(self, label: str) -> list[str]:
        """Answer the last question by typing the number of the option labelled ``label``."""
        return await self.says(str(self.options.index(label) + 1))
