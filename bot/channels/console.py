"""Chat with the real bot in a terminal: no token, no network.

Choices are printed numbered and answered by number (or by their words), exactly as on Zalo.
``/as NAME`` switches who you are; ``/whoami`` and ``/quit`` do what they say. Messages the bot
sends to *other* people (for example the police officer told that someone joined) are printed
with the recipient's name, so a trainer can follow both sides.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

import uuid

from bot.dialog.types import Reply
from bot.i18n import _, use_locale
from bot.models import Messenger
from bot.runtime.events import Inbound


def render(reply: Reply) -> str:
    """Text with its choices numbered (buttons that only work on the message itself are dropped)."""
    lines = [reply.text]
    if not reply.inline_only:
        lines += [f"  {n}. {choice.label}" for n, choice in enumerate(reply.choices, 1)]
    return "\n".join(lines)


def default_output_dir() -> Path:
    """Where the console writes files (reports, /mydata): ``HOANHAP_OUTPUT_DIR``, else a folder only
    this user can read in the system's temporary directory — never the current folder (which may be
    a repository)."""
    import os
    import tempfile

    chosen = os.environ.get("HOANHAP_OUTPUT_DIR", "").strip()
    return Path(chosen) if chosen else Path(tempfile.gettempdir()) / f"hoanhap-{os.getuid()}"


class ConsoleChannel:
    messenger = Messenger.CONSOLE

    def __init__(self, out: TextIO = sys.stdout, output_dir: Path | None = None) -> None:
        self.out = out
        self.me = "you"
        self.output_dir = output_dir or default_output_dir()

    async def send(self, chat_id: str, reply: Reply) -> None:
        prefix = "" if chat_id == self.me else f"[→ {chat_id}] "
        if reply.attachment is not None:  # a terminal shows files as files, in a private folder, and says where
            self.output_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = self.output_dir / reply.attachment.filename
            path.write_bytes(reply.attachment.data)
            path.chmod(0o600)
            reply = Reply(f"{reply.text}\n📎 {path}")
        self.out.write(f"{prefix}bot> " + render(reply).replace("\n", "\n     ") + "\n")
        self.out.flush()
        return None

    async def acknowledge(self, event) -> None:
        """No buttons in a terminal."""

    async def after_turn(self, event, before, after) -> None:
        """No command menu in a terminal."""


async def run_console(services, *, demo_people=(), stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    from bot.background import Background

    channel = ConsoleChannel(out)
    services.register_channel(channel)
    background = Background(services)
    background.start()
    handles = {p.handle for p in demo_people}
    channel.me = next(iter(sorted(h for h in handles if h.startswith("police"))), "you")
    with use_locale(services.settings.default_locale):
        out.write(_("Hòa Nhập console. Type /help, /quit to leave.") + "\n")
        if demo_people:
            out.write(_("Demo people: {names}. Switch with /as NAME.", names=", ".join(sorted(handles))) + "\n")
        out.write(_("You are {name}.", name=channel.me) + "\n")
    loop = asyncio.get_running_loop()
    while True:
        out.write(f"{channel.me}> ")
        out.flush()
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            break
        text = line.rstrip("\n")
        if not text.strip():
            continue
        if text.strip() == "/quit":
            break
        if text.startswith("/as "):
            channel.me = text[4:].strip() or channel.me
            out.write(_("You are {name}.", name=channel.me) + "\n")
            continue
        if text.strip() == "/whoami":
            actor = await services.accounts.identify(Messenger.CONSOLE, channel.me, channel.me)
            role = actor.role.value if actor.role else "-"
            out.write(f"{channel.me} ({role})\n")
            continue
        # Through the same pipeline as every messenger; the console's channel prints the replies.
        await services.pipeline.handle_now(
            Inbound(Messenger.CONSOLE.value, uuid.uuid4().hex, channel.me, channel.me, text=text))
    await background.stop()
