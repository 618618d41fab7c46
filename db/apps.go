package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/server/apps"
	"github.com/latch-dev/latch/server/auth"
)

type appRow struct {
	bun.BaseModel `bun:"table:apps"`

	ID              uuid.UUID `bun:"id,pk,type:uuid"`
	Slug            string    `bun:"slug"`
	Name            string    `bun:"name"`
	PublicURL       string    `bun:"public_url"`
	Host            *string   `bun:"host"`
	BrandName       string    `bun:"brand_name"`
	RedirectOrigins []string  `bun:"redirect_origins,array"`
	CreatedAt       time.Time `bun:"created_at"`
	UpdatedAt       time.Time `bun:"updated_at"`
}

func (r appRow) app() apps.App {
	a := apps.App{ID: r.ID, Slug: r.Slug, Name: r.Name, PublicURL: r.PublicURL, BrandName: r.BrandName, RedirectOrigins: r.RedirectOrigins}
	if r.Host != nil {
		a.Host = *r.Host
	}
	return a
}

// Apps stores the apps one deployment serves (apps.Store).
type Apps struct {
	db bun.IDB
}

// NewApps returns the app store over db.
func NewApps(db bun.IDB) *Apps { return &Apps{db: db} }

var _ apps.Store = (*Apps)(nil)

// CreateApp stores a. Errors: apps.ErrDuplicate when its slug or host is
// taken.
func (s *Apps) CreateApp(ctx context.Context, a apps.App) error {
	row := appRow{ID: a.ID, Slug: a.Slug, Name: a.Name, PublicURL: a.PublicURL, BrandName: a.BrandName,
		RedirectOrigins: a.RedirectOrigins, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if row.RedirectOrigins == nil {
		row.RedirectOrigins = []string{}
	}
	if a.Host != "" {
		row.Host = &a.Host
	}
	_, err := s.db.NewInsert().Model(&row).Exec(ctx)
	if isUniqueViolation(err, "apps_slug_key") || isUniqueViolation(err, "apps_host_key") {
		return apps.ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("db: create app: %w", err)
	}
	return nil
}

// Apps lists every app, by slug.
func (s *Apps) Apps(ctx context.Context) ([]apps.App, error) {
	var rows []appRow
	if err := s.db.NewSelect().Model(&rows).Order("slug").Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: list apps: %w", err)
	}
	out := make([]apps.App, len(rows))
	for i, r := range rows {
		out[i] = r.app()
	}
	return out, nil
}

// RenameApp sets the name of the app with slug. Errors: apps.ErrNotFound.
func (s *Apps) RenameApp(ctx context.Context, slug, name string) (apps.App, error) {
	var row appRow
	err := s.db.NewUpdate().Model(&row).Set("name = ?", name).Set("updated_at = now()").
		Where("slug = ?", slug).Returning("*").Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return apps.App{}, apps.ErrNotFound
	}
	if err != nil {
		return apps.App{}, fmt.Errorf("db: rename app: %w", err)
	}
	return row.app(), nil
}

// AppChanges creates and renames apps, recording each change in the
// app's audit log ("app.create", "app.rename") in the change's
// transaction: no change goes unrecorded. The command line and the admin
// console both change apps through it; an administrator acting from the
// console is in ctx (auth.WithActor) and the event names them.
type AppChanges struct{ db *bun.DB }

// NewAppChanges returns the audited app changes over db.
func NewAppChanges(db *bun.DB) *AppChanges { return &AppChanges{db: db} }

// Apps lists every app, by slug.
func (c *AppChanges) Apps(ctx context.Context) ([]apps.App, error) {
	return NewApps(c.db).Apps(ctx)
}

// CreateApp stores a, recording "app.create" with via (how the change was
// made: "cli", "console"). Errors: apps.ErrDuplicate.
func (c *AppChanges) CreateApp(ctx context.Context, a apps.App, via string) error {
	return c.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := NewApps(tx).CreateApp(ctx, a); err != nil {
			return err
		}
		return auditApp(ctx, tx, a, "app.create", via)
	})
}

// RenameApp sets the name of the app with slug, recording "app.rename"
// with via. Errors: apps.ErrNotFound.
func (c *AppChanges) RenameApp(ctx context.Context, slug, name, via string) (apps.App, error) {
	var a apps.App
	err := c.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if a, err = NewApps(tx).RenameApp(ctx, slug, name); err != nil {
			return err
		}
		return auditApp(ctx, tx, a, "app.rename", via)
	})
	return a, err
}

func auditApp(ctx context.Context, tx bun.IDB, a apps.App, event, via string) error {
	return NewAudit(tx, nil).Record(ctx, auth.Event{AppID: a.ID, Name: event, Outcome: auth.Success,
		Detail: map[string]string{"slug": a.Slug, "via": via}})
}
