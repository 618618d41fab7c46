-- Apps: every user and identity belongs to an app, so one email can hold
-- separate accounts in separate apps. One app, "default", is seeded.
CREATE TABLE apps (
    id         uuid PRIMARY KEY,
    slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO apps (id, slug, name)
VALUES ('019ab000-0000-7000-8000-000000000001', 'default', 'Latch');

--bun:split

-- Users: a stable internal id (UUIDv7, made by the application), never
-- derived from a credential.
CREATE TABLE users (
    id         uuid PRIMARY KEY,
    app_id     uuid NOT NULL REFERENCES apps (id),
    status     text NOT NULL DEFAULT 'active'
               CHECK (status IN ('active', 'suspended', 'deleted')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX users_app_id_idx ON users (app_id);

--bun:split

-- Identities: the ways a user is known (email, phone, later oauth), stored
-- normalized and unique per app.
CREATE TABLE identities (
    id          uuid PRIMARY KEY,
    app_id      uuid NOT NULL REFERENCES apps (id),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('email', 'phone', 'oauth')),
    value       text NOT NULL CHECK (length(value) BETWEEN 1 AND 320),
    verified_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT identities_app_kind_value_key UNIQUE (app_id, kind, value)
);

CREATE INDEX identities_user_id_idx ON identities (user_id);

--bun:split

-- Password credentials: an argon2id hash in PHC string form, nothing else.
CREATE TABLE password_credentials (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    hash       text NOT NULL CHECK (hash LIKE '$argon2id$%'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

--bun:split

-- Sessions: the cookie session store. The key is the SHA-256 of the cookie
-- token, so a copy of this table cannot be replayed as cookies. The other
-- columns feed the device list.
CREATE TABLE sessions (
    token_hash   bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    data         bytea NOT NULL,
    expiry       timestamptz NOT NULL,
    user_id      uuid REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    ip           text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT ''
);

CREATE INDEX sessions_expiry_idx ON sessions (expiry);
CREATE INDEX sessions_user_id_idx ON sessions (user_id) WHERE user_id IS NOT NULL;

--bun:split

-- Audit events: an append-only record of security events. The user id is
-- kept without a foreign key so events outlive the account they describe.
CREATE TABLE audit_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app_id     uuid NOT NULL REFERENCES apps (id),
    user_id    uuid,
    event      text NOT NULL CHECK (event ~ '^[a-z][a-z0-9_.]{0,63}$'),
    outcome    text NOT NULL CHECK (outcome IN ('success', 'failure')),
    ip         text NOT NULL DEFAULT '',
    user_agent text NOT NULL DEFAULT '',
    request_id text NOT NULL DEFAULT '',
    detail     jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX audit_events_user_id_idx ON audit_events (user_id, created_at DESC);

--bun:split

CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;

--bun:split

CREATE TRIGGER audit_events_append_only
BEFORE UPDATE OR DELETE ON audit_events
FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
