"""Messages the bot sends on its own (not as an answer): one renderer per kind of notice.

A service writes ``(recipient, kind, params)`` to the outbox inside its transaction; the
notifier renders it here *in the recipient's language* when it delivers it. Params carry
everything the text needs, so a notice renders the same after a restart.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.dialog.types import Choice, Reply
from bot.i18n import N_, _, _n

Renderer = Callable[[dict], list[Reply]]
RENDERERS: dict[str, Renderer] = {}


def notice(kind: str):
    def register(fn: Renderer) -> Renderer:
        RENDERERS[kind] = fn
        return fn

    return register


def render(kind: str, params: dict) -> list[Reply]:
    return RENDERERS[kind](params)


@notice("member_joined")
def _member_joined(p: dict) -> list[Reply]:
    from bot.labels import role_label
    from bot.models import Role

    role = role_label(Role(p["role"]))
    if p.get("of"):  # a family member: whose
        if p.get("name"):
            return [Reply(_("{name}, a family member of {relative}, has joined.", name=p["name"], relative=p["of"]))]
        return [Reply(_("A family member of {relative} has joined with the code you created.", relative=p["of"]))]
    if p.get("name"):
        return [Reply(_("{name} has joined as a {role}.", name=p["name"], role=role))]
    return [Reply(_("A new {role} has joined with the code you created.", role=role))]


@notice("assigned")
def _assigned(p: dict) -> list[Reply]:
    return [Reply(_("You now follow {name} ({village}). Send /mylist to see everyone you follow, "
                    "/checkin to record a visit or a call.", name=p["name"], village=p["village"]))]


@notice("unassigned")
def _unassigned(p: dict) -> list[Reply]:
    return [Reply(_("{name} has been assigned to another supervisor. Thank you for your help.", name=p["name"]))]


@notice("access_ended")
def _access_ended(p: dict) -> list[Reply]:
    return [Reply(_("The commune police have ended your use of this assistant. If you think this is a mistake, "
                    "please contact the commune police directly."))]


@notice("account_unlinked")
def _account_unlinked(p: dict) -> list[Reply]:
    return [Reply(_("This messenger account is no longer linked to the assistant (by the commune police). "
                    "If you did not ask for this, please contact the commune police."))]


@notice("data_request")
def _data_request(p: dict) -> list[Reply]:
    if p["kind"] == "correct":
        return [Reply(_("{name} asks for a correction of their personal data. Read and decide with /datarequests.",
                        name=p["name"] or "?"))]
    return [Reply(_("{name} asks for a deletion of their personal data. Read and decide with /datarequests.",
                    name=p["name"] or "?"))]


@notice("data_request_decided")
def _data_request_decided(p: dict) -> list[Reply]:
    from bot.labels import DATA_REQUEST_OUTCOMES as OUTCOMES

    what = _("correction") if p["kind"] == "correct" else _("deletion")
    return [Reply(_("The commune police answered your request for a {what} of your data: {outcome}.\n“{answer}”",
                    what=what, outcome=_(OUTCOMES[p["outcome"]]), answer=p["answer"]))]


@notice("transferred_in")
def _transferred_in(p: dict) -> list[Reply]:
    return [Reply(_("{name} ({village}) has been transferred to your commune from {origin}, with their record. "
                    "Assign a supervisor in /people.", name=p["name"], village=p["village"], origin=p["from"]))]


@notice("self_report")
def _self_report(p: dict) -> list[Reply]:
    from bot.labels import WELLBEING_LABELS

    wellbeing = WELLBEING_LABELS[p["wellbeing"]]
    text = _("{name} sent a self-report: {wellbeing}.", name=p["name"], wellbeing=_(wellbeing))
    if p.get("help"):
        text += "\n" + _("Help asked for: {help}", help=p["help"])
    return [Reply(text)]


@notice("help_request")
def _help_request(p: dict) -> list[Reply]:
    text = _("{name} asks for help: “{text}”\nAnswer with /requests.", name=p["name"], text=p["text"])
    if p.get("alert_id"):
        return [Reply(text, alert_actions(p["alert_id"]), "alert", inline_only=True)]
    return [Reply(text)]


@notice("help_answer")
def _help_answer(p: dict) -> list[Reply]:
    return [Reply(_("Answer from {name}: {text}\nTo write back, send /contact.", name=p["name"], text=p["text"]))]


@notice("job_interest")
def _job_interest(p: dict) -> list[Reply]:
    return [Reply(_("{name} is interested in “{title}” ({employer}).", name=p["name"], title=p["title"],
                    employer=p["employer"]))]


# ---- alerts (to commune police) ------------------------------------------------------------

ALERT_REASONS = {
    "checkin_needs_support": N_("needs support"),
    "checkin_concern": N_("signs of concern"),
    "checkin_left_locality": N_("has left the locality"),
    "checkin_unreachable": N_("could not be reached"),
    "missed_checkin": N_("contact overdue"),
    "help_request": N_("asks for help"),
    "undeliverable": N_("the bot's messages cannot reach them (blocked, or no recent message to the commune's "
                        "Zalo)"),
}


def alert_actions(alert_id: int) -> tuple[Choice, ...]:
    from bot.labels import alert_choices

    return alert_choices(alert_id)


def raised_line(by: str, note: str) -> str:
    """Who raised an alert and what they wrote ("" when it did not come from a check-in)."""
    if not by:
        return ""
    if note:
        return _("From {name}: “{note}”", name=by, note=note)
    return _("From {name} (no note).", name=by)


def alert_line(p: dict) -> str:
    reason = ALERT_REASONS[p["reason"]]
    who = f"{p['name']} ({p['village']})" if p.get("village") else p.get("name", "")
    return _("{who}: {reason}", who=who, reason=_(reason))


@notice("alert")
def _alert(p: dict) -> list[Reply]:
    line = alert_line(p)
    raised = raised_line(p.get("by", ""), p.get("note", ""))
    text = _("🔔 Alert. {line}\nSend /alerts to see and handle open alerts.", line=line + ("\n" + raised if raised else ""))
    return [Reply(text, alert_actions(p["alert_id"]), "alert", inline_only=True)]


@notice("alert_escalated")
def _alert_escalated(p: dict) -> list[Reply]:
    text = _("⏰ No one has taken this alert yet; it is sent again to every officer and to the head of commune "
             "police. {line}\nSend /alerts to handle it.", line=alert_line(p))
    return [Reply(text, alert_actions(p["alert_id"]), "alert", inline_only=True)]


def alert_status_text(p: dict, state: str, by: str) -> str:
    """An alert message after someone acted on it (shown in place of the buttons)."""
    if state == "claimed":
        return _("🔔 Alert. {line}\n🙋 {name} is handling it.", line=alert_line(p), name=by)
    if state == "resolved":
        return _("🔔 Alert. {line}\n✅ Done ({name}).", line=alert_line(p), name=by)
    return _("🔔 Alert. {line}\n⏸ Postponed by {name}.", line=alert_line(p), name=by)


@notice("missed_digest")
def _missed_digest(p: dict) -> list[Reply]:
    lines = [_("Overdue contacts today ({count}):", count=len(p["people"]))]
    lines += [f"• {name} ({village})" for name, village in p["people"][:30]]
    lines.append(_("Send /alerts to handle them, /people for the list."))
    return [Reply("\n".join(lines))]


@notice("cannot_reach")
def _cannot_reach(p: dict) -> list[Reply]:
    return [Reply(_("The bot cannot send {name} a reminder now: they have not written to the commune's Zalo "
                    "recently, and Zalo allows messages only after that. Please remind them by phone or in "
                    "person, and ask them to send any message to the commune's Zalo.", name=p["name"]))]


@notice("zalo_oa_reauth")
def _zalo_oa_reauth(p: dict) -> list[Reply]:
    return [Reply(_("⚠️ The commune's Zalo Official Account has stopped working with the bot: Zalo no longer "
                    "accepts its authorisation. An admin of the OA must authorise it again (the operator runs "
                    "hoanhap zalo-oa connect). Until then, messages to people on Zalo wait."))]


@notice("messenger_quota")
def _messenger_quota(p: dict) -> list[Reply]:
    from bot.labels import messenger_label

    return [Reply(_("⚠️ {messenger} has stopped taking the bot's messages: its monthly quota is used up. "
                    "Messages there wait and go out when it accepts them again; reminders and alerts still "
                    "reach people on their other messengers. Tell the operator (a larger plan, or the Zalo "
                    "Official Account channel).", messenger=messenger_label(p["messenger"])))]


# ---- reminders -----------------------------------------------------------------------------
# Texts that may show on a lock screen: no crime, no sentence, no status.

@notice("supervisor_window_open")
def _supervisor_window_open(p: dict) -> list[Reply]:
    return [Reply(_("Reminder: contact with {name} is due from today until {date}. /checkin when done.",
                    name=p["name"], date=p["deadline"]))]


@notice("supervisor_window_last")
def _supervisor_window_last(p: dict) -> list[Reply]:
    return [Reply(_("Reminder: tomorrow ({date}) is the last day to contact {name}. /checkin when done.",
                    name=p["name"], date=p["deadline"]))]


@notice("supervisor_overdue")
def _supervisor_overdue(p: dict) -> list[Reply]:
    return [Reply(_("Contact with {name} was due by {date} and is not recorded yet. Please visit or call, "
                    "then /checkin.", name=p["name"], date=p["deadline"]))]


def _with_ok(text: str) -> list[Reply]:
    """A reminder asks for a one-tap reply: on a Zalo Official Account, the person's reply is what
    lets the commune's OA write to them again (the interaction window)."""
    return [Reply(text + "\n" + _("Reply OK when you have read this."))]


