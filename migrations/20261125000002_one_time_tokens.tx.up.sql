-- One-time codes and magic links for passwordless flows. Secrets are never
-- stored: code_hash is an HMAC-SHA-256 under a server key of the purpose,
-- identity and code; a link is a selector (looked up) and the SHA-256 of
-- its verifier. A row may carry a code, a link or both, and is used once.
-- A row is outstanding until it is consumed or voided (superseded by a newer
-- one for the same purpose and identity, or after max_attempts wrong codes);
-- at most one row per app, purpose and identity is outstanding. Rows are
-- kept past expiry for the send-rate window and then pruned.
CREATE TABLE one_time_tokens (
    id            uuid PRIMARY KEY,
    app_id        uuid NOT NULL REFERENCES apps (id),
    user_id       uuid REFERENCES users (id) ON DELETE CASCADE,
    purpose       text NOT NULL CHECK (purpose ~ '^[a-z][a-z_]{0,39}$'),
    channel       text NOT NULL CHECK (channel IN ('email', 'sms')),
    identity      text NOT NULL CHECK (length(identity) BETWEEN 1 AND 320),
    code_hash     bytea CHECK (length(code_hash) = 32),
    selector      text CHECK (selector ~ '^[A-Za-z0-9_-]{22}$'),
    verifier_hash bytea CHECK (length(verifier_hash) = 32),
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts  integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 100),
    consumed_at   timestamptz,
    voided_at     timestamptz,
    CONSTRAINT one_time_tokens_selector_key UNIQUE (selector),
    CHECK ((selector IS NULL) = (verifier_hash IS NULL)),
    CHECK (code_hash IS NOT NULL OR selector IS NOT NULL),
    CHECK (expires_at > created_at),
    CHECK (consumed_at IS NULL OR voided_at IS NULL)
);

--bun:split

CREATE UNIQUE INDEX one_time_tokens_outstanding_key ON one_time_tokens (app_id, purpose, identity)
    WHERE consumed_at IS NULL AND voided_at IS NULL;

--bun:split

CREATE INDEX one_time_tokens_identity_idx ON one_time_tokens (app_id, identity, created_at DESC);

--bun:split

CREATE INDEX one_time_tokens_expires_at_idx ON one_time_tokens (expires_at);
