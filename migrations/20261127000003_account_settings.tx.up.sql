-- Account deletion with a grace period: a user who deletes their account
-- gets status 'deleted', deleted_at and purge_after (deleted_at plus the
-- grace period configured at that moment). Signing in before purge_after
-- restores the account; after it, the purge removes the account's personal
-- data and sets purged_at. The users row stays, holding nothing personal,
-- so audit events keep a user id to belong to.
ALTER TABLE users
    ADD COLUMN deleted_at  timestamptz,
    ADD COLUMN purge_after timestamptz,
    ADD COLUMN purged_at   timestamptz,
    ADD CONSTRAINT users_purge_after_check CHECK (purge_after IS NULL OR deleted_at IS NOT NULL),
    ADD CONSTRAINT users_purged_check CHECK (purged_at IS NULL OR status = 'deleted');

--bun:split

CREATE INDEX users_purge_due_idx ON users (purge_after) WHERE purge_after IS NOT NULL AND purged_at IS NULL;

--bun:split

-- audit_events stays append-only with one exception: the purge of a deleted
-- account blanks the personal data of that account's events (ip,
-- user_agent, and the device names in detail) through
-- anonymise_audit_events. The row trigger allows an update only while that
-- function has named the row's user in the transaction-local setting
-- latch.audit_anonymise, and only one that blanks ip and user_agent and
-- removes detail keys: every other column must stay as it was. Deletes are
-- always refused.
DROP TRIGGER audit_events_append_only ON audit_events;

--bun:split

CREATE TRIGGER audit_events_append_only
BEFORE DELETE ON audit_events
FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

--bun:split

CREATE FUNCTION audit_events_guard_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.user_id IS NOT NULL
       AND current_setting('latch.audit_anonymise', true) = OLD.user_id::text
       AND NEW.id = OLD.id AND NEW.app_id = OLD.app_id
       AND NEW.user_id IS NOT DISTINCT FROM OLD.user_id
       AND NEW.event = OLD.event AND NEW.outcome = OLD.outcome
       AND NEW.request_id = OLD.request_id AND NEW.created_at = OLD.created_at
       AND NEW.ip = '' AND NEW.user_agent = ''
       AND NEW.detail <@ OLD.detail THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;

--bun:split

CREATE TRIGGER audit_events_guard_update
BEFORE UPDATE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_guard_update();

--bun:split

-- anonymise_audit_events blanks the personal data of one user's events and
-- returns how many rows it changed.
CREATE FUNCTION anonymise_audit_events(p_user uuid) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM set_config('latch.audit_anonymise', p_user::text, true);
    UPDATE audit_events
       SET ip = '', user_agent = '', detail = detail - ARRAY['browser', 'os', 'device']
     WHERE user_id = p_user
       AND (ip <> '' OR user_agent <> '' OR detail ?| ARRAY['browser', 'os', 'device']);
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('latch.audit_anonymise', '', true);
    RETURN n;
END;
$$;
