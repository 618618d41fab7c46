-- When the account's password was last reset (not changed by its signed-in
-- holder): for a while after, the ways into the account (email, phone)
-- cannot change, so a reset through one channel cannot be turned into a
-- takeover of the others.
ALTER TABLE users ADD COLUMN password_reset_at timestamptz;
