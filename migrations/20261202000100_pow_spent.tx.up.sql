-- Proof-of-work challenges already spent (server/pow), by their random id,
-- so a proof cannot be sent twice. A challenge is signed with its expiry;
-- once that has passed it is refused anyway, and the prune deletes its row.
CREATE TABLE pow_spent (
    id         bytea PRIMARY KEY CHECK (length(id) = 16),
    expires_at timestamptz NOT NULL
);

--bun:split

CREATE INDEX pow_spent_expires_at_idx ON pow_spent (expires_at);
