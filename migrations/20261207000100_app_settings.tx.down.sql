ALTER TABLE apps
    DROP COLUMN public_url,
    DROP COLUMN host,
    DROP COLUMN brand_name,
    DROP COLUMN redirect_origins,
    DROP COLUMN updated_at;
