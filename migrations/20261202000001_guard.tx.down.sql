CREATE TABLE login_failures (
    app_id       uuid NOT NULL REFERENCES apps (id),
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 400),
    window_start timestamptz NOT NULL,
    failures     integer NOT NULL CHECK (failures > 0),
    PRIMARY KEY (app_id, key, window_start)
);

--bun:split

CREATE INDEX login_failures_window_start_idx ON login_failures (window_start);

--bun:split

DROP FUNCTION IF EXISTS guard_reserve(uuid, text[], bigint[], bigint[], timestamptz);

--bun:split

DROP TABLE IF EXISTS guard_limits;
