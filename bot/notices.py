"""Messages the bot sends on its own (not as an answer): one renderer per kind of notice.

A service writes ``(recipient, kind, params)`` to the outbox inside its transaction; the
notifier renders it here *in the recipient's language* when it delivers it. Params carry
everything the text needs, so a notice renders the same after a restart.
"""

from __future__ import annotations

from datetime import date

from collections.abc import Callable

from bot.dialog.types import Choice, Reply
from bot.clock import format_date
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
    if "month" not in p:  # queued before the monthly grades existed
        return [Reply(_("Reminder: the monthly assessments are due by {date}. /grades", date=p["deadline"]))]
    return [Reply(_n("Reminder: by {date}, the grades for {month} signed by the head of commune police, and this "
                     "month's roll call (/rollcall). {count} person has no signed grade yet. /grades",
                     "Reminder: by {date}, the grades for {month} signed by the head of commune police, and this "
                     "month's roll call (/rollcall). {count} people have no signed grade yet. /grades",
                     p["count"], date=p["deadline"], month=p["month"]))]


@notice("breach_recorded")
def _breach_recorded(p: dict) -> list[Reply]:
    # May show on a lock screen: no crime, no sentence named.
    return [Reply(_("Commune police recorded that an obligation was not kept on {date}. You will be invited to a "
                    "review meeting by {due}. If there was a good reason, tell your officer; send /me to see what "
                    "this means for you.", date=format_date(date.fromisoformat(p["date"])),
                    due=format_date(date.fromisoformat(p["due"]))))]


@notice("report_reviewed")
def _report_reviewed(p: dict) -> list[Reply]:
    day = format_date(date.fromisoformat(p["date"]))
    if p["accepted"]:
        return [Reply(_("Commune police have accepted your report of {date}. Thank you.", date=day))]
    return [Reply(_("Commune police ask you to send your report of {date} again: {note}\nSend /selfreport.",
                    date=day, note=p["note"] or "—"))]


@notice("absence_requested")
def _absence_requested(p: dict) -> list[Reply]:
    return [Reply(_("{name} asks to be away from {first} to {last} ({days} days). Decide with UBND xã and record the "
                    "written decision: /absences.", name=p["name"], days=p["days"],
                    first=format_date(date.fromisoformat(p["first"])), last=format_date(date.fromisoformat(p["last"]))))]


@notice("absence_decided")
def _absence_decided(p: dict) -> list[Reply]:
    first, last = format_date(date.fromisoformat(p["first"])), format_date(date.fromisoformat(p["last"]))
    if p["approved"]:
        return [Reply(_("Your absence from {first} to {last} has been agreed ({ref}). On arrival, report to the commune "
                        "police there; before you come back, ask them (or the People's Committee there) to confirm "
                        "your stay, and bring the confirmation to your commune police.", first=first, last=last,
                        ref=p["ref"] or "—"))]
    return [Reply(_("Your request to be away from {first} to {last} was not agreed ({ref}). Please stay in your "
                    "commune; ask your officer if you need to know why.", first=first, last=last, ref=p["ref"] or "—"))]


@notice("absence_overdue")
def _absence_overdue(p: dict) -> list[Reply]:
    return [Reply(_("{name} was due back on {date} and no return is recorded. Check, then record it in /absences.",
                    name=p["name"], date=format_date(date.fromisoformat(p["date"]))))]


@notice("police_review_due")
def _police_review_due(p: dict) -> list[Reply]:
    return [Reply(_("Reminder: the review meeting (kiểm điểm) for {name} is due tomorrow, {date}. Record it with "
                    "/reviews.", name=p["name"], date=format_date(date.fromisoformat(p["date"]))))]


@notice("person_report_due")
def _person_report_due(p: dict) -> list[Reply]:
    # May show on a lock screen: no crime, no sentence named.
    text = _("Reminder: in the first days of this month, send your periodic report to the commune police "
             "(/selfreport).")
    if p.get("rollcall"):
        text += " " + _("The monthly roll call can be done here too: /present.")
    return [Reply(text)]


@notice("breach_threshold")
def _breach_threshold(p: dict) -> list[Reply]:
    if p["category"] == "non_custodial":
        consequence = _("the sentence may not be reduced, and continued breaches may be dealt with under the law")
    elif p["category"] == "parole":
        consequence = _("the court may be asked to cancel the conditional release")
    else:
        consequence = _("the court may be asked to order the suspended prison term served")
    return [Reply(_("⚠️ {name}: {breaches} intentional breaches and {fines} administrative fines recorded. Under {basis}, "
                    "{consequence}; the court decides. See the record in /people.", name=p["name"],
                    breaches=p["breaches"], fines=p["fines"], basis=p["basis"], consequence=consequence))]


@notice("term_completed")
def _term_completed(p: dict) -> list[Reply]:
    day = format_date(date.fromisoformat(p["date"]))
    if p.get("parole"):
        return [Reply(_("Commune police recorded your completion certificate of {date}. Supervision has ended; the "
                        "commune goes on helping you settle (loans, jobs, papers). Send /help to see how.", date=day))]
    return [Reply(_("Commune police recorded your completion certificate of {date}. Supervision has ended. Send "
                    "/expungement to see when your record may be cleared.", date=day))]


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
    lines.append(_("The provincial police (criminal judgment enforcement agency) issue the completion certificate; "
                   "the commune People's Committee ends supervision within 3 working days (Nghị định 231/2026, "
                   "Điều 2, 12). Record the certificate's date with /complete."))
    return [Reply("\n".join(lines))]


@notice("police_expungement_due")
def _police_expungement_due(p: dict) -> list[Reply]:
    return [Reply(_("{name} may reach the expungement date on {date} (preliminary calculation, {basis}). Guide "
                    "them to request Phiếu lý lịch tư pháp số 1 (Thông tư 10/2024/TT-BCA Điều 13).",
                    name=p["name"], date=p["date"], basis=p["basis"]))]
