package config

// Delivery names how a channel's messages (codes, links, notices) leave.
type Delivery string

// The deliveries.
const (
	DeliveryOff        Delivery = "off"         // production without the channel configured: its flows are absent
	DeliverySMTP       Delivery = "smtp"        // LATCH_SMTP_*
	DeliveryTwilio     Delivery = "twilio"      // LATCH_TWILIO_*
	DeliveryDevMailbox Delivery = "dev-mailbox" // dev without the channel configured: /dev/mailbox
)

// Features says, by name, what this configuration turns on. main decides
// what to wire from it (never from which parts happened to be built) and
// logs it at start.
type Features struct {
	// Email is how emails leave. With one: login by email code and link,
	// verify-first signup, email verification and email notices.
	Email Delivery
	// SMS is how text messages leave. With one: login, signup and numbers
	// by SMS code.
	SMS Delivery
	// PasswordReset and AccountRecovery need a message to reach the owner:
	// on with either delivery.
	PasswordReset   bool
	AccountRecovery bool
	// DevMailbox serves /dev/mailbox and the dev banner.
	DevMailbox bool
	// CORS lets LATCH_CORS_ORIGINS call the token API from a browser.
	CORS bool
	// StaticFromDisk serves static files from LATCH_STATIC_DIR (dev).
	StaticFromDisk bool
	// BreachCheck checks new passwords against LATCH_BREACH_RANGE_URL.
	BreachCheck bool
	// AuditPrune removes audit events older than LATCH_AUDIT_RETENTION.
	AuditPrune bool
	// Providers are the sign-in providers offered (LATCH_PROVIDERS), by id.
	Providers []string
}

// Features returns what c turns on.
func (c Config) Features() Features {
	f := Features{Email: DeliveryOff, SMS: DeliveryOff}
	switch {
	case c.SMTPHost != "":
		f.Email = DeliverySMTP
	case c.Env == EnvDev:
		f.Email = DeliveryDevMailbox
	}
	switch {
	case c.SMS():
		f.SMS = DeliveryTwilio
	case c.Env == EnvDev:
		f.SMS = DeliveryDevMailbox
	}
	delivers := f.Email != DeliveryOff || f.SMS != DeliveryOff
	f.PasswordReset, f.AccountRecovery = delivers, delivers
	f.DevMailbox = f.Email == DeliveryDevMailbox || f.SMS == DeliveryDevMailbox
	f.CORS = len(c.CORSOrigins) > 0
	f.StaticFromDisk = c.StaticDir != ""
	f.BreachCheck = c.BreachRangeURL != ""
	f.AuditPrune = c.AuditRetention != 0
	for _, p := range c.Providers {
		f.Providers = append(f.Providers, p.ID)
	}
	return f
}

// LogAttrs are f as slog key-value pairs, for the start-up log line.
func (f Features) LogAttrs() []any {
	return []any{"email", f.Email, "sms", f.SMS, "password_reset", f.PasswordReset, "account_recovery", f.AccountRecovery,
		"dev_mailbox", f.DevMailbox, "cors", f.CORS, "static_from_disk", f.StaticFromDisk,
		"breach_check", f.BreachCheck, "audit_prune", f.AuditPrune, "providers", f.Providers}
}
