-- Audit retention: audit_events stays append-only for every normal code
-- path; only audit_prune, inside its own transaction, may delete, and only
-- rows older than the cut-off it is given (LATCH_AUDIT_RETENTION).
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('latch.audit_prune', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;

--bun:split

CREATE INDEX audit_events_created_at_idx ON audit_events (created_at);

--bun:split

CREATE FUNCTION audit_prune(p_before timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM set_config('latch.audit_prune', 'on', true);
    DELETE FROM audit_events WHERE created_at < p_before;
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('latch.audit_prune', 'off', true);
    RETURN n;
END;
$$;
