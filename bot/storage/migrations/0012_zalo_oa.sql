-- Zalo Official Accounts: one row per registered app (one OA each), its tokens, the people's
-- interaction window, photos kept from Zalo's short-lived links, and single-use file links.

-- The identities table learns the new messenger (SQLite cannot change a CHECK: rebuild it).
CREATE TABLE identities_new (
    id             INTEGER PRIMARY KEY,
    messenger      TEXT NOT NULL CHECK (messenger IN ('telegram', 'zalo', 'zalo_oa', 'console')),
    external_id    TEXT NOT NULL,
    chat_id        TEXT NOT NULL,
    person_id      INTEGER REFERENCES people(id),
    locale         TEXT CHECK (locale IN ('vi', 'en')),
    created_at     TEXT NOT NULL,
    unreachable_at TEXT,
    UNIQUE (messenger, external_id)
);
INSERT INTO identities_new (id, messenger, external_id, chat_id, person_id, locale, created_at, unreachable_at)
    SELECT id, messenger, external_id, chat_id, person_id, locale, created_at, unreachable_at FROM identities;
DROP TABLE identities;
ALTER TABLE identities_new RENAME TO identities;
CREATE INDEX identities_person ON identities (person_id);
CREATE TRIGGER identity_added AFTER INSERT ON identities
BEGIN
    UPDATE records SET look_on = '' WHERE person_id = NEW.person_id;
END;
CREATE TRIGGER identity_removed AFTER DELETE ON identities
BEGIN
    UPDATE records SET look_on = '' WHERE person_id = OLD.person_id;
END;

-- Secrets and tokens live here only; nothing prints them (hoanhap zalo-oa list shows none).
CREATE TABLE zalo_oas (
    app_id             TEXT PRIMARY KEY,
    app_secret         TEXT NOT NULL,             -- authenticates token calls (header secret_key)
    oa_secret_key      TEXT NOT NULL,             -- signs webhooks
    oa_id              TEXT,                      -- learned from the first event
    commune_id         INTEGER REFERENCES communes(id),
    access_token       TEXT,
    access_expires_at  TEXT,
    refresh_token      TEXT,
    refresh_expires_at TEXT,
    token_version      INTEGER NOT NULL DEFAULT 0, -- +1 at every stored pair: a racing writer loses
    reauth_needed_at   TEXT,                      -- a refresh was refused: an admin must authorise again
    reauth_told_at     TEXT,
    window_hours       INTEGER NOT NULL DEFAULT 48 CHECK (window_hours IN (48, 168)),
    buttons            INTEGER NOT NULL DEFAULT 0,  -- oa.query.hide buttons (off until verified live)
    last_event_at      TEXT,
    last_sent_at       TEXT,
    created_at         TEXT NOT NULL
);

-- PKCE verifiers waiting for the admin to bring a code back (10 minutes at most).
CREATE TABLE zalo_oa_pkce (
    app_id     TEXT PRIMARY KEY REFERENCES zalo_oas(app_id) ON DELETE CASCADE,
    verifier   TEXT NOT NULL,
    state      TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- The interaction window: an OA may write to a person only within 7 days of their last action.
CREATE TABLE zalo_oa_users (
    app_id              TEXT NOT NULL,
    user_id             TEXT NOT NULL,
    last_interaction_at TEXT NOT NULL,
    following           INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (app_id, user_id)
);

-- Photos downloaded from a messenger's short-lived links (a check-in's photo is "media:<id>").
CREATE TABLE media (
    id         INTEGER PRIMARY KEY,
    mime       TEXT NOT NULL,
    content    BLOB NOT NULL,
    created_at TEXT NOT NULL
);

-- A file offered by link where the messenger cannot carry it: single use, 15 minutes.
CREATE TABLE file_links (
    token_hash TEXT PRIMARY KEY,
    filename   TEXT NOT NULL,
    mime       TEXT NOT NULL,
    content    BLOB NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
