-- A login email carries a code and a magic link in one row, so using either
-- spends both, but the two live for different times: a six-digit code is
-- guessable in principle and lives 10 minutes, a 256-bit link 15. The row's
-- expires_at is the longer (the link's); code_expires_at, when set, ends the
-- code earlier. NULL means the code lives as long as the row.
ALTER TABLE one_time_tokens
    ADD COLUMN code_expires_at timestamptz,
    ADD CONSTRAINT one_time_tokens_code_expiry_check CHECK (
        code_expires_at IS NULL
        OR (code_hash IS NOT NULL AND code_expires_at > created_at AND code_expires_at <= expires_at)
    );
