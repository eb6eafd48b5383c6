"""Conversations, one module per user task, each channel-neutral (no messenger imports)."""

from __future__ import annotations

from bot.dialog.types import Command, Flow


def all_flows() -> list[Flow]:
    """Every conversation."""
    from bot.flows import assess, checkin, checkin_fix, enrol, invite, language, people, selfreport

    return [checkin.FLOW, enrol.FLOW, people.FLOW, assess.FLOW, checkin_fix.FLOW, selfreport.SELF_REPORT,
            selfreport.SHARE, invite.FLOW, language.FLOW]


def all_commands() -> list[Command]:
    """Every stateless command."""
    from bot.flows import basics, views

    return [views.MYLIST, views.ME, basics.HELP, basics.PRIVACY]


# The main menu and the Telegram command list show what a person may use, in this order.
MENU_ORDER = ("checkin", "mylist", "me", "selfreport", "enrol", "people", "assess", "checkins", "share",
              "invite", "language")
