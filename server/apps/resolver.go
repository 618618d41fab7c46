package apps

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"
)

// Resolver finds the app of a request by its host. It keeps every app in
// memory and reloads them at most every refresh, so an app created with
// `latch apps create` is served within that time without a restart. A
// host no app claims gets the default app: the deployment's own
// (LATCH_APP), whose links come from LATCH_PUBLIC_URL, never from the
// request's Host.
type Resolver struct {
	store   Store
	slug    string
	origin  string // the default app's public URL when it has none itself
	refresh time.Duration
	log     *slog.Logger

	mu       sync.Mutex
	def      App
	byHost   map[string]App
	loadedAt time.Time
}

// NewResolver loads the apps and returns a Resolver whose default app is
// the one with slug defaultSlug; origin is LATCH_PUBLIC_URL's origin, the
// default app's public URL when it sets none. It fails when the default
// app does not exist or the store cannot be read.
func NewResolver(ctx context.Context, store Store, defaultSlug, origin string, refresh time.Duration, log *slog.Logger) (*Resolver, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Resolver{store: store, slug: defaultSlug, origin: origin, refresh: refresh, log: log}
	if err := r.load(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Resolver) load(ctx context.Context) error {
	all, err := r.store.Apps(ctx)
	if err != nil {
		return err
	}
	byHost := make(map[string]App, len(all))
	var def App
	found := false
	for _, a := range all {
		if a.Slug == r.slug {
			a.Default = true
			def, found = a, true
		}
		if a.Host != "" {
			byHost[a.Host] = a
		}
	}
	if !found {
		return fmt.Errorf("apps: no app with slug %q (LATCH_APP); create it with `latch apps create`", r.slug)
	}
	if def.PublicURL == "" {
		def.PublicURL = r.origin
	}
	r.mu.Lock()
	r.def, r.byHost, r.loadedAt = def, byHost, time.Now()
	r.mu.Unlock()
	return nil
}

// Default is the default app.
func (r *Resolver) Default() App {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.def
}

// ForHost returns the app whose public host is host (a Host header,
// compared in lower case, with or without its port), or the default app.
// When the apps are older than the refresh interval it reloads them
// first; a failed reload keeps the ones it has.
func (r *Resolver) ForHost(ctx context.Context, host string) App {
	r.mu.Lock()
	stale := r.refresh > 0 && time.Since(r.loadedAt) > r.refresh
	if stale {
		r.loadedAt = time.Now() // one reload at a time; others use what is here
	}
	r.mu.Unlock()
	if stale {
		// The request that finds the apps stale reloads them, for at
		// most two seconds.
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := r.load(ctx); err != nil {
			r.log.WarnContext(ctx, "apps: reload failed; keeping the apps loaded before", "err", err)
		}
	}
	host = strings.ToLower(host)
	r.mu.Lock()
	defer r.mu.Unlock()
	if a, ok := r.byHost[host]; ok {
		return a
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		if a, ok := r.byHost[h]; ok {
			return a
		}
	}
	return r.def
}
