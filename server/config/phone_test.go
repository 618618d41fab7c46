package config_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/latch-dev/latch/server/config"
)

func TestPhoneDefaults(t *testing.T) {
	c, err := config.Load(env(map[string]string{"LATCH_ENV": "dev"}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"US", "CA", "GB", "IE", "FR", "DE", "NL", "BE", "ES", "IT", "AU", "NZ"}
	if !slices.Equal(c.PhoneRegions, want) || c.PhoneDefaultRegion != "US" {
		t.Fatalf("regions %q default %q", c.PhoneRegions, c.PhoneDefaultRegion)
	}
	if c.SMS() || c.TwilioBaseURL != "https://api.twilio.com" {
		t.Fatalf("SMS %v base %q", c.SMS(), c.TwilioBaseURL)
	}
}

func TestPhoneRegionsAreNormalised(t *testing.T) {
	c, err := config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_PHONE_REGIONS": " gb, fr ,ie", "LATCH_PHONE_DEFAULT_REGION": "gb"}))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.PhoneRegions, []string{"GB", "FR", "IE"}) || c.PhoneDefaultRegion != "GB" {
		t.Fatalf("regions %q default %q", c.PhoneRegions, c.PhoneDefaultRegion)
	}
}

func TestPhoneAndTwilioRefusals(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		key  string
	}{
		{"unknown region", map[string]string{"LATCH_PHONE_REGIONS": "US,XX"}, "LATCH_PHONE_REGIONS"},
		{"alpha-3", map[string]string{"LATCH_PHONE_REGIONS": "USA"}, "LATCH_PHONE_REGIONS"},
		{"empty item", map[string]string{"LATCH_PHONE_REGIONS": "US,,GB"}, "LATCH_PHONE_REGIONS"},
		{"numeric", map[string]string{"LATCH_PHONE_REGIONS": "US,44"}, "LATCH_PHONE_REGIONS"},
		{"default outside the list", map[string]string{"LATCH_PHONE_REGIONS": "GB,FR"}, "LATCH_PHONE_DEFAULT_REGION"},
		{"unknown default", map[string]string{"LATCH_PHONE_DEFAULT_REGION": "ZZ"}, "LATCH_PHONE_DEFAULT_REGION"},
		{"Twilio in part", map[string]string{"LATCH_TWILIO_ACCOUNT_SID": "AC123"}, "LATCH_TWILIO_AUTH_TOKEN"},
		{"Twilio without from", map[string]string{"LATCH_TWILIO_ACCOUNT_SID": "AC123", "LATCH_TWILIO_AUTH_TOKEN": "t"}, "LATCH_TWILIO_FROM"},
		{"Twilio base not a URL", map[string]string{"LATCH_TWILIO_BASE_URL": "api.twilio.com"}, "LATCH_TWILIO_BASE_URL"},
		{"Twilio base with credentials", map[string]string{"LATCH_TWILIO_BASE_URL": "https://u:p@api.example.com"}, "LATCH_TWILIO_BASE_URL"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.env["LATCH_ENV"] = "dev"
			_, err := config.Load(env(c.env))
			if err == nil || !strings.Contains(err.Error(), c.key) {
				t.Fatalf("err %v, want one naming %s", err, c.key)
			}
			if tok := c.env["LATCH_TWILIO_AUTH_TOKEN"]; tok != "" && strings.Contains(err.Error(), "="+tok) {
				t.Fatalf("error echoes the token: %v", err)
			}
		})
	}
}

func TestTwilioInProduction(t *testing.T) {
	base := map[string]string{
		"DATABASE_URL": "postgres://db/latch", "LATCH_PUBLIC_URL": "https://auth.example.com",
		"LATCH_TWILIO_ACCOUNT_SID": "AC123", "LATCH_TWILIO_AUTH_TOKEN": "secret", "LATCH_TWILIO_FROM": "+15005550006",
	}
	c, err := config.Load(env(base))
	if err != nil {
		t.Fatal(err)
	}
	if !c.SMS() || c.TwilioFrom != "+15005550006" {
		t.Fatalf("SMS %v from %q", c.SMS(), c.TwilioFrom)
	}
	base["LATCH_TWILIO_BASE_URL"] = "http://sms.example.com"
	if _, err := config.Load(env(base)); err == nil || !strings.Contains(err.Error(), "LATCH_TWILIO_BASE_URL") {
		t.Fatalf("plain-http gateway in production: %v", err)
	}
	base["LATCH_TWILIO_BASE_URL"] = "http://127.0.0.1:9999"
	if _, err := config.Load(env(base)); err != nil {
		t.Fatalf("loopback gateway: %v", err)
	}
}
