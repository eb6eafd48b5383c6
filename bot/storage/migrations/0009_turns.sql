-- One statement per turn: after each update the bot writes the conversation's state, the person's
-- draft and the update's id together. Through this view and its trigger that is one statement, so
-- one trip to the database thread instead of seven, and atomic without BEGIN/COMMIT.

CREATE VIEW ptb_turns AS
    SELECT NULL AS name, NULL AS key, NULL AS state, NULL AS user_id, NULL AS data, NULL AS messenger,
           NULL AS update_id, NULL AS at
    WHERE 0;

CREATE TRIGGER ptb_turn INSTEAD OF INSERT ON ptb_turns
BEGIN
    DELETE FROM ptb_conversations WHERE NEW.state IS NULL AND name = NEW.name AND key = NEW.key;
    INSERT INTO ptb_conversations (name, key, state) SELECT NEW.name, NEW.key, NEW.state WHERE NEW.state IS NOT NULL
        ON CONFLICT (name, key) DO UPDATE SET state = excluded.state;
    DELETE FROM ptb_user_data WHERE NEW.data IS NULL AND user_id = NEW.user_id;
    INSERT INTO ptb_user_data (user_id, data) SELECT NEW.user_id, NEW.data WHERE NEW.data IS NOT NULL
        ON CONFLICT (user_id) DO UPDATE SET data = excluded.data;
    INSERT OR IGNORE INTO seen_updates (messenger, update_id, at)
        SELECT NEW.messenger, NEW.update_id, NEW.at WHERE NEW.update_id IS NOT NULL;
END;
