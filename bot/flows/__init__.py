"""Conversations, one module per user task, each channel-neutral (no messenger imports)."""

from __future__ import annotations

from bot.dialog.types import Command, Flow


def all_flows() -> list[Flow]:
    """Every conversation."""
    from bot.flows import (alerts, assess, checkin, checkin_fix, contact, cycle, enrol, expungement, helpdesk, invite,
                           jobs, language, loan, members, myname, people, privacy, report, selfreport)

    return [checkin.FLOW, enrol.FLOW, people.FLOW, assess.FLOW, checkin_fix.FLOW, selfreport.SELF_REPORT,
            selfreport.SHARE, invite.FLOW, language.FLOW, helpdesk.FLOW, expungement.FLOW, loan.FLOW,
            contact.CONTACT, contact.REQUESTS, jobs.BOARD, jobs.POST, alerts.FLOW, alerts.REMINDERS,
            alerts.APPOINTMENT, report.REPORT, report.OUTREACH, myname.FLOW, members.FLOW,
            privacy.PRIVACY, privacy.DATA_REQUESTS, cycle.BREACH, cycle.REVIEWS, cycle.ROLLCALL, cycle.GRADES_FLOW,
            cycle.COMPLETE, cycle.PERIODIC,
            cycle.ABSENCE, cycle.ABSENCES, cycle.PRESENT]


def all_commands() -> list[Command]:
    """Every stateless command."""
    from bot.flows import basics, cycle, views

    return [views.MYLIST, views.ME, basics.HELP, basics.LINKCODE, basics.MYDATA, cycle.SHORTENING]


# The main menu and the Telegram command list show what a person may use, in this order.
MENU_ORDER = ("checkin", "mylist", "alerts", "requests", "enrol", "people", "me", "ask", "contact", "jobs", "loan",
              "expungement", "selfreport", "grades", "periodic", "rollcall", "breach", "reviews", "absences", "shortening", "complete", "absence", "present", "assess", "checkins", "appointment", "report", "outreach", "post", "share",
              "reminders", "invite", "members", "datarequests", "language")
