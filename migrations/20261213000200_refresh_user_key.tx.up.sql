-- A refresh token's user is its family's: deleting a user deletes their
-- families (token_families keeps its key to users, ON DELETE CASCADE) and
-- with them every token of each family (refresh_tokens.family_id, ON
-- DELETE CASCADE). The token's own key to users added nothing but a share
-- lock on the user's row, and a WAL record, for every rotation.
ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_user_id_fkey;
