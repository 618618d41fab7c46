DROP TRIGGER apps_never_deleted ON apps;

--bun:split

DROP FUNCTION apps_refuse_delete();

--bun:split

ALTER TABLE pending_signups ADD CONSTRAINT pending_signups_app_id_fkey FOREIGN KEY (app_id) REFERENCES apps (id);

--bun:split

ALTER TABLE guard_limits ADD CONSTRAINT guard_limits_app_id_fkey FOREIGN KEY (app_id) REFERENCES apps (id);

--bun:split

ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_app_id_fkey FOREIGN KEY (app_id) REFERENCES apps (id);

--bun:split

ALTER TABLE refresh_tokens ADD CONSTRAINT refresh_tokens_app_id_fkey FOREIGN KEY (app_id) REFERENCES apps (id);

--bun:split

ALTER TABLE token_families ADD CONSTRAINT token_families_app_id_fkey FOREIGN KEY (app_id) REFERENCES apps (id);

--bun:split

ALTER TABLE audit_events ADD CONSTRAINT audit_events_app_id_fkey FOREIGN KEY (app_id) REFERENCES apps (id);
