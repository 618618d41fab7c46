package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server/config"
)

func TestDeleteGrace(t *testing.T) {
	c, err := config.Load(env(map[string]string{"LATCH_ENV": "dev"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DeleteGrace != 14*24*time.Hour {
		t.Fatalf("default delete grace %v, want 14 days", c.DeleteGrace)
	}
	c, err = config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_DELETE_GRACE": "720h"}))
	if err != nil || c.DeleteGrace != 30*24*time.Hour {
		t.Fatalf("LATCH_DELETE_GRACE=720h: %v %v", c.DeleteGrace, err)
	}
	for _, bad := range []string{"30m", "0", "-1h", "soon"} {
		_, err := config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_DELETE_GRACE": bad}))
		if err == nil || !strings.Contains(err.Error(), "LATCH_DELETE_GRACE") {
			t.Errorf("LATCH_DELETE_GRACE=%s: %v", bad, err)
		}
	}
}
