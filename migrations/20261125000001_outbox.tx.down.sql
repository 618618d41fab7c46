DROP TABLE IF EXISTS outbox_dev_mailbox;
