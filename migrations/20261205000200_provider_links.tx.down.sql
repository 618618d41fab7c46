DROP TABLE provider_links;

--bun:split

DELETE FROM identities WHERE kind = 'oauth';
