-- Roles and permissions, per app. The built-in roles (admin, support) are
-- defined in code (server/roles) so they cannot drift; a product's own
-- roles keep their permissions here. A user's roles are user_roles rows:
-- a grant or revoke is one row, read on every request that needs a
-- permission, so a revoke takes effect on the next request.
CREATE TABLE role_permissions (
    app_id     uuid NOT NULL REFERENCES apps (id),
    role       text NOT NULL CHECK (role ~ '^[a-z][a-z0-9_-]{0,31}$'),
    permission text NOT NULL CHECK (permission ~ '^[a-z][a-z0-9_.:-]{0,63}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, role, permission)
);

--bun:split

CREATE TABLE user_roles (
    app_id     uuid NOT NULL REFERENCES apps (id),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role ~ '^[a-z][a-z0-9_-]{0,31}$'),
    granted_by uuid,
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, role)
);

--bun:split

CREATE INDEX user_roles_app_role_idx ON user_roles (app_id, role);
