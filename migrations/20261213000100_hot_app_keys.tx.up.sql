-- Every row inserted into a table with a foreign key to apps takes a share
-- lock on its app's row, and nearly every row Latch writes belongs to the
-- same app: with requests in flight at once, that one row's lock becomes a
-- multixact each insert extends, and every lock is a WAL record. The
-- tables written on every sign-in, refresh, guess and send keep app_id
-- without the key. No row can lose its app, because an app is never
-- deleted: the trigger below refuses it (and the keys kept on users and
-- identities would refuse it for any app with accounts).
ALTER TABLE audit_events DROP CONSTRAINT audit_events_app_id_fkey;

--bun:split

ALTER TABLE token_families DROP CONSTRAINT token_families_app_id_fkey;

--bun:split

ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_app_id_fkey;

--bun:split

ALTER TABLE one_time_tokens DROP CONSTRAINT one_time_tokens_app_id_fkey;

--bun:split

ALTER TABLE guard_limits DROP CONSTRAINT guard_limits_app_id_fkey;

--bun:split

ALTER TABLE pending_signups DROP CONSTRAINT pending_signups_app_id_fkey;

--bun:split

CREATE FUNCTION apps_refuse_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'an app is never deleted (app %)', OLD.id
        USING ERRCODE = 'restrict_violation';
END
$$;

--bun:split

CREATE TRIGGER apps_never_deleted BEFORE DELETE ON apps
    FOR EACH ROW EXECUTE FUNCTION apps_refuse_delete();
