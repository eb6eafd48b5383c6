-- Communes, people and their roles, messenger identities, invite codes, audit log,
-- and the state of conversations (PTB's and the text channels').

CREATE TABLE communes (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    name_folded TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    commune_id  INTEGER NOT NULL REFERENCES communes(id),
    role        TEXT NOT NULL CHECK (role IN ('police', 'supervisor', 'returnee', 'family', 'province')),
    full_name   TEXT NOT NULL DEFAULT '',
    locale      TEXT CHECK (locale IN ('vi', 'en')),
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);
CREATE INDEX people_commune_role ON people (commune_id, role);

-- One row per messenger account. person_id is NULL for someone who wrote to the bot without a
-- code (kept only to remember their language choice).
CREATE TABLE identities (
    id          INTEGER PRIMARY KEY,
    messenger   TEXT NOT NULL CHECK (messenger IN ('telegram', 'zalo', 'console')),
    external_id TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    person_id   INTEGER REFERENCES people(id),
    locale      TEXT CHECK (locale IN ('vi', 'en')),
    created_at  TEXT NOT NULL,
    UNIQUE (messenger, external_id)
);
CREATE INDEX identities_person ON identities (person_id);

CREATE TABLE invites (
    id          INTEGER PRIMARY KEY,
    code_hash   TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('police', 'supervisor', 'returnee', 'family', 'province')),
    commune_id  INTEGER NOT NULL REFERENCES communes(id),
    person_id   INTEGER REFERENCES people(id),
    full_name   TEXT NOT NULL DEFAULT '',
    created_by  INTEGER REFERENCES people(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    used_by     INTEGER REFERENCES people(id)
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    INTEGER REFERENCES people(id),
    action      TEXT NOT NULL,
    subject_id  INTEGER REFERENCES people(id),
    detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_subject ON audit_log (subject_id, at);

-- python-telegram-bot's persistence (conversation states and per-user drafts), as JSON.
CREATE TABLE ptb_conversations (
    name        TEXT NOT NULL,
    key         TEXT NOT NULL,
    state       TEXT NOT NULL,
    PRIMARY KEY (name, key)
) WITHOUT ROWID;

CREATE TABLE ptb_user_data (
    user_id     INTEGER PRIMARY KEY,
    data        TEXT NOT NULL
);

-- Conversation state for the text channels (console, Zalo): the same steps, driven by our runner.
CREATE TABLE dialogs (
    channel     TEXT NOT NULL,
    chat_key    TEXT NOT NULL,
    state       TEXT,
    data        TEXT NOT NULL DEFAULT '{}',
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (channel, chat_key)
) WITHOUT ROWID;

-- Updates already handled, so one redelivered after a crash (Telegram re-sends everything after
-- the last confirmed offset) is not handled twice. Pruned to the most recent ones.
CREATE TABLE seen_updates (
    messenger   TEXT NOT NULL,
    update_id   TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (messenger, update_id)
) WITHOUT ROWID;

-- Small key/value facts about the running bot (e.g. its Telegram username for deep links).
CREATE TABLE bot_meta (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL
);
