-- API clients on the device list. A refresh family (one login through the
-- token API) gets, like a session, a public id: a random handle the device
-- list puts in its sign-out form, unrelated to any token or hash. It also
-- keeps the user agent and address of the login (the address is replaced by
-- each refresh's), the browser and OS named from the user agent, and when
-- it was last refreshed. Families that already exist get a public id from
-- the default and empty device details.
ALTER TABLE token_families
    ADD COLUMN public_id text NOT NULL
        DEFAULT translate(encode(uuid_send(gen_random_uuid()), 'base64'), '+/=', '-_')
        CONSTRAINT token_families_public_id_format CHECK (public_id ~ '^[A-Za-z0-9_-]{22}$'),
    ADD COLUMN user_agent text NOT NULL DEFAULT '' CHECK (length(user_agent) <= 512),
    ADD COLUMN ip text NOT NULL DEFAULT '' CHECK (length(ip) <= 64),
    ADD COLUMN browser text NOT NULL DEFAULT '' CHECK (length(browser) <= 64),
    ADD COLUMN os text NOT NULL DEFAULT '' CHECK (length(os) <= 64),
    ADD COLUMN last_used_at timestamptz;

--bun:split

ALTER TABLE token_families ADD CONSTRAINT token_families_public_id_key UNIQUE (public_id);
