"""Names of things that several flows show (all through the catalogs)."""

from __future__ import annotations

from bot.dialog.types import Choice, Reply
from bot.i18n import N_, _
from bot.models import Category, CloseReason, Contact, PenaltyType, Role, Status, SupplementaryKind

ROLE_LABELS = {
    Role.POLICE: N_("commune police officer"),
    Role.SUPERVISOR: N_("village supervisor"),
    Role.RETURNEE: N_("returnee or person under community supervision"),
    Role.FAMILY: N_("family member"),
    Role.PROVINCE: N_("provincial police officer"),
}

CATEGORY_LABELS = {
    Category.SUSPENDED: N_("suspended sentence (án treo)"),
    Category.NON_CUSTODIAL: N_("non-custodial reform (cải tạo không giam giữ)"),
    Category.PAROLE: N_("conditional early release (tha tù trước thời hạn có điều kiện)"),
    Category.DEFERRED: N_("prison term deferred or suspended (hoãn, tạm đình chỉ)"),
    Category.RELEASED: N_("completed a prison term (chấp hành xong án phạt tù)"),
    Category.AMNESTY: N_("granted amnesty (đặc xá)"),
}

PENALTY_LABELS = {
    PenaltyType.WARNING: N_("warning"),
    PenaltyType.FINE: N_("fine"),
    PenaltyType.NON_CUSTODIAL_REFORM: N_("non-custodial reform"),
    PenaltyType.SUSPENDED: N_("prison, suspended"),
    PenaltyType.PRISON: N_("prison"),
    PenaltyType.LIFE: N_("life imprisonment"),
    PenaltyType.DEATH_COMMUTED: N_("death penalty commuted"),
    PenaltyType.EXEMPTED: N_("exempted from penalty"),
}

SUPPLEMENTARY_LABELS = {
    SupplementaryKind.PROBATION_CONTROL: N_("probation control (quản chế)"),
    SupplementaryKind.RESIDENCE_BAN: N_("residence ban (cấm cư trú)"),
    SupplementaryKind.OFFICE_BAN: N_("ban from holding office"),
    SupplementaryKind.PROFESSION_BAN: N_("ban from a profession or job"),
    SupplementaryKind.CIVIL_RIGHTS: N_("deprivation of some civic rights"),
    SupplementaryKind.FINE: N_("fine as a supplementary penalty"),
    SupplementaryKind.OTHER: N_("other supplementary penalty"),
}

CONTACT_LABELS = {
    Contact.HOME_VISIT: N_("Home visit"),
    Contact.PHONE_CALL: N_("Phone call"),
    Contact.MET_AT_OFFICE: N_("Met at the commune office"),
    Contact.CAME_TO_REPORT: N_("Came to report"),
}

STATUS_LABELS = {
    Status.STABLE: N_("Stable"),
    Status.NEEDS_SUPPORT: N_("Needs support"),
    Status.CONCERN: N_("Signs of concern"),
    Status.LEFT_LOCALITY: N_("Has left the locality"),
    Status.UNREACHABLE: N_("Could not be reached"),
}

CLOSE_LABELS = {
    CloseReason.EXPUNGED: N_("Record expunged"),
    CloseReason.SENTENCE_COMPLETED: N_("Sentence completed"),
    CloseReason.MOVED_AWAY: N_("Moved away (file transferred)"),
    CloseReason.DIED: N_("Died"),
    CloseReason.OTHER: N_("Other reason"),
}

CONDUCT_LABELS = {"good": N_("Good"), "fair": N_("Fair"), "poor": N_("Poor")}
WORK_LABELS = {"steady": N_("Steady work"), "seasonal": N_("Seasonal or casual work"), "none": N_("No work")}
FAMILY_LABELS = {"supportive": N_("Family supportive"), "strained": N_("Family relations strained"),
                 "none": N_("No family nearby")}
WELLBEING_LABELS = {"good": N_("doing well"), "okay": N_("doing okay"), "hard": N_("having a hard time")}


MESSENGER_LABELS = {"telegram": "Telegram", "zalo": N_("Zalo (bot)"), "zalo_oa": N_("Zalo (Official Account)"),
                    "console": N_("console")}


def messenger_label(messenger: str) -> str:
    label = MESSENGER_LABELS.get(messenger, messenger)
    return _(label) if messenger != "telegram" else label


RELATIONS = (N_("Spouse"), N_("Parent"), N_("Child"), N_("Sibling"))


OFFICE = N_("At the commune office")  # an appointment's usual place


def shown(stored: str, labels) -> str:
    """A label chosen from ``labels`` in the reader's language: stored by its key (or, in older
    records, in the language it was chosen in); anything typed is shown as typed."""
    from bot.i18n import translate

    for label in labels:
        if stored in (label, translate("vi", label), translate("en", label)):
            return _(label)
    return stored


def relation_label(stored: str) -> str:
    return shown(stored, RELATIONS)


def role_label(role: Role) -> str:
    return _(ROLE_LABELS[role])


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---- what the bot says in many places ------------------------------------------------------

ALERT_ACTIONS = {"claim": N_("🙋 I will handle it"), "resolve": N_("✅ Done"), "snooze": N_("⏸ Postpone")}


def alert_choices(alert_id: int | None = None) -> tuple[Choice, ...]:
    """The three actions on an alert: under an alert message (``claim:7``) or in /alerts (``claim``)."""
    return tuple(Choice(action if alert_id is None else f"{action}:{alert_id}", _(label))
                 for action, label in ALERT_ACTIONS.items())


def not_available() -> Reply:
    return Reply(_("Sorry, this is not available to you. Send /help to see what you can do."))


def cannot_continue() -> Reply:
    return Reply(_("Sorry, that conversation can no longer be continued. Please start again."))


def choose_an_option(messenger) -> Reply:
    """What to do with a list of options, as this messenger allows: buttons only where there are some."""
    from bot.models import Messenger

    if messenger is Messenger.TELEGRAM:
        return Reply(_("Please choose one of the options: press a button or reply with its number."))
    return Reply(_("Please choose one of the options: reply with its number or its words."))

# Requests about one's personal data (/privacy) and the police's decisions (/datarequests).
DATA_REQUEST_KINDS = {"correct": N_("correct"), "delete": N_("delete")}
DATA_REQUEST_OUTCOMES = {"done": N_("done as you asked"), "partly": N_("done in part"), "refused": N_("not possible")}

# The monthly grades (Nghị định 231/2026, Điều 8 khoản 3) and the reasons a grade is proposed.
GRADE_LABELS = {"good": N_("Good"), "fair": N_("Fair"), "average": N_("Average"), "poor": N_("Poor")}
REASON_LABELS = {
    "partial_month": N_("part of the month"), "breach_record": N_("a breach record"),
    "administrative_fine": N_("an administrative fine"), "refused_supervision": N_("did not accept supervision"),
    "no_report": N_("no periodic report"), "report_not_accepted": N_("report not accepted"),
    "no_roll_call": N_("no roll call"), "complied": N_("kept the obligations"), "working": N_("working or studying"),
    "commended": N_("commended"),
}
