package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/roles"
	"github.com/latch-dev/latch/server/web"
)

// appsState is what the apps page could change: every app's settings and
// the number of app events in the audit log.
func appsState(t *testing.T, h *harness) string {
	t.Helper()
	var s string
	if err := h.db.NewRaw(`SELECT string_agg(slug || '|' || name || '|' || coalesce(public_url, '') || '|' || coalesce(brand_name, '') || '|' ||
		array_to_string(redirect_origins, ' '), ',' ORDER BY slug) || ' events=' || (SELECT count(*) FROM audit_events WHERE event LIKE 'app.%') FROM apps`).
		Scan(context.Background(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func appForm(kv ...string) url.Values {
	v := url.Values{pages.AdminAppSlugField: {"shop"}, pages.AdminAppNameField: {"Shop"}, pages.AdminAppURLField: {"http://shop.localhost"},
		pages.AdminAppBrandField: {"Shop & Co"}, pages.AdminAppOriginsField: {"https://spa.shop.example\r\nhttps://www.shop.example"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// TestAdminApps: an administrator lists the apps, creates one and renames
// it from the console, each change audited with the administrator as the
// actor; bad, oversized, duplicated and hostile input is refused with the
// written reason and changes nothing; the new app then answers at its
// host with its own brand.
func TestAdminApps(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{admin: true, multiApp: true})
	ctx := context.Background()
	ops := h.signup("ops@example.com", devicesPassword)
	opsID := grant(t, h, "ops@example.com", roles.Admin)

	page := h.get(ops, pages.AdminAppsPath)
	if page.status != http.StatusOK || !strings.Contains(page.body, `data-testid="admin-nav-apps" aria-current="page"`) ||
		!strings.Contains(page.body, "urn:latch:app:"+h.appID.String()) || strings.Count(page.body, `data-testid="admin-app"`) != 1 {
		t.Fatalf("apps page: %d, want the default app with its audience and the current nav link\n%s", page.status, page.body)
	}
	if users := h.get(ops, pages.AdminPath); strings.Contains(users.body, `data-testid="admin-nav-apps" aria-current`) ||
		!strings.Contains(users.body, `data-testid="admin-nav-users" aria-current="page"`) {
		t.Error("the users page does not mark its own link as the current page")
	}

	r := h.post(ops, pages.AdminAppCreatePath, appForm())
	if r.status != http.StatusSeeOther || r.header.Get("Location") != pages.AdminAppsPath+"?done=created" {
		t.Fatalf("create: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	var shopID, actor, via string
	if err := h.db.NewRaw(`SELECT a.id::text, e.detail->>'actor', e.detail->>'via' FROM apps a JOIN audit_events e ON e.app_id = a.id AND e.event = 'app.create'
		WHERE a.slug = 'shop'`).Scan(ctx, &shopID, &actor, &via); err != nil {
		t.Fatalf("the created app and its audit event: %v", err)
	}
	if actor != opsID.String() || via != "console" {
		t.Errorf("app.create names actor %q via %q, want %s via console", actor, via, opsID)
	}
	list := h.get(ops, pages.AdminAppsPath+"?done=created")
	for _, want := range []string{msg(messages.AdminAppCreated), "http://shop.localhost", "Shop &amp; Co", "https://spa.shop.example",
		"https://www.shop.example", "urn:latch:app:" + shopID} {
		if !strings.Contains(list.body, want) {
			t.Errorf("the apps page after creating does not show %q", want)
		}
	}

	long := strings.Repeat("n", 201)
	var many []string
	for i := range 21 {
		many = append(many, "https://o"+string(rune('a'+i))+".example")
	}
	before := appsState(t, h)
	for _, c := range []struct {
		name   string
		path   string
		form   url.Values
		status int
		want   messages.Key
	}{
		{"upper-case slug", pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, "Blog", pages.AdminAppURLField, "https://blog.example"), 422, messages.AdminAppSlugBad},
		{"slug with a leading hyphen", pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, "-blog", pages.AdminAppURLField, "https://blog.example"), 422, messages.AdminAppSlugBad},
		{"empty slug", pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, "", pages.AdminAppURLField, "https://blog.example"), 422, messages.AdminAppSlugBad},
		{"oversized slug", pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, strings.Repeat("b", 64), pages.AdminAppURLField, "https://blog.example"), 422, messages.AdminAppSlugBad},
		{"hostile slug", pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, `"><script>alert(1)</script>`, pages.AdminAppURLField, "https://blog.example"), 422, messages.AdminAppSlugBad},
		{"duplicate slug", pages.AdminAppCreatePath, appForm(pages.AdminAppURLField, "https://blog.example"), 409, messages.AdminAppDuplicate},
		{"duplicate host", pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, "blog", pages.AdminAppURLField, "http://SHOP.localhost/"), 409, messages.AdminAppDuplicate},
		{"oversized name", pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, "blog", pages.AdminAppURLField, "https://blog.example", pages.AdminAppNameField, long), 422, messages.AdminAppNameBad},
		{"empty name", pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, "blog", pages.AdminAppURLField, "https://blog.example", pages.AdminAppNameField, "  "), 422, messages.AdminAppNameBad},
		{"control character in the name", pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, "blog", pages.AdminAppURLField, "https://blog.example", pages.AdminAppNameField, "Blog\x1b[31m"), 422, messages.AdminAppNameBad},
		{"oversized brand", pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, "blog", pages.AdminAppURLField, "https://blog.example", pages.AdminAppBrandField, strings.Repeat("b", 101)), 422, messages.AdminAppBrandBad},
		{"URL with a path", pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, "blog", pages.AdminAppURLField, "https://blog.example/login"), 422, messages.AdminAppURLBad},
		{"plain http off localhost", pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, "blog", pages.AdminAppURLField, "http://blog.example"), 422, messages.AdminAppURLBad},
		{"javascript URL", pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, "blog", pages.AdminAppURLField, "javascript:alert(1)"), 422, messages.AdminAppURLBad},
		{"URL with a user", pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, "blog", pages.AdminAppURLField, "https://me@blog.example"), 422, messages.AdminAppURLBad},
		{"oversized URL", pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, "blog", pages.AdminAppURLField, "https://"+strings.Repeat("b", 200)+".example"), 422, messages.AdminAppURLBad},
		{"redirect origin with a query", pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, "blog", pages.AdminAppURLField, "https://blog.example", pages.AdminAppOriginsField, "https://evil.example/?next=<script>"), 422, messages.AdminAppOriginBad},
		{"21 redirect origins", pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, "blog", pages.AdminAppURLField, "https://blog.example", pages.AdminAppOriginsField, strings.Join(many, "\n")), 422, messages.AdminAppOriginBad},
		{"rename: bad slug", pages.AdminAppRenamePath, url.Values{pages.AdminAppSlugField: {"../shop"}, pages.AdminAppNameField: {"X"}}, 422, messages.AdminAppSlugBad},
		{"rename: unknown app", pages.AdminAppRenamePath, url.Values{pages.AdminAppSlugField: {"nope"}, pages.AdminAppNameField: {"X"}}, 404, messages.AdminAppNotFound},
		{"rename: oversized name", pages.AdminAppRenamePath, url.Values{pages.AdminAppSlugField: {"shop"}, pages.AdminAppNameField: {long}}, 422, messages.AdminAppNameBad},
		{"rename: empty name", pages.AdminAppRenamePath, url.Values{pages.AdminAppSlugField: {"shop"}, pages.AdminAppNameField: {""}}, 422, messages.AdminAppNameBad},
		{"rename: hostile name", pages.AdminAppRenamePath, url.Values{pages.AdminAppSlugField: {"shop"}, pages.AdminAppNameField: {"<img src=x onerror=alert(1)>\x00"}}, 422, messages.AdminAppNameBad},
		{"create: duplicated field", pages.AdminAppCreatePath, url.Values{pages.AdminAppSlugField: {"blog", "blog2"}, pages.AdminAppNameField: {"Blog"}, pages.AdminAppURLField: {"https://blog.example"}}, 400, messages.FormMalformed},
		{"rename: duplicated field", pages.AdminAppRenamePath, url.Values{pages.AdminAppSlugField: {"shop"}, pages.AdminAppNameField: {"A", "B"}}, 400, messages.FormMalformed},
	} {
		r := h.post(ops, c.path, c.form)
		if r.status != c.status || !strings.Contains(r.body, msg(c.want)) {
			t.Errorf("%s: %d, want %d with %q", c.name, r.status, c.status, messages.Text(c.want))
		}
		if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<img src=x") {
			t.Errorf("%s: the page carries the hostile input unescaped", c.name)
		}
		if c.status == 422 && c.path == pages.AdminAppCreatePath && c.name != "hostile slug" &&
			!strings.Contains(r.body, `value="`+htmlValue(c.form.Get(pages.AdminAppURLField))+`"`) {
			t.Errorf("%s: the refused form lost what was typed", c.name)
		}
	}
	if after := appsState(t, h); after != before {
		t.Fatalf("refused input changed the apps:\n%s\n→\n%s", before, after)
	}

	r = h.post(ops, pages.AdminAppRenamePath, url.Values{pages.AdminAppSlugField: {"shop"}, pages.AdminAppNameField: {"  The Shop  "}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != pages.AdminAppsPath+"?done=renamed" {
		t.Fatalf("rename: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	var name string
	if err := h.db.NewRaw(`SELECT a.name, e.detail->>'actor' FROM apps a JOIN audit_events e ON e.app_id = a.id AND e.event = 'app.rename' WHERE a.slug = 'shop'`).
		Scan(ctx, &name, &actor); err != nil {
		t.Fatalf("the renamed app and its audit event: %v", err)
	}
	if name != "The Shop" || actor != opsID.String() {
		t.Errorf("renamed to %q by %q, want \"The Shop\" by %s", name, actor, opsID)
	}

	// The new app answers at its host, with its own brand and accounts.
	login := h.onHost(h.browser(), "shop.localhost", http.MethodGet, "/login", nil)
	if login.status != http.StatusOK || !strings.Contains(login.body, "Shop &amp; Co") {
		t.Fatalf("login page at the new app's host: %d, want its brand\n%s", login.status, login.body)
	}
	if s := h.onHost(h.browser(), "shop.localhost", http.MethodPost, "/signup", creds("ops@example.com", "another staple entirely")); s.status != http.StatusSeeOther {
		t.Fatalf("signup at the new app: %d %s", s.status, s.body)
	}
	var owners int
	if err := h.db.NewRaw(`SELECT count(*) FROM identities WHERE app_id = ? AND value = 'ops@example.com'`, shopID).Scan(ctx, &owners); err != nil || owners != 1 {
		t.Fatalf("the new app's own account: %d %v", owners, err)
	}

	// A stale proof of identity sends the administrator to confirm it is
	// them, back to the apps page afterwards, and creates nothing.
	before = appsState(t, h)
	h.clock.Advance(web.ReauthWindow + time.Minute)
	r = h.post(ops, pages.AdminAppCreatePath, appForm(pages.AdminAppSlugField, "blog", pages.AdminAppURLField, "https://blog.example"))
	if want := pages.ReauthPath + "?next=" + url.QueryEscape(pages.AdminAppsPath); r.status != http.StatusSeeOther || r.header.Get("Location") != want {
		t.Errorf("create with a stale proof: %d %q, want 303 to %q", r.status, r.header.Get("Location"), want)
	}
	if after := appsState(t, h); after != before {
		t.Fatalf("a stale proof created an app:\n%s\n→\n%s", before, after)
	}
}

func htmlValue(s string) string { return strings.ReplaceAll(s, "&", "&amp;") }
