ALTER TABLE guard_limits RESET (fillfactor);

--bun:split

CREATE INDEX guard_limits_tat_idx ON guard_limits (tat);
