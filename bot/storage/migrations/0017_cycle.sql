-- The supervision cycle under Luật THAHS 127/2025/QH15 and Nghị định 231/2026 (issue 18): breach
-- records and administrative fines with their review meeting (kiểm điểm, within 5 working days),
-- the monthly roll call, the monthly grades the head of commune police signs, a commune's own days
-- off (on top of the public holidays), and the day the completion certificate was issued.
CREATE TABLE breaches (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES people(id),
    kind            TEXT NOT NULL CHECK (kind IN ('breach', 'fine', 'review_absence')),
    on_date         TEXT NOT NULL,
    what            TEXT NOT NULL DEFAULT '',
    intentional     INTEGER NOT NULL DEFAULT 1,
    review_due      TEXT,                       -- the last day for the review meeting
    review_on       TEXT,                       -- when it was held (or missed)
    review_outcome  TEXT CHECK (review_outcome IN ('held', 'absent_excused', 'absent')),
    recorded_by     INTEGER REFERENCES people(id),
    created_at      TEXT NOT NULL
);
CREATE INDEX breaches_person ON breaches (person_id);

CREATE TABLE roll_calls (
    person_id   INTEGER NOT NULL REFERENCES people(id),
    month       TEXT NOT NULL,                  -- YYYY-MM
    on_date     TEXT NOT NULL,
    how         TEXT NOT NULL CHECK (how IN ('in_person', 'bot', 'spot')),  -- spot: a spot check by police
    recorded_by INTEGER REFERENCES people(id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (person_id, month, how)
);

CREATE TABLE monthly_grades (
    person_id   INTEGER NOT NULL REFERENCES people(id),
    month       TEXT NOT NULL,                  -- YYYY-MM: the month assessed
    proposed    TEXT NOT NULL CHECK (proposed IN ('good', 'fair', 'average', 'poor')),
    reasons     TEXT NOT NULL DEFAULT '',       -- codes, comma-separated
    grade       TEXT CHECK (grade IN ('good', 'fair', 'average', 'poor')),
    set_by      INTEGER REFERENCES people(id),
    set_at      TEXT,
    signed_by   INTEGER REFERENCES people(id),
    signed_at   TEXT,
    PRIMARY KEY (person_id, month)
);

CREATE TABLE commune_days_off (
    commune_id  INTEGER NOT NULL REFERENCES communes(id),
    day         TEXT NOT NULL,
    PRIMARY KEY (commune_id, day)
);

ALTER TABLE records ADD COLUMN completion_certified_on TEXT;

-- The periodic report (NĐ 231 Điều 8 khoản 1, Điều 16): the officer accepts it or asks for a new one.
ALTER TABLE self_reports ADD COLUMN reviewed_by INTEGER REFERENCES people(id);
ALTER TABLE self_reports ADD COLUMN reviewed_at TEXT;
ALTER TABLE self_reports ADD COLUMN outcome TEXT CHECK (outcome IN ('accepted', 'redo'));
ALTER TABLE self_reports ADD COLUMN outcome_note TEXT NOT NULL DEFAULT '';

-- Absence from the place of residence: the person's request, the written decision police record
-- (the bot does not decide), the return.
CREATE TABLE absences (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES people(id),
    first_day     TEXT NOT NULL,
    last_day      TEXT NOT NULL,
    place         TEXT NOT NULL,
    reason        TEXT NOT NULL,
    for_work      INTEGER NOT NULL DEFAULT 0,   -- work or study outside the commune (Luật 127/2025, new article)
    state         TEXT NOT NULL DEFAULT 'requested' CHECK (state IN ('requested', 'approved', 'refused')),
    decided_by    INTEGER REFERENCES people(id),
    decided_at    TEXT,
    decision_ref  TEXT NOT NULL DEFAULT '',     -- the written decision's number and date
    returned_on   TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX absences_person ON absences (person_id);

-- The roll call by the person through the bot (NĐ 231 Điều 10: in person or by an electronic app),
-- where the commune turns it on: a location or a photo, within the first 5 days of the month.
ALTER TABLE communes ADD COLUMN rollcall_by_bot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE communes ADD COLUMN rollcall_days INTEGER NOT NULL DEFAULT 5;   -- the bot's window: days 1..N
ALTER TABLE roll_calls ADD COLUMN photo TEXT;
ALTER TABLE roll_calls ADD COLUMN latitude REAL;
ALTER TABLE roll_calls ADD COLUMN longitude REAL;
