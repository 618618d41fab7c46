-- The device list. Each session gets a public id: a random handle that the
-- device list puts in its forms, unrelated to the cookie token and to its
-- hash. The session manager makes one at login; sessions that already exist
-- get one here from the default. Browser and OS are named from the user
-- agent when the session is saved.
ALTER TABLE sessions
    ADD COLUMN public_id text NOT NULL
        DEFAULT translate(encode(uuid_send(gen_random_uuid()), 'base64'), '+/=', '-_')
        CONSTRAINT sessions_public_id_format CHECK (public_id ~ '^[A-Za-z0-9_-]{22}$'),
    ADD COLUMN browser text NOT NULL DEFAULT '' CHECK (length(browser) <= 64),
    ADD COLUMN os text NOT NULL DEFAULT '' CHECK (length(os) <= 64);

--bun:split

ALTER TABLE sessions ADD CONSTRAINT sessions_public_id_key UNIQUE (public_id);
