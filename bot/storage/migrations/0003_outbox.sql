-- Every message to a person that is not a direct answer (notices, reminders, alerts) is written
-- here in the same transaction as the change that causes it, then delivered by the sender.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER REFERENCES people(id),  -- the recipient, or NULL for a group chat below
    messenger   TEXT,                          -- with chat_id: a group chat (e.g. the police group)
    chat_id     TEXT,
    kind        TEXT NOT NULL,                 -- a renderer in bot/notices.py
    params      TEXT NOT NULL DEFAULT '{}',    -- JSON, what the renderer needs
    dedupe_key  TEXT UNIQUE,                   -- the same reminder is never queued twice
    not_before  TEXT NOT NULL,                 -- quiet hours push this to the morning
    created_at  TEXT NOT NULL,
    claimed_at  TEXT,
    sent_at     TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    failed_at   TEXT,                          -- gave up (e.g. the person blocked the bot)
    urgent      INTEGER NOT NULL DEFAULT 0,    -- may be sent during quiet hours
    CHECK (person_id IS NOT NULL OR (messenger IS NOT NULL AND chat_id IS NOT NULL))
);
CREATE INDEX outbox_pending ON outbox (not_before) WHERE sent_at IS NULL AND failed_at IS NULL;
