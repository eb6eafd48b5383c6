-- Outreach meetings and tips received, logged by police or supervisors, counted in reports.
CREATE TABLE outreach (
    id           INTEGER PRIMARY KEY,
    commune_id   INTEGER NOT NULL REFERENCES communes(id),
    kind         TEXT NOT NULL CHECK (kind IN ('meeting', 'tip')),
    on_date      TEXT NOT NULL,
    place        TEXT NOT NULL DEFAULT '',
    topic        TEXT NOT NULL DEFAULT '',
    participants INTEGER NOT NULL DEFAULT 0 CHECK (participants >= 0),
    created_by   INTEGER REFERENCES people(id),
    created_at   TEXT NOT NULL
);
CREATE INDEX outreach_commune_date ON outreach (commune_id, on_date);
CREATE INDEX checkins_day ON checkins (happened_on) WHERE withdrawn_at IS NULL;
CREATE INDEX alerts_created ON alerts (created_at);
