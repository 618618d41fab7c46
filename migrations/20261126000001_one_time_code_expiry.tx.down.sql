ALTER TABLE one_time_tokens DROP COLUMN IF EXISTS code_expires_at;
