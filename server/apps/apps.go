// Package apps is the apps one Latch deployment serves: what an app is
// (slug, name, public URL, brand, redirect origins), the rules its
// settings follow, and the Resolver that finds a request's app by its
// host. The same email holds a separate account in each app.
package apps

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// App is one app served by Latch.
type App struct {
	ID   uuid.UUID
	Slug string // stable, lower case: a-z, 0-9 and hyphens, at most 63
	Name string // shown to operators; the brand by default
	// PublicURL is the origin (scheme://host[:port]) the app's users
	// reach; empty for the default app, which uses LATCH_PUBLIC_URL.
	PublicURL string
	// Host is PublicURL's host[:port] in lower case: requests whose Host
	// is this one are the app's. Empty when PublicURL is.
	Host string
	// BrandName is the name emails and pages carry; empty means Name.
	BrandName string
	// RedirectOrigins are the exact origins besides PublicURL the app may
	// send users to after sign-in, and that may call its token API from a
	// browser.
	RedirectOrigins []string
	// Default marks the deployment's own app (LATCH_APP), whose brand is
	// configured with LATCH_BRAND_*. Set by the Resolver, not stored.
	Default bool
}

// Brand is the name the app's messages carry.
func (a App) Brand() string { return cmp.Or(a.BrandName, a.Name) }

// BrandFor is the name the app's pages and messages carry when the
// deployment's brand is named configured (LATCH_BRAND_NAME): the default
// app keeps it unless `latch apps` gave the app a brand of its own;
// every other app carries its own brand or name, and an app with neither
// the configured one.
func (a App) BrandFor(configured string) string {
	if a.Default {
		return cmp.Or(a.BrandName, configured)
	}
	return cmp.Or(a.Brand(), configured)
}

// Limits of an app's settings.
const (
	MaxSlug            = 63
	MaxName            = 200
	MaxBrand           = 100
	MaxURL             = 200
	MaxRedirectOrigins = 20
)

// Errors of the Store.
var (
	ErrDuplicate = errors.New("apps: an app with this slug or host already exists")
	ErrNotFound  = errors.New("apps: no app with this slug")
)

// Invalid is a setting that breaks a rule: Field names it, Reason says
// what is wrong in words an operator can act on.
type Invalid struct {
	Field  string
	Reason string
}

func (e *Invalid) Error() string { return e.Field + ": " + e.Reason }

// CheckSlug reports whether s is a usable slug.
func CheckSlug(s string) error {
	if s == "" || len(s) > MaxSlug {
		return &Invalid{"slug", fmt.Sprintf("must be 1 to %d characters", MaxSlug)}
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case r == '-' && i > 0:
		default:
			return &Invalid{"slug", "must be lower-case letters, digits and hyphens, not starting with a hyphen"}
		}
	}
	return nil
}

// CleanName trims name and checks it: 1 to max characters, printable.
func CleanName(field, name string, max int, optional bool) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" && optional {
		return "", nil
	}
	if !utf8.ValidString(name) || name == "" || utf8.RuneCountInString(name) > max {
		return "", &Invalid{field, fmt.Sprintf("must be 1 to %d characters", max)}
	}
	if strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return "", &Invalid{field, "must not contain control characters"}
	}
	return name, nil
}

// ParseOrigin returns raw as an origin (scheme://host[:port], lower case):
// http(s), no user, path, query or fragment; plain http only on a local
// host (localhost, *.localhost, a loopback address).
func ParseOrigin(field, raw string) (string, error) {
	bad := &Invalid{field, "must be an origin such as https://app.example.com (no path), https unless on localhost"}
	if len(raw) > MaxURL {
		return "", &Invalid{field, fmt.Sprintf("must be at most %d characters", MaxURL)}
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" ||
		(u.Path != "" && u.Path != "/") {
		return "", bad
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !local(u.Hostname()) {
			return "", bad
		}
	default:
		return "", bad
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

func local(host string) bool {
	host = strings.ToLower(host)
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Input is what an operator gives to create an app.
type Input struct {
	Slug, Name, PublicURL, BrandName string
	RedirectOrigins                  []string
}

// New checks in and returns the app it describes, with a new id.
// Errors: *Invalid naming the first field that breaks a rule.
func New(in Input) (App, error) {
	if err := CheckSlug(in.Slug); err != nil {
		return App{}, err
	}
	name, err := CleanName("name", in.Name, MaxName, false)
	if err != nil {
		return App{}, err
	}
	brand, err := CleanName("brand", in.BrandName, MaxBrand, true)
	if err != nil {
		return App{}, err
	}
	origin, err := ParseOrigin("url", in.PublicURL)
	if err != nil {
		return App{}, err
	}
	if len(in.RedirectOrigins) > MaxRedirectOrigins {
		return App{}, &Invalid{"redirect-origin", fmt.Sprintf("at most %d", MaxRedirectOrigins)}
	}
	var origins []string
	for _, o := range in.RedirectOrigins {
		o, err := ParseOrigin("redirect-origin", o)
		if err != nil {
			return App{}, err
		}
		if o != origin && !slices.Contains(origins, o) {
			origins = append(origins, o)
		}
	}
	u, _ := url.Parse(origin)
	return App{ID: uuid.Must(uuid.NewV7()), Slug: in.Slug, Name: name, PublicURL: origin, Host: u.Host,
		BrandName: brand, RedirectOrigins: origins}, nil
}

// CheckRename checks a rename of the app with slug to name and returns
// the name as stored. Errors: *Invalid naming the slug or the name.
func CheckRename(slug, name string) (string, error) {
	if err := CheckSlug(slug); err != nil {
		return "", err
	}
	return CleanName("name", name, MaxName, false)
}

// Store keeps apps (db.Apps).
type Store interface {
	// CreateApp stores a. Errors: ErrDuplicate.
	CreateApp(ctx context.Context, a App) error
	// Apps lists every app by slug.
	Apps(ctx context.Context) ([]App, error)
	// RenameApp sets the name of the app with slug. Errors: ErrNotFound.
	RenameApp(ctx context.Context, slug, name string) (App, error)
}

type appKey struct{}

// WithApp returns ctx carrying the request's app.
func WithApp(ctx context.Context, a App) context.Context {
	return context.WithValue(ctx, appKey{}, a)
}

// FromContext returns the app WithApp put in ctx.
func FromContext(ctx context.Context) (App, bool) {
	a, ok := ctx.Value(appKey{}).(App)
	return a, ok
}
