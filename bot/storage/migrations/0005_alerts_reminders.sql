-- Reminders and alerts: quiet hours and escalation settings per commune, the head of commune
-- police, people's reminder choices and reachability, the life of an alert (claimed, snoozed,
-- resolved, escalated), the messages that showed it (so they can be updated), appointments,
-- and police group chats.

ALTER TABLE communes ADD COLUMN quiet_start TEXT NOT NULL DEFAULT '21:00';
ALTER TABLE communes ADD COLUMN quiet_end TEXT NOT NULL DEFAULT '07:00';
ALTER TABLE communes ADD COLUMN urgent_bypasses_quiet INTEGER NOT NULL DEFAULT 1;
ALTER TABLE communes ADD COLUMN escalate_after_minutes INTEGER NOT NULL DEFAULT 240;
ALTER TABLE communes ADD COLUMN missed_grace_days INTEGER NOT NULL DEFAULT 3;
ALTER TABLE communes ADD COLUMN digest_threshold INTEGER NOT NULL DEFAULT 3;

ALTER TABLE people ADD COLUMN is_head INTEGER NOT NULL DEFAULT 0;      -- head of commune police
ALTER TABLE people ADD COLUMN reminders INTEGER NOT NULL DEFAULT 1;    -- 0: opted out of optional ones
ALTER TABLE people ADD COLUMN unreachable_at TEXT;                     -- blocked the bot

ALTER TABLE alerts ADD COLUMN claimed_by INTEGER REFERENCES people(id);
ALTER TABLE alerts ADD COLUMN claimed_at TEXT;
ALTER TABLE alerts ADD COLUMN resolved_by INTEGER REFERENCES people(id);
ALTER TABLE alerts ADD COLUMN resolved_at TEXT;
ALTER TABLE alerts ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN snoozed_until TEXT;
ALTER TABLE alerts ADD COLUMN escalated_at TEXT;
ALTER TABLE alerts ADD COLUMN notified_at TEXT;                         -- police were sent it

ALTER TABLE outbox ADD COLUMN alert_id INTEGER REFERENCES alerts(id);   -- a message showing an alert

-- Where each alert was shown, so that a claim can update the other officers' messages.
CREATE TABLE alert_messages (
    alert_id    INTEGER NOT NULL REFERENCES alerts(id),
    messenger   TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    PRIMARY KEY (alert_id, messenger, chat_id, message_id)
) WITHOUT ROWID;

CREATE TABLE appointments (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES records(person_id),
    at          TEXT NOT NULL,                 -- an instant (UTC)
    place       TEXT NOT NULL DEFAULT '',
    created_by  INTEGER REFERENCES people(id),
    created_at  TEXT NOT NULL,
    cancelled_at TEXT
);
CREATE INDEX appointments_upcoming ON appointments (at) WHERE cancelled_at IS NULL;

CREATE TABLE commune_groups (
    commune_id  INTEGER NOT NULL REFERENCES communes(id),
    messenger   TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    linked_by   INTEGER REFERENCES people(id),
    linked_at   TEXT NOT NULL,
    PRIMARY KEY (commune_id, messenger, chat_id)
) WITHOUT ROWID;

-- Reminders already given, for those that are grouped into one message (a digest names several
-- people, so the outbox's own dedupe key cannot remember each of them).
CREATE TABLE reminder_marks (
    key         TEXT PRIMARY KEY,
    at          TEXT NOT NULL
) WITHOUT ROWID;
