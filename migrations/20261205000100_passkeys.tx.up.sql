-- Passkeys (WebAuthn credentials). A user's WebAuthn user handle is 32
-- random bytes kept in webauthn_handles, never the email, phone or user id:
-- the handle is stored on the authenticator and sent back with every
-- assertion, so it must carry nothing personal, and random bytes (unlike a
-- UUIDv7 user id, which embeds the account's creation time) tell nothing
-- about the account. Only public keys are stored: a database copy signs
-- nobody in.
CREATE TABLE webauthn_handles (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    app_id     uuid NOT NULL REFERENCES apps (id),
    handle     bytea NOT NULL CHECK (length(handle) = 32),
    created_at timestamptz NOT NULL,
    CONSTRAINT webauthn_handles_app_handle_key UNIQUE (app_id, handle)
);

--bun:split

-- One row per registered passkey. credential_id is unique per app (an
-- authenticator cannot be registered to two accounts); sign_count is the
-- newest signature counter seen (an assertion whose counter is not greater
-- is refused as a possible clone, unless both are zero); backup_eligible
-- and backup_state are the BE and BS flags (BE never changes for a
-- credential); user_verified says the registration itself verified the
-- user (UV). name is the holder's label for it.
CREATE TABLE passkeys (
    id               uuid PRIMARY KEY,
    app_id           uuid NOT NULL REFERENCES apps (id),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id    bytea NOT NULL CHECK (length(credential_id) BETWEEN 1 AND 1023),
    public_key       bytea NOT NULL CHECK (length(public_key) BETWEEN 1 AND 4096),
    attestation_type text NOT NULL CHECK (length(attestation_type) <= 64),
    aaguid           uuid NOT NULL,
    sign_count       bigint NOT NULL DEFAULT 0 CHECK (sign_count BETWEEN 0 AND 4294967295),
    backup_eligible  boolean NOT NULL,
    backup_state     boolean NOT NULL,
    transports       text[] NOT NULL DEFAULT '{}' CHECK (cardinality(transports) <= 10),
    user_verified    boolean NOT NULL,
    name             text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    created_at       timestamptz NOT NULL,
    last_used_at     timestamptz,
    CONSTRAINT passkeys_app_credential_key UNIQUE (app_id, credential_id),
    CHECK (backup_eligible OR NOT backup_state)
);

--bun:split

CREATE INDEX passkeys_user_idx ON passkeys (user_id, created_at);
