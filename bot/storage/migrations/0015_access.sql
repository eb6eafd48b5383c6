-- Access that can be revoked (issue 17, item 2): police (or the operator) end a person's use of the
-- bot, and cancel an invite code nobody has used yet.
ALTER TABLE people ADD COLUMN deactivated_at TEXT;
ALTER TABLE invites ADD COLUMN cancelled_at TEXT;
