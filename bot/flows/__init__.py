"""Conversations, one module per user task, each channel-neutral (no messenger imports)."""

from __future__ import annotations

from bot.dialog.types import Flow


def all_flows() -> list[Flow]:
    from bot.flows import invite, language

    return [invite.FLOW, language.FLOW]
