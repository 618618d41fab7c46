package config_test

import (
	"strings"
	"testing"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/config"
)

// TestDefaultLang: LATCH_DEFAULT_LANG is English unless set, takes any
// language of the catalog, and refuses anything else by name.
func TestDefaultLang(t *testing.T) {
	c, err := config.Load(env(map[string]string{"LATCH_ENV": "dev"}))
	if err != nil || c.DefaultLang != messages.English {
		t.Fatalf("default: %q, %v", c.DefaultLang, err)
	}
	c, err = config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_DEFAULT_LANG": "FR"}))
	if err != nil || c.DefaultLang != messages.French {
		t.Fatalf("FR: %q, %v", c.DefaultLang, err)
	}
	for _, bad := range []string{"de", "fr-FR", "english", "<b>"} {
		_, err := config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_DEFAULT_LANG": bad}))
		if err == nil || !strings.Contains(err.Error(), "LATCH_DEFAULT_LANG must be one of en, fr") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
