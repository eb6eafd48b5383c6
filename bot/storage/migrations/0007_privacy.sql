-- Consent to optional messages (explicit, recorded, withdrawable) and anonymisation of records
-- whose management ended long enough ago.
ALTER TABLE people ADD COLUMN consent_at TEXT;
ALTER TABLE records ADD COLUMN anonymised_at TEXT;
