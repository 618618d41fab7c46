-- What an operator sets per app without SQL (`latch apps`): the public
-- URL its users reach (links in messages, passkeys, provider callbacks),
-- the host requests are matched to it by (the public URL's, lower case,
-- unique), the brand name its emails carry, and the exact origins it may
-- redirect to and accept cross-origin token calls from. The seeded
-- "default" app keeps an empty URL: it takes its settings from
-- LATCH_PUBLIC_URL and answers every host no other app claims.
ALTER TABLE apps
    ADD COLUMN public_url       text NOT NULL DEFAULT '' CHECK (length(public_url) <= 200),
    ADD COLUMN host             text CHECK (host ~ '^[a-z0-9.:\[\]-]{1,200}$'),
    ADD COLUMN brand_name       text NOT NULL DEFAULT '' CHECK (length(brand_name) <= 100),
    ADD COLUMN redirect_origins text[] NOT NULL DEFAULT '{}' CHECK (cardinality(redirect_origins) <= 20),
    ADD COLUMN updated_at       timestamptz NOT NULL DEFAULT now();

--bun:split

CREATE UNIQUE INDEX apps_host_key ON apps (host);
