-- Supervision: each managed person's record, supplementary penalties, supervisors' assignments,
-- check-ins, periodic assessments, self-reports, contact-cadence rules and alert events.

-- The record of a person managed by the commune (a people row with role 'returnee').
CREATE TABLE records (
    person_id        INTEGER PRIMARY KEY REFERENCES people(id),
    name_folded      TEXT NOT NULL,
    date_of_birth    TEXT NOT NULL,             -- YYYY-MM-DD
    village          TEXT NOT NULL,
    category         TEXT NOT NULL CHECK (category IN
                        ('suspended', 'non_custodial', 'parole', 'deferred', 'released', 'amnesty')),
    penalty_type     TEXT NOT NULL CHECK (penalty_type IN
                        ('warning', 'fine', 'non_custodial_reform', 'suspended', 'prison', 'life', 'death_commuted', 'exempted')),
    penalty_months   INTEGER,                   -- the term as pronounced, in months
    release_date     TEXT,                      -- completed the prison term / amnesty
    probation_start  TEXT,
    probation_end    TEXT,
    family_name      TEXT NOT NULL DEFAULT '',
    family_relation  TEXT NOT NULL DEFAULT '',
    family_phone     TEXT NOT NULL DEFAULT '',
    note             TEXT NOT NULL DEFAULT '',
    cadence_rule     TEXT,                      -- a per-person rule that overrides the category's
    enrolled_on      TEXT NOT NULL,
    closed_on        TEXT,
    closed_reason    TEXT CHECK (closed_reason IN ('expunged', 'moved_away', 'died', 'sentence_completed', 'other')),
    closed_note      TEXT NOT NULL DEFAULT '',
    created_by       INTEGER REFERENCES people(id),
    updated_at       TEXT NOT NULL
);
-- The same person imported twice is one record.
CREATE UNIQUE INDEX records_natural_key ON records (name_folded, date_of_birth, village);

CREATE TABLE supplementary_penalties (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES records(person_id),
    kind        TEXT NOT NULL CHECK (kind IN
                    ('probation_control', 'residence_ban', 'office_ban', 'profession_ban', 'civil_rights', 'fine', 'other')),
    ends_on     TEXT
);
CREATE INDEX supplementary_person ON supplementary_penalties (person_id);

-- Every edit and the closing of a record: who, when, why, and the fields before and after.
CREATE TABLE record_changes (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES records(person_id),
    at          TEXT NOT NULL,
    actor_id    INTEGER REFERENCES people(id),
    reason      TEXT NOT NULL,
    changes     TEXT NOT NULL                   -- JSON {field: [before, after]}
);

CREATE TABLE assignments (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES records(person_id),
    supervisor_id INTEGER NOT NULL REFERENCES people(id),
    assigned_by   INTEGER REFERENCES people(id),
    started_at    TEXT NOT NULL,
    ended_at      TEXT
);
CREATE UNIQUE INDEX assignments_current ON assignments (person_id) WHERE ended_at IS NULL;
CREATE INDEX assignments_supervisor ON assignments (supervisor_id) WHERE ended_at IS NULL;

CREATE TABLE checkins (
    id            INTEGER PRIMARY KEY,
    client_key    TEXT NOT NULL UNIQUE,         -- the draft's id: confirming twice stores once
    person_id     INTEGER NOT NULL REFERENCES records(person_id),
    supervisor_id INTEGER NOT NULL REFERENCES people(id),
    contact       TEXT NOT NULL CHECK (contact IN ('home_visit', 'phone_call', 'met_at_office', 'came_to_report')),
    status        TEXT NOT NULL CHECK (status IN ('stable', 'needs_support', 'concern', 'left_locality', 'unreachable')),
    note          TEXT NOT NULL DEFAULT '',
    photo         TEXT,                         -- messenger file id
    latitude      REAL,
    longitude     REAL,
    happened_on   TEXT NOT NULL,                -- the local date of the contact
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    withdrawn_at  TEXT,
    withdrawn_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX checkins_person_day ON checkins (person_id, happened_on) WHERE withdrawn_at IS NULL;
CREATE INDEX checkins_supervisor ON checkins (supervisor_id, created_at);

CREATE TABLE assessments (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES records(person_id),
    author_id     INTEGER NOT NULL REFERENCES people(id),
    period        TEXT NOT NULL,                -- YYYY-MM
    conduct       TEXT NOT NULL CHECK (conduct IN ('good', 'fair', 'poor')),
    work          TEXT NOT NULL CHECK (work IN ('steady', 'seasonal', 'none')),
    family        TEXT NOT NULL CHECK (family IN ('supportive', 'strained', 'none')),
    needs         TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    UNIQUE (person_id, period)
);

CREATE TABLE self_reports (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES records(person_id),
    wellbeing     TEXT NOT NULL CHECK (wellbeing IN ('good', 'okay', 'hard')),
    work          TEXT NOT NULL CHECK (work IN ('steady', 'seasonal', 'none')),
    help_needed   TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);

-- Contact cadence: per category, for all communes (commune_id NULL) or one commune.
CREATE TABLE cadence_rules (
    id              INTEGER PRIMARY KEY,
    commune_id      INTEGER REFERENCES communes(id),
    category        TEXT NOT NULL,
    rule            TEXT NOT NULL,              -- e.g. "window:1:5" or "interval:3:14"
    source          TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX cadence_scope ON cadence_rules (COALESCE(commune_id, 0), category);

-- Something commune police must look at. Delivery, claiming and escalation come with reminders.
CREATE TABLE alerts (
    id            INTEGER PRIMARY KEY,
    commune_id    INTEGER NOT NULL REFERENCES communes(id),
    person_id     INTEGER REFERENCES people(id),
    reason        TEXT NOT NULL CHECK (reason IN
                    ('checkin_needs_support', 'checkin_concern', 'checkin_left_locality', 'checkin_unreachable',
                     'missed_checkin', 'help_request', 'undeliverable')),
    source        TEXT NOT NULL DEFAULT '',     -- e.g. "checkin:17"
    state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'claimed', 'snoozed', 'resolved')),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
-- One open alert per person and reason.
CREATE UNIQUE INDEX alerts_one_open ON alerts (person_id, reason) WHERE state <> 'resolved';
CREATE INDEX alerts_commune_state ON alerts (commune_id, state);

-- What a returnee agreed to share with a linked family member.
CREATE TABLE family_links (
    family_id     INTEGER NOT NULL REFERENCES people(id),
    person_id     INTEGER NOT NULL REFERENCES records(person_id),
    shares        TEXT NOT NULL DEFAULT '[]',   -- JSON list: "dates", "supervisor"
    created_at    TEXT NOT NULL,
    PRIMARY KEY (family_id, person_id)
);

-- Invites for a family member name the person whose family they are.
ALTER TABLE invites ADD COLUMN family_of INTEGER REFERENCES people(id);
