DROP TABLE recovery_codes;

--bun:split

DROP TABLE totp_factors;
