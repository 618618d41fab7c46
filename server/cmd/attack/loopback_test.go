package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

func TestLoopbackAddr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string // want "" means refused
	}{
		{"127.0.0.1:18080", "127.0.0.1:18080"},
		{"127.9.8.7:1", "127.9.8.7:1"},
		{"localhost:18080", "127.0.0.1:18080"},
		{"[::1]:18080", "[::1]:18080"},
		{"[::ffff:127.0.0.1]:18080", "127.0.0.1:18080"},
		{":18080", ""},
		{"0.0.0.0:18080", ""},
		{"[::]:18080", ""},
		{"192.168.1.10:18080", ""},
		{"10.0.0.1:18080", ""},
		{"[::ffff:10.0.0.1]:18080", ""},
		{"[fe80::1%lo]:18080", ""},
		{"example.com:18080", ""},
		{"localhost.example.com:18080", ""},
		{"127.0.0.1", ""},
		{"127.0.0.1:0", ""},
		{"127.0.0.1:65536", ""},
		{"127.0.0.1:http", ""},
	}
	for _, tt := range tests {
		got, err := loopbackAddr(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("loopbackAddr(%q) = %q, want a refusal", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("loopbackAddr(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestRunRefusesOtherAddresses checks the refusal comes before anything
// starts: no binary, database or server is needed to be turned away.
func TestRunRefusesOtherAddresses(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:18080", "203.0.113.5:80", ":18080"} {
		err := run(context.Background(), []string{"-addr", addr, "-latch", "/nonexistent"},
			func(string) string { return "" }, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "-addr") {
			t.Errorf("run with -addr %s: %v, want a refusal naming -addr", addr, err)
		}
	}
}
