-- One inbound pipeline for every messenger (issue 12).
--
-- The inbox: whatever arrives (a getUpdates batch, a webhook request, a console line) is written
-- here, idempotent on the platform's own id, before it is acknowledged (the next offset, or the
-- webhook's 200). Workers handle each row; the turn it causes is committed together with the row
-- moving to "handled" (its payload blanked, the replies kept until they are delivered), then the row
-- is "done" (replies blanked). Rows are kept, without content, a few days to drop redeliveries.
CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,
    external_id TEXT NOT NULL,
    chat_key    TEXT NOT NULL,     -- the order key: one chat's rows are handled one at a time, in id order
    payload     TEXT,              -- the event (JSON) until it is handled
    replies     TEXT,              -- the turn's replies (JSON) until they are delivered
    received_at TEXT NOT NULL,
    handled_at  TEXT,
    done_at     TEXT,
    UNIQUE (channel, external_id)
);
CREATE INDEX inbox_open ON inbox (id) WHERE done_at IS NULL;

-- A turn in one statement (atomic without BEGIN/COMMIT, one trip to the database thread): the
-- conversation's state and draft (drop = 1: no conversation left; drop = 0: stored; NULL: as it
-- was), and the inbox row moved to "handled" with the replies still to deliver.
CREATE VIEW turns AS
    SELECT NULL AS channel, NULL AS chat_key, NULL AS state, NULL AS data, NULL AS drop_dialog, NULL AS row_id,
           NULL AS replies, NULL AS at
    WHERE 0;

CREATE TRIGGER turn INSTEAD OF INSERT ON turns
BEGIN
    DELETE FROM dialogs WHERE NEW.drop_dialog = 1 AND channel = NEW.channel AND chat_key = NEW.chat_key;
    INSERT INTO dialogs (channel, chat_key, state, data, updated_at)
        SELECT NEW.channel, NEW.chat_key, NEW.state, NEW.data, NEW.at WHERE NEW.drop_dialog = 0
        ON CONFLICT (channel, chat_key) DO UPDATE SET
            state = excluded.state, data = excluded.data, updated_at = excluded.updated_at;
    UPDATE inbox SET payload = NULL, replies = NEW.replies, handled_at = NEW.at WHERE id = NEW.row_id;
END;
CREATE INDEX inbox_received ON inbox (received_at);

-- Every channel keeps its conversations in dialogs now; Telegram's move over from PTB's tables.
INSERT OR REPLACE INTO dialogs (channel, chat_key, state, data, updated_at)
    SELECT 'telegram', CAST(json_extract(c.key, '$[0]') AS TEXT), c.state,
           COALESCE(json_extract(u.data, '$.draft'), '{}'), strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')
    FROM ptb_conversations AS c
    LEFT JOIN ptb_user_data AS u ON u.user_id = json_extract(c.key, '$[1]')
    WHERE c.name = 'dialog';

-- What was handled before stays handled: a redelivery after the upgrade is dropped.
INSERT OR IGNORE INTO inbox (channel, external_id, chat_key, received_at, handled_at, done_at)
    SELECT messenger, update_id, '', at, at, at FROM seen_updates;

DROP TRIGGER ptb_turn;
DROP VIEW ptb_turns;
DROP TABLE ptb_conversations;
DROP TABLE ptb_user_data;
DROP TABLE seen_updates;

-- A person may block the bot on one messenger and not on another: reachability per account.
ALTER TABLE identities ADD COLUMN unreachable_at TEXT;
UPDATE identities SET unreachable_at = (SELECT unreachable_at FROM people WHERE people.id = identities.person_id)
    WHERE person_id IS NOT NULL;
