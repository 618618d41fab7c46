-- The sealed pair a rotation returns, kept for the grace window, moves from
-- the rotated token's row to the row of the child it created: the child is
-- inserted with it, and the rotation's update of the parent changes only
-- rotated_at, which no index holds any more, so PostgreSQL can write it in
-- place (a heap-only tuple) instead of a new row version with an entry in
-- each of the table's five indexes. The wipe after the window finds
-- sealed pairs by the child's created_at (the time of the rotation).
ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_check;

--bun:split

DROP INDEX refresh_tokens_replay_idx;

--bun:split

-- Each row takes its parent's sealed pair, read before this statement
-- changed any (one statement sees one snapshot, so chains move as one).
UPDATE refresh_tokens AS c SET replay_sealed = p.replay_sealed
FROM refresh_tokens AS p
WHERE p.id = c.parent_id AND (p.replay_sealed IS NOT NULL OR c.replay_sealed IS NOT NULL);

--bun:split

UPDATE refresh_tokens SET replay_sealed = NULL WHERE parent_id IS NULL AND replay_sealed IS NOT NULL;

--bun:split

ALTER TABLE refresh_tokens ADD CONSTRAINT refresh_tokens_replay_sealed_check
    CHECK (replay_sealed IS NULL OR parent_id IS NOT NULL);

--bun:split

CREATE INDEX refresh_tokens_replay_idx ON refresh_tokens (created_at) WHERE replay_sealed IS NOT NULL;

--bun:split

-- Room on each page for the one in-place update each token gets.
ALTER TABLE refresh_tokens SET (fillfactor = 80);
