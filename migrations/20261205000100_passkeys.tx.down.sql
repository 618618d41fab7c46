DROP TABLE passkeys;

--bun:split

DROP TABLE webauthn_handles;
