DROP TABLE IF EXISTS refresh_tokens;

--bun:split

DROP TABLE IF EXISTS token_families;

--bun:split

DROP TABLE IF EXISTS signing_keys;
