DROP FUNCTION IF EXISTS audit_prune(timestamptz);

--bun:split

DROP INDEX IF EXISTS audit_events_created_at_idx;

--bun:split

CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
