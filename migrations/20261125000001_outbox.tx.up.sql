-- The development mailbox: in dev, outbox.Mailbox stores outgoing email
-- and SMS here instead of sending them, for a /dev/mailbox page to show.
-- Production never writes to it. River's own tables (river_job, …) are
-- not here: outbox.MigrateRiver manages them.
CREATE TABLE outbox_dev_mailbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('email', 'sms')),
    recipient text NOT NULL,
    subject text NOT NULL DEFAULT '',
    text_body text NOT NULL,
    html_body text NOT NULL DEFAULT '',
    purpose text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
