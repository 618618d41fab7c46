-- The language an account chose for its pages, emails and text messages:
-- a BCP 47 tag the catalog is written in ("fr"), or NULL for none chosen
-- (the request's Accept-Language, then LATCH_DEFAULT_LANG, decide).
ALTER TABLE users ADD COLUMN locale text
    CHECK (locale ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$' AND length(locale) <= 35);
