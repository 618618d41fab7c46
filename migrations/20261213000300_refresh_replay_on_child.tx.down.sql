ALTER TABLE refresh_tokens RESET (fillfactor);

--bun:split

DROP INDEX refresh_tokens_replay_idx;

--bun:split

ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_replay_sealed_check;

--bun:split

-- Each rotated row takes back its child's sealed pair (one snapshot).
UPDATE refresh_tokens AS p SET replay_sealed = c.replay_sealed
FROM refresh_tokens AS c
WHERE c.parent_id = p.id AND (c.replay_sealed IS NOT NULL OR p.replay_sealed IS NOT NULL);

--bun:split

UPDATE refresh_tokens SET replay_sealed = NULL WHERE rotated_at IS NULL AND replay_sealed IS NOT NULL;

--bun:split

ALTER TABLE refresh_tokens ADD CONSTRAINT refresh_tokens_check
    CHECK (replay_sealed IS NULL OR rotated_at IS NOT NULL);

--bun:split

CREATE INDEX refresh_tokens_replay_idx ON refresh_tokens (rotated_at) WHERE replay_sealed IS NOT NULL;
