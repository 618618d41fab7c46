-- Failed password attempts, counted per key ("email:<address>",
-- "ip:<address>") in fixed windows, so every instance of Latch sees the
-- same counts. Rows outlive their window only until the next prune.
CREATE TABLE login_failures (
    app_id       uuid NOT NULL REFERENCES apps (id),
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 400),
    window_start timestamptz NOT NULL,
    failures     integer NOT NULL CHECK (failures > 0),
    PRIMARY KEY (app_id, key, window_start)
);

--bun:split

CREATE INDEX login_failures_window_start_idx ON login_failures (window_start);
