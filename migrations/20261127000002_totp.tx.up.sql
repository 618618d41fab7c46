-- Time-based one-time passwords (RFC 6238) as a second factor. The shared
-- secret is stored sealed (AES-256-GCM under a subkey of the key-encryption
-- key, bound to the user id), never in clear: a database copy gives no
-- codes. A row without confirmed_at is an enrolment waiting for its first
-- code; it asks nothing at sign-in. last_step is the newest RFC 6238 time
-- step accepted, so each code works once; failures counts wrong second
-- factors in a row, for the lockout.
CREATE TABLE totp_factors (
    user_id       uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    app_id        uuid NOT NULL REFERENCES apps (id),
    secret_sealed bytea NOT NULL CHECK (length(secret_sealed) BETWEEN 40 AND 200),
    created_at    timestamptz NOT NULL,
    confirmed_at  timestamptz,
    last_step     bigint NOT NULL DEFAULT 0 CHECK (last_step >= 0),
    failures      integer NOT NULL DEFAULT 0 CHECK (failures >= 0)
);

--bun:split

-- Single-use recovery codes, stored only as an HMAC-SHA-256 under a server
-- key bound to the user. Regenerating deletes the old set.
CREATE TABLE recovery_codes (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  bytea NOT NULL CHECK (length(code_hash) = 32),
    created_at timestamptz NOT NULL,
    used_at    timestamptz,
    CONSTRAINT recovery_codes_user_hash_key UNIQUE (user_id, code_hash)
);
