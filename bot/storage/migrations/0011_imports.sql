-- A large import is written in chunks, so the bot keeps answering while it runs; each change is
-- journalled so the import stays all-or-nothing: a failure (or a killed process, found at the next
-- start) undoes every chunk. The journal, which holds the values an update replaced, is deleted
-- when the import finishes.
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    commune_id  INTEGER NOT NULL REFERENCES communes(id),
    state       TEXT NOT NULL CHECK (state IN ('running', 'done', 'undone')),
    pid         INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT
);

CREATE TABLE import_journal (
    import_id   INTEGER NOT NULL REFERENCES imports(id),
    person_id   INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('created', 'updated')),
    before      TEXT,  -- for 'updated': the record's values the import replaced (JSON)
    PRIMARY KEY (import_id, person_id)
) WITHOUT ROWID;
