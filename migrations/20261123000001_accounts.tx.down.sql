DROP TABLE IF EXISTS audit_events;

--bun:split

DROP FUNCTION IF EXISTS audit_events_append_only();

--bun:split

DROP TABLE IF EXISTS sessions;

--bun:split

DROP TABLE IF EXISTS password_credentials;

--bun:split

DROP TABLE IF EXISTS identities;

--bun:split

DROP TABLE IF EXISTS users;

--bun:split

DROP TABLE IF EXISTS apps;
