-- Signing keys for access tokens (Ed25519, JWS "EdDSA"). The private key is
-- the 32-byte seed sealed with AES-256-GCM under a subkey of the
-- key-encryption key (LATCH_TOKEN_KEK), bound to the kid; a copy of this
-- table cannot sign anything. The kid is the key's RFC 7638 thumbprint.
-- A key signs from not_before until a newer key takes over (retired_at);
-- its public half stays published until retire_after, when the last token
-- it signed has expired.
CREATE TABLE signing_keys (
    kid                text PRIMARY KEY CHECK (kid ~ '^[A-Za-z0-9_-]{1,128}$'),
    alg                text NOT NULL CHECK (alg = 'EdDSA'),
    public_key         bytea NOT NULL CHECK (length(public_key) = 32),
    private_key_sealed bytea NOT NULL CHECK (length(private_key_sealed) BETWEEN 33 AND 256),
    created_at         timestamptz NOT NULL DEFAULT now(),
    not_before         timestamptz NOT NULL,
    retired_at         timestamptz,
    retire_after       timestamptz,
    CHECK ((retired_at IS NULL) = (retire_after IS NULL)),
    CHECK (retire_after IS NULL OR retire_after >= retired_at)
);

--bun:split

-- Token families: what an access token's sid names. A "refresh" family is
-- one chain of rotated refresh tokens, from one password grant, with an
-- absolute lifetime. A "session" family stands for a signed-in browser
-- session (session_hash is that session's key in the sessions table) and
-- lives as long as the last access token minted for it. Revoking a family
-- ends every token of it at once.
CREATE TABLE token_families (
    id            uuid PRIMARY KEY,
    app_id        uuid NOT NULL REFERENCES apps (id),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('refresh', 'session')),
    session_hash  bytea UNIQUE CHECK (length(session_hash) = 32),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    revoke_reason text NOT NULL DEFAULT '' CHECK (revoke_reason ~ '^[a-z_]{0,40}$'),
    CHECK ((kind = 'session') = (session_hash IS NOT NULL))
);

CREATE INDEX token_families_user_id_idx ON token_families (user_id);
CREATE INDEX token_families_expires_at_idx ON token_families (expires_at);

--bun:split

-- Refresh tokens: opaque, 256 random bits, stored only as their SHA-256.
-- Each use rotates the token: a child row is written and the parent marked
-- rotated. For the grace window the parent keeps, sealed under a subkey of
-- the key-encryption key and bound to its id, the pair it was exchanged for
-- (replay_sealed), so a concurrent refresh with the same parent gets the
-- same pair; the sealed copy is wiped once the window has passed. Use of a
-- rotated token after the window revokes the whole family.
CREATE TABLE refresh_tokens (
    id            uuid PRIMARY KEY,
    family_id     uuid NOT NULL REFERENCES token_families (id) ON DELETE CASCADE,
    app_id        uuid NOT NULL REFERENCES apps (id),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash    bytea NOT NULL CHECK (length(token_hash) = 32),
    parent_id     uuid REFERENCES refresh_tokens (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    rotated_at    timestamptz,
    revoked_at    timestamptz,
    replay_sealed bytea CHECK (replay_sealed IS NULL OR rotated_at IS NOT NULL),
    CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash),
    CONSTRAINT refresh_tokens_parent_id_key UNIQUE (parent_id)
);

CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_replay_idx ON refresh_tokens (rotated_at) WHERE replay_sealed IS NOT NULL;
