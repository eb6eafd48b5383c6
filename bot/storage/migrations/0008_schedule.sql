-- What the reminder tick needs, kept up to date by the database itself, so a tick reads only the
-- people whose situation can have changed instead of recomputing 100,000 people every few minutes.
--
-- records.last_contact_on: the latest check-in that is not withdrawn (the triggers below).
-- records.look_on: the first local date (YYYY-MM-DD) on which the tick must look at this person
--   again; '' (sorts before every date) means "at the next tick". The tick sets it after looking; any write that can change what is
--   due for a person (a check-in, an edit of the record, an assignment, the commune's rules or
--   settings, a messenger linked, consent, an alert, a new officer) clears it here, so no code path
--   can forget to.

ALTER TABLE records ADD COLUMN last_contact_on TEXT;
ALTER TABLE records ADD COLUMN look_on TEXT NOT NULL DEFAULT '';

UPDATE records SET last_contact_on = (
    SELECT MAX(happened_on) FROM checkins c WHERE c.person_id = records.person_id AND c.withdrawn_at IS NULL);

CREATE INDEX records_look_on ON records (look_on);

CREATE TRIGGER checkin_added AFTER INSERT ON checkins
BEGIN
    UPDATE records SET look_on = '', last_contact_on = (
        SELECT MAX(happened_on) FROM checkins c WHERE c.person_id = NEW.person_id AND c.withdrawn_at IS NULL)
    WHERE person_id = NEW.person_id;
END;

CREATE TRIGGER checkin_changed AFTER UPDATE OF happened_on, withdrawn_at, person_id ON checkins
BEGIN
    UPDATE records SET look_on = '', last_contact_on = (
        SELECT MAX(happened_on) FROM checkins c WHERE c.person_id = records.person_id AND c.withdrawn_at IS NULL)
    WHERE person_id IN (NEW.person_id, OLD.person_id);
END;

CREATE TRIGGER checkin_removed AFTER DELETE ON checkins
BEGIN
    UPDATE records SET look_on = '', last_contact_on = (
        SELECT MAX(happened_on) FROM checkins c WHERE c.person_id = OLD.person_id AND c.withdrawn_at IS NULL)
    WHERE person_id = OLD.person_id;
END;

CREATE TRIGGER record_changed AFTER UPDATE OF category, penalty_type, penalty_months, release_date, probation_start,
    probation_end, cadence_rule, enrolled_on, closed_on ON records
BEGIN
    UPDATE records SET look_on = '' WHERE person_id = NEW.person_id;
END;

CREATE TRIGGER assignment_added AFTER INSERT ON assignments
BEGIN
    UPDATE records SET look_on = '' WHERE person_id = NEW.person_id;
END;

CREATE TRIGGER assignment_changed AFTER UPDATE ON assignments
BEGIN
    UPDATE records SET look_on = '' WHERE person_id IN (NEW.person_id, OLD.person_id);
END;

CREATE TRIGGER identity_added AFTER INSERT ON identities
BEGIN
    UPDATE records SET look_on = '' WHERE person_id = NEW.person_id;
END;

CREATE TRIGGER identity_removed AFTER DELETE ON identities
BEGIN
    UPDATE records SET look_on = '' WHERE person_id = OLD.person_id;
END;

CREATE TRIGGER person_flags_changed AFTER UPDATE OF reminders, consent_at, unreachable_at, commune_id, active ON people
BEGIN
    UPDATE records SET look_on = '' WHERE person_id = NEW.id;
END;

-- A new officer also hears of what was due before they came (expungement dates).
CREATE TRIGGER officer_added AFTER INSERT ON people WHEN NEW.role = 'police'
BEGIN
    UPDATE records SET look_on = ''
    WHERE person_id IN (SELECT id FROM people WHERE commune_id = NEW.commune_id AND role = 'returnee');
END;

CREATE TRIGGER officer_changed AFTER UPDATE OF role, active, commune_id ON people
    WHEN NEW.role = 'police' OR OLD.role = 'police'
BEGIN
    UPDATE records SET look_on = ''
    WHERE person_id IN (SELECT id FROM people WHERE commune_id IN (NEW.commune_id, OLD.commune_id)
                                                AND role = 'returnee');
END;

CREATE TRIGGER alert_added AFTER INSERT ON alerts WHEN NEW.person_id IS NOT NULL
BEGIN
    UPDATE records SET look_on = '' WHERE person_id = NEW.person_id;
END;

CREATE TRIGGER alert_changed AFTER UPDATE OF state ON alerts WHEN NEW.person_id IS NOT NULL
BEGIN
    UPDATE records SET look_on = '' WHERE person_id = NEW.person_id;
END;

CREATE TRIGGER commune_settings_changed AFTER UPDATE ON communes
BEGIN
    UPDATE records SET look_on = ''
    WHERE person_id IN (SELECT id FROM people WHERE commune_id = NEW.id AND role = 'returnee');
END;

-- Cadence rules for one commune, or the defaults for all (commune_id NULL).
CREATE TRIGGER cadence_added AFTER INSERT ON cadence_rules
BEGIN
    UPDATE records SET look_on = ''
    WHERE NEW.commune_id IS NULL
       OR person_id IN (SELECT id FROM people WHERE commune_id = NEW.commune_id AND role = 'returnee');
END;

CREATE TRIGGER cadence_changed AFTER UPDATE ON cadence_rules
BEGIN
    UPDATE records SET look_on = ''
    WHERE NEW.commune_id IS NULL
       OR person_id IN (SELECT id FROM people WHERE commune_id IN (NEW.commune_id, OLD.commune_id) AND role = 'returnee');
END;

CREATE TRIGGER cadence_removed AFTER DELETE ON cadence_rules
BEGIN
    UPDATE records SET look_on = ''
    WHERE OLD.commune_id IS NULL
       OR person_id IN (SELECT id FROM people WHERE commune_id = OLD.commune_id AND role = 'returnee');
END;
