-- A province is a unit of its own (issue 15, item 24): a row of kind 'province' in the communes
-- table, so a provincial officer belongs to a province, not to a commune named after it. A commune
-- may be attached to its province; the province's report covers the communes attached to it.
ALTER TABLE communes ADD COLUMN kind TEXT NOT NULL DEFAULT 'commune' CHECK (kind IN ('commune', 'province'));
ALTER TABLE communes ADD COLUMN province_id INTEGER REFERENCES communes(id);
CREATE INDEX communes_province ON communes (province_id);
