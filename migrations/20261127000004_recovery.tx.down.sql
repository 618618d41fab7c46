DROP TABLE IF EXISTS recovery_requests;
