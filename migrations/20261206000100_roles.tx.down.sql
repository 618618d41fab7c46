DROP TABLE user_roles;

--bun:split

DROP TABLE role_permissions;
