package admin

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/server/apps"
	"github.com/latch-dev/latch/server/auth"
)

// AppStore lists, creates and renames apps, recording each change in the
// app's audit log in the change's transaction (db.AppChanges, which
// `latch apps` uses too).
type AppStore interface {
	Apps(ctx context.Context) ([]apps.App, error)
	CreateApp(ctx context.Context, a apps.App, via string) error
	RenameApp(ctx context.Context, slug, name, via string) (apps.App, error)
}

// ErrNoApps is returned when the console has no app store.
var ErrNoApps = errors.New("admin: apps are not managed here")

// appsVia is how the audit events of the console's app changes say where
// the change was made (the command line says "cli").
const appsVia = "console"

// AppsOn reports whether the console manages apps.
func (c *Console) AppsOn() bool { return c.d.Apps != nil }

// Apps lists every app of the deployment, by slug.
func (c *Console) Apps(ctx context.Context) ([]apps.App, error) {
	if c.d.Apps == nil {
		return nil, ErrNoApps
	}
	return c.d.Apps.Apps(ctx)
}

// CreateApp checks in with the rules `latch apps create` follows
// (apps.New) and stores the app, recording "app.create" with the actor.
// Errors: *apps.Invalid, apps.ErrDuplicate, ErrNoApps.
func (c *Console) CreateApp(ctx context.Context, actor uuid.UUID, in apps.Input) (apps.App, error) {
	if c.d.Apps == nil {
		return apps.App{}, ErrNoApps
	}
	a, err := apps.New(in)
	if err != nil {
		return apps.App{}, err
	}
	return a, c.d.Apps.CreateApp(auth.WithActor(ctx, actor.String()), a, appsVia)
}

// RenameApp renames the app with slug with the rules `latch apps rename`
// follows (apps.CheckRename), recording "app.rename" with the actor.
// Errors: *apps.Invalid, apps.ErrNotFound, ErrNoApps.
func (c *Console) RenameApp(ctx context.Context, actor uuid.UUID, slug, name string) (apps.App, error) {
	if c.d.Apps == nil {
		return apps.App{}, ErrNoApps
	}
	name, err := apps.CheckRename(slug, name)
	if err != nil {
		return apps.App{}, err
	}
	return c.d.Apps.RenameApp(auth.WithActor(ctx, actor.String()), slug, name, appsVia)
}
