"""SQL for privacy: what is kept about a person (for their copy), and anonymising a record."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiosqlite import Connection

from bot.clock import to_db
from bot.storage.data_requests import DataRequests
from bot.storage.sql import fetch_all, fetch_one


def _rows(rows) -> list[dict]:
    return [dict(r) for r in rows]


class PrivacyData:
    @staticmethod
    async def everything_about(conn: Connection, person_id: int) -> dict:
        person = await fetch_one(conn, "SELECT id, role, full_name, locale, created_at, reminders, consent_at "
                                       "FROM people WHERE id = ?", (person_id,))
        return {
            "person": dict(person) if person else None,
            "messenger_accounts": _rows(await fetch_all(
                conn, "SELECT messenger, created_at FROM identities WHERE person_id = ?", (person_id,))),
            "record": dict(r) if (r := await fetch_one(
                conn, "SELECT date_of_birth, village, category, penalty_type, penalty_months, release_date, "
                      "probation_start, probation_end, family_name, family_relation, family_phone, note, enrolled_on, "
                      "closed_on, closed_reason FROM records WHERE person_id = ?", (person_id,))) else None,
            "check_ins": _rows(await fetch_all(
                conn, "SELECT happened_on, contact, status, note FROM checkins WHERE person_id = ? "
                      "AND withdrawn_at IS NULL ORDER BY happened_on", (person_id,))),
            "assessments": _rows(await fetch_all(
                conn, "SELECT period, conduct, work, family, needs FROM assessments WHERE person_id = ?", (person_id,))),
            "self_reports": _rows(await fetch_all(
                conn, "SELECT created_at, wellbeing, work, help_needed FROM self_reports WHERE person_id = ?",
                (person_id,))),
            "help_messages": _rows(await fetch_all(
                conn, "SELECT m.created_at, m.body FROM help_messages m JOIN help_threads t ON t.id = m.thread_id "
                      "WHERE t.person_id = ? ORDER BY m.id", (person_id,))),
            "requests_about_my_data": await DataRequests.of_person(conn, person_id),
            "appointments": _rows(await fetch_all(
                conn, "SELECT at, place FROM appointments WHERE person_id = ? AND cancelled_at IS NULL", (person_id,))),
            "who_looked_at_my_record": _rows(await fetch_all(
                conn, "SELECT a.at, p.role FROM audit_log a LEFT JOIN people p ON p.id = a.actor_id "
                      "WHERE a.subject_id = ? AND a.action = 'record.view' ORDER BY a.id", (person_id,))),
        }

    @staticmethod
    async def closed_before(conn: Connection, cutoff: str) -> list[int]:
        rows = await fetch_all(conn, "SELECT person_id FROM records WHERE closed_on IS NOT NULL AND closed_on < ? "
                                     "AND anonymised_at IS NULL", (cutoff,))
        return [r["person_id"] for r in rows]

    @staticmethod
    async def anonymise(conn: Connection, person_id: int, now: datetime) -> None:
        """Keep the figures (category, dates of management, counts); drop who the person is, in every
        table :data:`RULES` lists (the person, their family members' accounts, and what others wrote
        or were sent about them)."""
        row = await fetch_one(conn, "SELECT full_name FROM people WHERE id = ?", (person_id,))
        # The name as a JSON string ("Lê Văn An", quotes included): it finds the name where the bot
        # stored it as a value, and not inside another's ("Lê Văn Anh").
        name = (row["full_name"] if row else "") or ""
        params = {"p": person_id, "name": json.dumps(name, ensure_ascii=False) if name.strip() else "\x00",
                  "now": to_db(now),
                  "week_ago": to_db(now - timedelta(days=TEXT_KEPT_DAYS)),
                  "month_ago": to_db(now - timedelta(days=DRAFTS_KEPT_DAYS))}
        await conn.execute("CREATE TEMP TABLE IF NOT EXISTS anon_people (id INTEGER PRIMARY KEY)")
        await conn.execute("DELETE FROM temp.anon_people")
        await conn.execute("INSERT INTO temp.anon_people SELECT :p UNION SELECT family_id FROM family_links "
                           "WHERE person_id = :p", params)
        for rule in RULES:
            if rule.action == DELETE:
                await conn.execute(f"DELETE FROM {rule.table} WHERE {rule.rows}", params)
            elif rule.action == BLANK:
                sets = ", ".join(f"{column} = {value}" for column, value in rule.personal.items())
                await conn.execute(f"UPDATE {rule.table} SET {sets} WHERE {rule.rows}", params)
        await conn.execute("DELETE FROM temp.anon_people")


DELETE, BLANK, KEEP = "delete", "blank", "keep"
TEXT_KEPT_DAYS = 7  # messages received or sent: their text is dropped this long after (housekeeping)
DRAFTS_KEPT_DAYS = 30  # a conversation left unfinished this long is forgotten


@dataclass(frozen=True)
class TableRule:
    """What anonymisation does to one table. ``rows`` selects the rows about the person (SQL with
    ``:p`` the person, ``:name`` their name before anonymisation as a quoted JSON string, ``:now``; ``temp.anon_people``
    holds the person and their family members' accounts). ``personal`` maps each column that can
    hold personal data to what replaces it (``BLANK``); ``kept`` names every other column, with
    ``why`` they may stay. Every column of every table is in one of the two: a test fails when a
    migration adds a column this list does not cover."""
    table: str
    action: str
    rows: str
    personal: dict[str, str]
    kept: tuple[str, ...]
    why: str


_MINE = "person_id IN (SELECT id FROM temp.anon_people)"
_THEIR_CHATS = "(channel, chat_key) IN (SELECT messenger, chat_id FROM identities WHERE person_id IN " \
               "(SELECT id FROM temp.anon_people))"

# In the order they run: what finds the person's rows (identities, family links, check-in photos) is
# used before it is deleted or blanked.
RULES: tuple[TableRule, ...] = (
    TableRule("inbox", DELETE, _THEIR_CHATS + " OR (done_at IS NOT NULL AND (received_at < :week_ago "
              "OR instr(payload, :name) > 0 OR instr(replies, :name) > 0))",
              {"payload": "", "replies": ""}, ("id", "channel", "external_id", "chat_key", "received_at",
                                               "handled_at", "done_at"),
              "messages as received: deleted 7 days after they were answered, and at once for this person"),
    TableRule("dialogs", DELETE, _THEIR_CHATS + " OR updated_at < :month_ago OR instr(data, :name) > 0", {"data": ""}, ("channel", "chat_key", "state", "updated_at"),
              "a conversation in progress; drafts untouched for 30 days are deleted anyway"),
    TableRule("zalo_oa_users", DELETE, "app_id || ':' || user_id IN (SELECT external_id FROM identities "
              "WHERE messenger = 'zalo_oa' AND person_id IN (SELECT id FROM temp.anon_people))",
              {"user_id": ""}, ("app_id", "last_interaction_at", "following"),
              "when the person last wrote to a commune's Zalo OA (Zalo's 48-hour window)"),
    TableRule("identities", DELETE, _MINE, {"external_id": "", "chat_id": ""},
              ("id", "messenger", "person_id", "locale", "created_at", "unreachable_at"),
              "the messenger accounts: deleted, so the bot no longer knows who they were"),
    TableRule("people", BLANK, "id IN (SELECT id FROM temp.anon_people)",
              {"full_name": "'#' || id", "locale": "NULL", "active": "0"},
              ("id", "commune_id", "role", "created_at", "is_head", "reminders", "unreachable_at", "consent_at",
               "deactivated_at"),
              "the person (and their family members' accounts) stays as a number for the figures"),
    TableRule("family_links", DELETE, "person_id = :p", {}, ("family_id", "person_id", "shares", "created_at"),
              "who in the family followed the person"),
    TableRule("invites", BLANK, "person_id = :p OR family_of = :p OR used_by IN (SELECT id FROM temp.anon_people)",
              {"full_name": "''"},
              ("id", "code_hash", "role", "commune_id", "person_id", "created_by", "created_at", "expires_at",
               "used_at", "used_by", "family_of", "cancelled_at"),
              "invite codes (only their hash is kept)"),
    TableRule("records", BLANK, "person_id = :p",
              {"name_folded": "'anon ' || person_id", "date_of_birth": "substr(date_of_birth, 1, 4) || '-01-01'",
               "family_name": "''", "family_relation": "''", "family_phone": "''", "note": "''",
               "closed_note": "''", "anonymised_at": ":now"},
              ("person_id", "village", "category", "penalty_type", "penalty_months", "release_date",
               "probation_start", "probation_end", "cadence_rule", "enrolled_on", "closed_on", "closed_reason",
               "created_by", "updated_at", "last_contact_on", "look_on", "completion_certified_on"),
              "the record: category, penalty and dates stay for the reports; the year of birth only"),
    TableRule("record_changes", BLANK, "person_id = :p", {"reason": "''", "changes": "'{}'"},
              ("id", "person_id", "at", "actor_id"), "the record's history: who changed it when stays"),
    TableRule("import_journal", DELETE, "person_id = :p", {"before": ""}, ("import_id", "person_id", "kind"),
              "an import's undo list (kept only while the import runs)"),
    TableRule("media", DELETE, "'media:' || id IN (SELECT photo FROM checkins WHERE person_id = :p "
              "UNION SELECT photo FROM roll_calls WHERE person_id = :p)",
              {"content": ""}, ("id", "mime", "created_at"), "photos attached to check-ins"),
    TableRule("checkins", BLANK, "person_id = :p",
              {"note": "''", "photo": "NULL", "latitude": "NULL", "longitude": "NULL", "withdrawn_reason": "''"},
              ("id", "client_key", "person_id", "supervisor_id", "contact", "status", "happened_on", "created_at",
               "updated_at", "withdrawn_at"),
              "contacts: when, how and the situation stay for the figures"),
    TableRule("assessments", BLANK, "person_id = :p", {"needs": "''"},
              ("id", "person_id", "author_id", "period", "conduct", "work", "family", "created_at"),
              "monthly assessments: the grades stay"),
    TableRule("self_reports", BLANK, "person_id = :p", {"help_needed": "''", "outcome_note": "''"},
              ("id", "person_id", "wellbeing", "work", "created_at", "reviewed_by", "reviewed_at", "outcome"),
              "self-reports and periodic reports: the choices and the officer's decision stay"),
    TableRule("help_messages", BLANK, "thread_id IN (SELECT id FROM help_threads WHERE person_id = :p)",
              {"body": "''"}, ("id", "thread_id", "author_id", "created_at"), "requests for help and the answers"),
    TableRule("data_requests", BLANK, "person_id = :p", {"body": "''", "answer": "''"},
              ("id", "person_id", "commune_id", "kind", "created_at", "decided_by", "decided_at", "outcome"),
              "requests to correct or delete data: kind, dates and the decision stay for the audit"),
    TableRule("breaches", BLANK, "person_id = :p", {"what": "''"},
              ("id", "person_id", "kind", "on_date", "intentional", "review_due", "review_on", "review_outcome",
               "recorded_by", "created_at"), "breach records and reviews: dates and counts stay, the description goes"),
    TableRule("absences", BLANK, "person_id = :p", {"place": "''", "reason": "''", "decision_ref": "''"},
              ("id", "person_id", "first_day", "last_day", "for_work", "state", "decided_by", "decided_at",
               "returned_on", "created_at"), "absences: dates and decisions stay, where and why go"),
    TableRule("roll_calls", BLANK, "person_id = :p", {"photo": "NULL", "latitude": "NULL", "longitude": "NULL"},
              ("person_id", "month", "on_date", "how", "recorded_by", "created_at"),
              "monthly roll calls: the date stays, the photo and location go"),
    TableRule("monthly_grades", KEEP, "", {}, ("person_id", "month", "proposed", "reasons", "grade", "set_by",
                                              "set_at", "signed_by", "signed_at"), "monthly grades (codes)"),
    TableRule("commune_days_off", KEEP, "", {}, ("commune_id", "day"), "a commune's days off"),
    TableRule("alerts", BLANK, "person_id = :p", {"note": "''"},
              ("id", "commune_id", "person_id", "reason", "source", "state", "created_at", "updated_at",
               "claimed_by", "claimed_at", "resolved_by", "resolved_at", "snoozed_until", "escalated_at",
               "notified_at"), "alerts: reason and times stay for the figures"),
    TableRule("appointments", BLANK, "person_id = :p", {"place": "''"},
              ("id", "person_id", "at", "created_by", "created_at", "cancelled_at"), "appointments"),
    TableRule("outbox", DELETE, "(sent_at IS NULL AND failed_at IS NULL) AND (" + _MINE
              + " OR instr(params, :name) > 0)", {}, (), "messages to the person, or naming them, not yet sent"),
    TableRule("outbox", BLANK, _MINE, {"params": "'{}'", "chat_id": "''"}, (),
              "messages sent to the person: neither text nor address stays"),
    TableRule("outbox", BLANK, "instr(params, :name) > 0 OR ((sent_at IS NOT NULL OR failed_at IS NOT NULL) "
              "AND created_at < :week_ago)", {"params": "'{}'"},
              ("id", "person_id", "messenger", "chat_id", "kind", "dedupe_key", "not_before", "created_at",
               "claimed_at", "sent_at", "attempts", "last_error", "failed_at", "urgent", "alert_id"),
              "messages to others: their text is dropped 7 days after sending (or now, if it names the "
              "person); kind, time and delivery stay"),
    TableRule("file_links", DELETE, "expires_at <= :now OR used_at IS NOT NULL", {"content": ""},
              ("token_hash", "filename", "mime", "expires_at", "used_at"),
              "single-use links to a file (a person's copy of their data): gone once used or expired"),
    # Nothing about one person: kept as they are.
    TableRule("help_threads", KEEP, "", {}, ("id", "person_id", "commune_id", "topic", "opened_at", "closed_at",
                                            "closed_by"), "a request's topic and times"),
    TableRule("assignments", KEEP, "", {}, ("id", "person_id", "supervisor_id", "assigned_by", "started_at",
                                           "ended_at"), "who supervised whom, when (numbers only)"),
    TableRule("supplementary_penalties", KEEP, "", {}, ("id", "person_id", "kind", "ends_on"),
              "the kind and end of supplementary penalties (for the figures)"),
    TableRule("posting_interest", KEEP, "", {}, ("posting_id", "person_id", "created_at"), "interest in a job"),
    TableRule("alert_messages", KEEP, "", {}, ("alert_id", "messenger", "chat_id", "message_id"),
              "which police chat message shows an alert (police chats only)"),
    TableRule("audit_log", KEEP, "", {}, ("id", "at", "actor_id", "action", "subject_id", "detail"),
              "the audit log: who did what to which record, by number; its details hold ids only"),
    TableRule("reminder_marks", KEEP, "", {}, ("key", "at"), "which reminders were sent (ids and dates)"),
    TableRule("communes", KEEP, "", {}, ("id", "name", "name_folded", "created_at", "quiet_start", "quiet_end",
                                        "urgent_bypasses_quiet", "escalate_after_minutes", "missed_grace_days",
                                        "digest_threshold", "kind", "province_id", "rollcall_by_bot",
                                        "rollcall_days"),
              "communes and provinces"),
    TableRule("cadence_rules", KEEP, "", {}, ("id", "commune_id", "category", "rule", "source"), "settings"),
    TableRule("commune_groups", KEEP, "", {}, ("commune_id", "messenger", "chat_id", "linked_by", "linked_at"),
              "police group chats"),
    TableRule("postings", KEEP, "", {}, ("id", "commune_id", "kind", "title", "employer", "place", "pay", "contact",
                                        "closes_on", "created_by", "created_at", "closed_at"), "job postings"),
    TableRule("outreach", KEEP, "", {}, ("id", "commune_id", "kind", "on_date", "place", "topic", "participants",
                                        "created_by", "created_at"), "outreach meetings (no one's name)"),
    TableRule("imports", KEEP, "", {}, ("id", "commune_id", "state", "pid", "started_at", "finished_at"),
              "imports run"),
    TableRule("bot_meta", KEEP, "", {}, ("key", "value"), "the bot's own settings"),
    TableRule("zalo_oas", KEEP, "", {}, ("app_id", "app_secret", "oa_secret_key", "oa_id", "commune_id",
                                        "access_token", "access_expires_at", "refresh_token", "refresh_expires_at",
                                        "token_version", "reauth_needed_at", "reauth_told_at", "window_hours",
                                        "buttons", "last_event_at", "last_sent_at", "created_at"),
              "the communes' Zalo OAs (secrets, never shown)"),
    TableRule("zalo_oa_pkce", KEEP, "", {}, ("app_id", "verifier", "state", "created_at"), "an OA being connected"),
)