@notice("person_appointment")
def _person_appointment(p: dict) -> list[Reply]:
    if p.get("place"):
        from bot.labels import OFFICE, shown

        return _with_ok(_("Reminder: tomorrow you meet the commune officer at {time} ({place}).", time=p["time"],
                          place=shown(p["place"], (OFFICE,))))
    return _with_ok(_("Reminder: tomorrow you meet the commune officer at {time}.", time=p["time"]))


@notice("person_window")
def _person_window(p: dict) -> list[Reply]:
    return _with_ok(_("Reminder: tomorrow ({date}) is the day to meet your supporter or the commune officer.",
                      date=p["deadline"]))


@notice("police_monthly")
def _police_monthly(p: dict) -> list[Reply]:
    return [Reply(_n("Reminder: the monthly assessments are due by {date}. {count} person still has none this "
                     "month. /assess",
                     "Reminder: the monthly assessments are due by {date}. {count} people still have none this "
                     "month. /assess", p["count"], date=p["deadline"]))]


@notice("police_report_due")
def _police_report_due(p: dict) -> list[Reply]:
    if p["period"] == "year":
        return [Reply(_("Reminder: the annual report to the province is due before {date}. /report, then “This year”.",
                        date=p["deadline"]))]
    return [Reply(_("Reminder: the six-month review is due before {date}. /report, then “Six months”.",
                    date=p["deadline"]))]


@notice("police_ending_soon")
def _police_ending_soon(p: dict) -> list[Reply]:
    lines = [_("Probation or management ends within 7 days for:")]
    lines += [f"• {name}: {day}" for name, day in p["people"]]
    return [Reply("\n".join(lines))]


@notice("police_expungement_due")
def _police_expungement_due(p: dict) -> list[Reply]:
    return [Reply(_("{name} may reach the expungement date on {date} (preliminary calculation, {basis}). Guide "
                    "them to request Phiếu lý lịch tư pháp số 1 (Thông tư 10/2024/TT-BCA Điều 13).",
                    name=p["name"], date=p["date"], basis=p["basis"]))]
