-- A person's requests to correct or delete their personal data (Luật 91/2025/QH15), and the
-- commune police's decision (issue 17, item 7).
CREATE TABLE data_requests (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    commune_id  INTEGER NOT NULL REFERENCES communes(id),
    kind        TEXT NOT NULL CHECK (kind IN ('correct', 'delete')),
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    decided_by  INTEGER REFERENCES people(id),
    decided_at  TEXT,
    outcome     TEXT CHECK (outcome IN ('done', 'partly', 'refused')),
    answer      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX data_requests_open ON data_requests (commune_id) WHERE decided_at IS NULL;
