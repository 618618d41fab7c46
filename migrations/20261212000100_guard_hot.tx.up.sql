-- The guard's ledger is updated on every guess and every send. An index on
-- tat made each of those updates write a new entry into both indexes;
-- without it, and with room left on each page, PostgreSQL updates the row
-- in place (a heap-only tuple). Only the periodic prune and the admin
-- console's limits view read by tat, and a scan of this table serves them.
DROP INDEX guard_limits_tat_idx;

--bun:split

ALTER TABLE guard_limits SET (fillfactor = 70);
