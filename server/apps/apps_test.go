package apps_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/server/apps"
)

type memStore struct {
	mu   sync.Mutex
	apps []apps.App
	fail error
}

func (m *memStore) CreateApp(_ context.Context, a apps.App) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.apps = append(m.apps, a)
	return nil
}

func (m *memStore) Apps(context.Context) ([]apps.App, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]apps.App(nil), m.apps...), m.fail
}

func (m *memStore) RenameApp(context.Context, string, string) (apps.App, error) {
	return apps.App{}, apps.ErrNotFound
}

func mustNew(t *testing.T, in apps.Input) apps.App {
	t.Helper()
	a, err := apps.New(in)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestResolverByHost: a request's host picks its app, in any case and
// with or without the port; every other host gets the default app, which
// takes the configured origin; an app created later is seen after the
// refresh interval, and a failed reload keeps the apps known.
func TestResolverByHost(t *testing.T) {
	ctx := context.Background()
	store := &memStore{apps: []apps.App{{Slug: "default", Name: "Latch"}}}
	shop := mustNew(t, apps.Input{Slug: "shop", Name: "Shop", PublicURL: "https://Login.Shop.example"})
	store.CreateApp(ctx, shop)
	r, err := apps.NewResolver(ctx, store, "default", "https://auth.example.com", 20*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Default(); d.Slug != "default" || d.PublicURL != "https://auth.example.com" {
		t.Fatalf("default app %+v", d)
	}
	for host, want := range map[string]string{
		"login.shop.example": "shop", "LOGIN.SHOP.EXAMPLE": "shop", "login.shop.example:443": "shop",
		"shop.example": "default", "evil.example": "default", "": "default", "login.shop.example.evil.example": "default",
	} {
		if got := r.ForHost(ctx, host).Slug; got != want {
			t.Errorf("host %q: app %q, want %q", host, got, want)
		}
	}
	blog := mustNew(t, apps.Input{Slug: "blog", Name: "Blog", PublicURL: "https://blog.example"})
	store.CreateApp(ctx, blog)
	time.Sleep(30 * time.Millisecond)
	r.ForHost(ctx, "x") // this call reloads
	if got := r.ForHost(ctx, "blog.example").Slug; got != "blog" {
		t.Errorf("a new app after the refresh: %q", got)
	}
	store.fail = errors.New("database down")
	time.Sleep(30 * time.Millisecond)
	if got := r.ForHost(ctx, "blog.example").Slug; got != "blog" {
		t.Errorf("a failed reload forgot the apps: %q", got)
	}
	if _, err := apps.NewResolver(ctx, &memStore{}, "default", "", time.Minute, nil); err == nil {
		t.Error("a resolver without its default app started")
	}
}

// TestNewChecksEverySetting: slugs, names, brands, URLs and redirect
// origins are checked; origins are kept exact, lower case, without the
// public URL repeated or duplicates.
func TestNewChecksEverySetting(t *testing.T) {
	a := mustNew(t, apps.Input{Slug: "a-1", Name: " A ", PublicURL: "http://a.localhost:8080/",
		RedirectOrigins: []string{"https://SPA.example", "https://spa.example", "http://a.localhost:8080"}})
	if a.Name != "A" || a.PublicURL != "http://a.localhost:8080" || a.Host != "a.localhost:8080" || a.Brand() != "A" ||
		len(a.RedirectOrigins) != 1 || a.RedirectOrigins[0] != "https://spa.example" {
		t.Fatalf("app %+v", a)
	}
	var bad *apps.Invalid
	for _, in := range []apps.Input{
		{Slug: "", Name: "A", PublicURL: "https://a.example"},
		{Slug: "a_b", Name: "A", PublicURL: "https://a.example"},
		{Slug: "é", Name: "A", PublicURL: "https://a.example"},
		{Slug: "a", Name: "\x00", PublicURL: "https://a.example"},
		{Slug: "a", Name: "\xff", PublicURL: "https://a.example"},
		{Slug: "a", Name: "A", PublicURL: ""},
		{Slug: "a", Name: "A", PublicURL: "https://a.example?x=1"},
		{Slug: "a", Name: "A", PublicURL: "https://a.example#x"},
		{Slug: "a", Name: "A", PublicURL: "ftp://a.example"},
		{Slug: "a", Name: "A", PublicURL: "http://127.0.0.2.nip.io"},
		{Slug: "a", Name: "A", PublicURL: "https://a.example", RedirectOrigins: []string{"*"}},
	} {
		if _, err := apps.New(in); !errors.As(err, &bad) {
			t.Errorf("%+v: %v, want *Invalid", in, err)
		}
	}
}

// TestBrandFor: the default app carries the configured brand unless it
// was given its own; every other app carries its own brand, else its name.
func TestBrandFor(t *testing.T) {
	cases := []struct {
		app  apps.App
		want string
	}{
		{apps.App{Name: "Latch", Default: true}, "Acme"},
		{apps.App{Name: "Latch", BrandName: "Acme Cloud", Default: true}, "Acme Cloud"},
		{apps.App{Name: "Shop"}, "Shop"},
		{apps.App{Name: "Shop", BrandName: "Acme Shop"}, "Acme Shop"},
		{apps.App{}, "Acme"},
	}
	for _, c := range cases {
		if got := c.app.BrandFor("Acme"); got != c.want {
			t.Errorf("%+v: BrandFor = %q, want %q", c.app, got, c.want)
		}
	}
}
