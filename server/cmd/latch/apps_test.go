package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
)

// TestAppsCreateListRename drives `latch apps` on a real database: a
// good app is created, listed and renamed; bad slugs, duplicates,
// oversized and hostile values are refused with a reason and store
// nothing.
func TestAppsCreateListRename(t *testing.T) {
	env := map[string]string{"DATABASE_URL": dbtest.DSN(t)}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	latch := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"apps"}, args...), getenv, &out, io.Discard)
		return out.String(), err
	}
	if err := run(ctx, []string{"migrate", "up"}, getenv, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	out, err := latch("create", "shop", "-name", "Shop", "-url", "https://shop.example.com/", "-brand", "Shop & Co",
		"-redirect-origin", "https://www.shop.example.com", "-redirect-origin", "https://shop.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "shop  ") || !strings.Contains(out, "urn:latch:app:") || !strings.Contains(out, "Shop & Co") || !strings.Contains(out, "https://shop.example.com ") ||
		strings.Count(out, "https://shop.example.com") != 1 || !strings.Contains(out, "https://www.shop.example.com") {
		t.Errorf("create printed:\n%s", out)
	}
	long := strings.Repeat("x", 201)
	bad := []struct {
		args []string
		want string
	}{
		{[]string{"create", "Shop2", "-name", "S", "-url", "https://s2.example.com"}, "slug"},
		{[]string{"create", "-shop", "-name", "S", "-url", "https://s2.example.com"}, "slug"},
		{[]string{"create", "shop/../x", "-name", "S", "-url", "https://s2.example.com"}, "slug"},
		{[]string{"create", strings.Repeat("a", 64), "-name", "S", "-url", "https://s2.example.com"}, "slug"},
		{[]string{"create", "shop", "-name", "Again", "-url", "https://other.example.com"}, "already exists"},
		{[]string{"create", "shop2", "-name", "Same host", "-url", "https://SHOP.example.com"}, "already exists"},
		{[]string{"create", "shop2", "-name", long, "-url", "https://s2.example.com"}, "name"},
		{[]string{"create", "shop2", "-name", "", "-url", "https://s2.example.com"}, "name"},
		{[]string{"create", "shop2", "-name", "Bell\a", "-url", "https://s2.example.com"}, "control"},
		{[]string{"create", "shop2", "-name", "S", "-brand", strings.Repeat("b", 101), "-url", "https://s2.example.com"}, "brand"},
		{[]string{"create", "shop2", "-name", "S", "-url", "http://s2.example.com"}, "https"},
		{[]string{"create", "shop2", "-name", "S", "-url", "https://s2.example.com/path"}, "no path"},
		{[]string{"create", "shop2", "-name", "S", "-url", "javascript:alert(1)"}, "origin"},
		{[]string{"create", "shop2", "-name", "S", "-url", "https://user@s2.example.com"}, "origin"},
		{[]string{"create", "shop2", "-name", "S", "-url", "https://" + long + ".com"}, "at most"},
		{[]string{"create", "shop2", "-name", "S", "-url", "https://s2.example.com", "-redirect-origin", "https://evil.example.com/next"}, "redirect-origin"},
		{[]string{"create", "shop2", "-name", "S", "-url", "https://s2.example.com", "-color", "red"}, "usage"},
		{[]string{"create", "shop2", "-name", "S", "-url", "https://s2.example.com", "stray"}, "unexpected"},
		{[]string{"create"}, "usage"},
		{[]string{"rename", "nosuch", "Name"}, "no app"},
		{[]string{"rename", "shop", long}, "name"},
		{[]string{"rename", "shop", "  "}, "name"},
		{[]string{"rename", "SHOP", "Name"}, "slug"},
		{[]string{"rename", "shop"}, "usage"},
		{[]string{"list", "x"}, "usage"},
		{[]string{"paint"}, "unknown action"},
		{nil, "usage"},
	}
	for _, b := range bad {
		if _, err := latch(b.args...); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("apps %q: %v, want an error saying %q", b.args, err, b.want)
		}
	}
	many := []string{"create", "shop3", "-name", "S", "-url", "https://s3.example.com"}
	for i := range 21 {
		many = append(many, "-redirect-origin", "https://o"+strings.Repeat("x", i)+".example.com")
	}
	if _, err := latch(many...); err == nil || !strings.Contains(err.Error(), "at most 20") {
		t.Errorf("21 redirect origins: %v", err)
	}
	if out, err := latch("rename", "shop", "  The Shop  "); err != nil || !strings.Contains(out, "The Shop") {
		t.Fatalf("rename: %v\n%s", err, out)
	}
	out, err = latch("list")
	if err != nil {
		t.Fatal(err)
	}
	bdb, err := db.Open(ctx, env["DATABASE_URL"], db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	var events []string
	if err := bdb.NewSelect().Table("audit_events").Column("event").Where("event LIKE 'app.%'").Order("id").Scan(ctx, &events); err != nil {
		t.Fatal(err)
	}
	if strings.Join(events, " ") != "app.create app.rename" {
		t.Errorf("audited %v, want the one create and the one rename", events)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "default ") || !strings.HasPrefix(lines[2], "shop ") || !strings.Contains(lines[2], "The Shop") {
		t.Errorf("list after the refusals shows other apps than default and shop:\n%s", out)
	}
}
