-- Sign-in providers linked to accounts (OpenID Connect, GitHub, WeChat).
-- Each link is also an identity of kind 'oauth' whose value is
-- '{provider}:{subject}', so an account's ways in stay in one table and a
-- (provider, subject) belongs to at most one account of an app. The
-- provider's email and name are kept for display only: nothing matches
-- accounts on them. Tokens are kept only when the operator asks, sealed
-- under the key-encryption key.
CREATE TABLE provider_links (
    identity_id  uuid PRIMARY KEY REFERENCES identities (id) ON DELETE CASCADE,
    app_id       uuid NOT NULL REFERENCES apps (id),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider     text NOT NULL CHECK (provider ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
    subject      text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    email        text NOT NULL DEFAULT '' CHECK (length(email) <= 320),
    name         text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    tokens       bytea CHECK (length(tokens) <= 16384),
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    CONSTRAINT provider_links_subject_key UNIQUE (app_id, provider, subject)
);

--bun:split

CREATE INDEX provider_links_user_id_idx ON provider_links (user_id);
