"""Conversations, one module per user task, each channel-neutral (no messenger imports)."""

from __future__ import annotations

from bot.dialog.types import Command, Flow


def all_flows() -> list[Flow]:
    """Every conversation."""
    from bot.flows import (alerts, assess, checkin, checkin_fix, contact, enrol, expungement, helpdesk, invite,
                           jobs, language, loan, members, myname, people, privacy, report, selfreport)

    return [checkin.FLOW, enrol.FLOW, people.FLOW, assess.FLOW, checkin_fix.FLOW, selfreport.SELF_REPORT,
            selfreport.SHARE, invite.FLOW, language.FLOW, helpdesk.FLOW, expungement.FLOW, loan.FLOW,
            contact.CONTACT, contact.REQUESTS, jobs.BOARD, jobs.POST, alerts.FLOW, alerts.REMINDERS,
            alerts.APPOINTMENT, report.REPORT, report.OUTREACH, myname.FLOW, members.FLOW,
            privacy.PRIVACY, privacy.DATA_REQUESTS]


def all_commands() -> list[Command]:
    """Every stateless command."""
    from bot.flows import basics, views

    return [views.MYLIST, views.ME, basics.HELP, basics.LINKCODE, basics.MYDATA]


# The main menu and the Telegram command list show what a person may use, in this order.
MENU_ORDER = ("checkin", "mylist", "alerts", "requests", "enrol", "people", "me", "ask", "contact", "jobs", "loan",
              "expungement", "selfreport", "assess", "checkins", "appointment", "report", "outreach", "post", "share",
              "reminders", "invite", "members", "datarequests", "language")
