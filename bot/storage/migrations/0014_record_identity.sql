-- A person's identity is the exact name (cleaned), birth date and village within a commune (issue
-- 17, item 4): "Lê Văn Hùng" and "Lê Văn Hưng" fold to the same key and may be two people, and a
-- person managed by another commune may be enrolled here without this commune learning of it. The
-- folded key stays as an index (to find names that differ only in accents), no longer unique.
DROP INDEX records_natural_key;
CREATE INDEX records_natural ON records (name_folded, date_of_birth, village);
