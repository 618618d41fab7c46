ALTER TABLE token_families
    DROP COLUMN IF EXISTS last_used_at,
    DROP COLUMN IF EXISTS os,
    DROP COLUMN IF EXISTS browser,
    DROP COLUMN IF EXISTS ip,
    DROP COLUMN IF EXISTS user_agent,
    DROP COLUMN IF EXISTS public_id;
