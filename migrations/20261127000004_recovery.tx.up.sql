-- Delayed account recovery, for a user who lost their email address: after
-- proving another channel (a verified phone, a recovery code), a request
-- waits until ready_at while every known channel is told, with a link to
-- cancel. Only then can the finish token set a new email and password.
-- Both tokens are stored as SHA-256 (256-bit secrets: a plain hash is
-- enough). At most one request per user is open.
CREATE TABLE recovery_requests (
    id           uuid PRIMARY KEY,
    app_id       uuid NOT NULL REFERENCES apps (id),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method       text NOT NULL CHECK (method IN ('sms', 'recovery_code')),
    finish_hash  bytea NOT NULL UNIQUE CHECK (length(finish_hash) = 32),
    cancel_hash  bytea NOT NULL UNIQUE CHECK (length(cancel_hash) = 32),
    created_at   timestamptz NOT NULL,
    ready_at     timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    cancelled_at timestamptz,
    completed_at timestamptz,
    CHECK (ready_at > created_at),
    CHECK (expires_at > ready_at),
    CHECK (cancelled_at IS NULL OR completed_at IS NULL)
);

--bun:split

CREATE UNIQUE INDEX recovery_requests_open_key ON recovery_requests (user_id)
    WHERE cancelled_at IS NULL AND completed_at IS NULL;
