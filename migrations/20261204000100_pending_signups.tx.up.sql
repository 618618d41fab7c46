-- Signups waiting for their address to be proven (verify-first signup by
-- email). No account exists until the code or link emailed to the address
-- is used; a pending signup is bound to that emailed row by its link
-- selector and expires with it. Only the password's PHC hash is kept.
CREATE TABLE pending_signups (
    id            uuid PRIMARY KEY,
    app_id        uuid NOT NULL REFERENCES apps (id),
    email         text NOT NULL CHECK (length(email) BETWEEN 1 AND 320),
    password_hash text NOT NULL CHECK (length(password_hash) BETWEEN 1 AND 1024),
    remember      boolean NOT NULL DEFAULT false,
    selector      text NOT NULL CHECK (selector ~ '^[A-Za-z0-9_-]{22}$'),
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    CONSTRAINT pending_signups_selector_key UNIQUE (selector),
    CHECK (expires_at > created_at)
);

--bun:split

CREATE INDEX pending_signups_email_idx ON pending_signups (app_id, email, created_at DESC);

--bun:split

CREATE INDEX pending_signups_expires_at_idx ON pending_signups (expires_at);
