-- The guard's ledger (server/guard): one row per limit key holding its
-- theoretical arrival time (GCRA). A budget of N per window W spaces
-- attempts W/N apart with a burst of N: an attempt is allowed when
-- greatest(tat, now) + W/N is no later than now + W. A row whose tat has
-- passed is the same as no row, so rows are pruned once tat < now.
CREATE TABLE guard_limits (
    app_id uuid NOT NULL REFERENCES apps (id),
    key    text NOT NULL CHECK (length(key) BETWEEN 1 AND 600),
    tat    timestamptz NOT NULL,
    PRIMARY KEY (app_id, key)
);

--bun:split

CREATE INDEX guard_limits_tat_idx ON guard_limits (tat);

--bun:split

-- guard_reserve counts one attempt against every key if all of them allow
-- it, and none otherwise, under row locks taken in key order (callers sort
-- the keys), so concurrent reservations never pass more than the budget.
-- emission and window are in microseconds, per key. It returns the
-- 1-based index of the key that refused (0: allowed) and how long until
-- that key allows one, in microseconds. Its transaction commits without
-- waiting for the WAL flush (synchronous_commit off, for it alone).
CREATE FUNCTION guard_reserve(p_app uuid, p_keys text[], p_emission bigint[], p_window bigint[], p_now timestamptz)
RETURNS TABLE (denied integer, wait_us bigint)
LANGUAGE plpgsql AS $$
DECLARE
    r      record;
    nt     timestamptz;
    w      bigint;
    worst  bigint := 0;
    worst_i integer := 0;
BEGIN
    -- A count lost to a crash in the last few milliseconds costs nothing
    -- that matters; waiting for the disk on every guess would.
    PERFORM set_config('synchronous_commit', 'off', true);
    INSERT INTO guard_limits (app_id, key, tat)
        SELECT p_app, k, p_now FROM unnest(p_keys) AS k ORDER BY k
        ON CONFLICT DO NOTHING;
    FOR r IN
        SELECT g.tat, u.i
        FROM guard_limits g
        JOIN unnest(p_keys) WITH ORDINALITY AS u(key, i) ON g.key = u.key
        WHERE g.app_id = p_app
        ORDER BY g.key
        FOR UPDATE OF g
    LOOP
        nt := greatest(r.tat, p_now) + make_interval(secs => p_emission[r.i] / 1e6);
        IF nt > p_now + make_interval(secs => p_window[r.i] / 1e6) THEN
            w := (extract(epoch FROM (nt - p_now)) * 1e6)::bigint - p_window[r.i];
            IF w > worst OR worst_i = 0 THEN
                worst := w;
                worst_i := r.i;
            END IF;
        END IF;
    END LOOP;
    IF worst_i = 0 THEN
        UPDATE guard_limits g
        SET tat = greatest(g.tat, p_now) + make_interval(secs => p_emission[u.i] / 1e6)
        FROM unnest(p_keys) WITH ORDINALITY AS u(key, i)
        WHERE g.app_id = p_app AND g.key = u.key;
    END IF;
    RETURN QUERY SELECT worst_i, worst;
END
$$;

--bun:split

-- Failed passwords are counted by the guard now.
DROP TABLE login_failures;
