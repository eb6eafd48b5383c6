-- The help desk: conversations between a returnee and the staff who help them, and the board of
-- job openings and courses.

CREATE TABLE help_threads (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    commune_id  INTEGER NOT NULL REFERENCES communes(id),
    topic       TEXT NOT NULL DEFAULT '',      -- e.g. "loan" when opened from the loan check
    opened_at   TEXT NOT NULL,
    closed_at   TEXT,
    closed_by   INTEGER REFERENCES people(id)
);
CREATE UNIQUE INDEX help_threads_one_open ON help_threads (person_id) WHERE closed_at IS NULL;

CREATE TABLE help_messages (
    id          INTEGER PRIMARY KEY,
    thread_id   INTEGER NOT NULL REFERENCES help_threads(id),
    author_id   INTEGER NOT NULL REFERENCES people(id),
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX help_messages_thread ON help_messages (thread_id, id);

CREATE TABLE postings (
    id          INTEGER PRIMARY KEY,
    commune_id  INTEGER NOT NULL REFERENCES communes(id),
    kind        TEXT NOT NULL CHECK (kind IN ('job', 'course')),
    title       TEXT NOT NULL,
    employer    TEXT NOT NULL,
    place       TEXT NOT NULL,
    pay         TEXT NOT NULL DEFAULT '',
    contact     TEXT NOT NULL DEFAULT '',
    closes_on   TEXT NOT NULL,                 -- the last day it is shown
    created_by  INTEGER NOT NULL REFERENCES people(id),
    created_at  TEXT NOT NULL,
    closed_at   TEXT
);
CREATE INDEX postings_open ON postings (commune_id, closes_on) WHERE closed_at IS NULL;

CREATE TABLE posting_interest (
    posting_id  INTEGER NOT NULL REFERENCES postings(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (posting_id, person_id)
);
