DROP FUNCTION anonymise_audit_events(uuid);

--bun:split

DROP TRIGGER audit_events_guard_update ON audit_events;

--bun:split

DROP FUNCTION audit_events_guard_update();

--bun:split

DROP TRIGGER audit_events_append_only ON audit_events;

--bun:split

CREATE TRIGGER audit_events_append_only
BEFORE UPDATE OR DELETE ON audit_events
FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

--bun:split

DROP INDEX users_purge_due_idx;

--bun:split

ALTER TABLE users
    DROP COLUMN purged_at,
    DROP COLUMN purge_after,
    DROP COLUMN deleted_at;
