package main

import (
	"strings"
	"testing"
)

func TestParseStatus(t *testing.T) {
	t.Parallel()
	status := "Name:\tlatch\nVmPeak:\t 1300000 kB\nVmHWM:\t  177766 kB\nVmRSS:\t  168857 kB\nThreads:\t9\n"
	peak, cur, err := parseStatus(strings.NewReader(status))
	if err != nil || peak != 177766 || cur != 168857 {
		t.Fatalf("parseStatus = %d, %d, %v; want 177766, 168857", peak, cur, err)
	}
	if _, _, err := parseStatus(strings.NewReader("Name:\tlatch\n")); err == nil {
		t.Fatal("a status without VmHWM parsed")
	}
}

func TestLogField(t *testing.T) {
	t.Parallel()
	line := `time=2026-12-02T08:19:17.540Z level=WARN msg="budget tripped" policy=send_email scope=ip budget=5`
	for key, want := range map[string]string{"msg": "budget tripped", "policy": "send_email", "scope": "ip", "path": ""} {
		if got := logField(line, key); got != want {
			t.Errorf("logField(%s) = %q, want %q", key, got, want)
		}
	}
}
