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
