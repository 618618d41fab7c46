package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/roles"
	"github.com/latch-dev/latch/server/web"
)

// TestProductPermissionsWithRoles: a product defines its own role and
// guards its handler with RequirePermission over Latch's roles (the
// protect.Checker): the role's holders and admins pass, everyone else
// gets 403, and a revoke refuses the very next request.
func TestProductPermissionsWithRoles(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{admin: true, product: func(srv *web.Server) {
		srv.Handle("GET /reports/export", srv.Protect().RequirePermission("reports.export", srv.Roles)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "exported")
		})))
	}})
	ctx := auth.WithActor(context.Background(), "cli")
	if err := h.roles.Define(ctx, h.appID, "analyst", "reports.export", "reports.read"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct{ role, perm string }{{roles.Admin, "x"}, {"Bad Role", "x"}, {"ok", "Bad Perm"}} {
		if err := h.roles.Define(ctx, h.appID, bad.role, bad.perm); err == nil {
			t.Errorf("Define(%q, %q) accepted", bad.role, bad.perm)
		}
	}
	analyst := h.signupOn(uaFirefoxWindows, "analyst@example.com")
	support := h.signupOn(uaFirefoxWindows, "support@example.com")
	ops := h.signupOn(uaFirefoxWindows, "ops@example.com")
	analystID := grant(t, h, "analyst@example.com", "analyst")
	grant(t, h, "support@example.com", roles.Support)
	grant(t, h, "ops@example.com", roles.Admin)
	for _, c := range []struct {
		name   string
		client *http.Client
		want   int
	}{{"analyst", analyst, 200}, {"admin", ops, 200}, {"support", support, 403}} {
		if r := h.get(c.client, "/reports/export"); r.status != c.want {
			t.Errorf("%s: %d, want %d", c.name, r.status, c.want)
		}
	}
	if err := h.roles.Revoke(ctx, h.appID, analystID, "analyst"); err != nil {
		t.Fatal(err)
	}
	if r := h.get(analyst, "/reports/export"); r.status != http.StatusForbidden {
		t.Fatalf("analyst after the revoke: %d, want 403", r.status)
	}
	// The analyst role holds no console permission.
	grant(t, h, "analyst@example.com", "analyst")
	if r := h.get(analyst, "/admin"); r.status != http.StatusForbidden {
		t.Fatalf("a product role on the console: %d, want 403", r.status)
	}
}
