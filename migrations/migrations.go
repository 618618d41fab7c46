// Package migrations holds Latch's database schema as numbered SQL files,
// embedded in the binary and applied with bun's migrator.
//
// Each step has an .up.sql and a .down.sql file; files named *.tx.up.sql run
// inside a transaction. Statements in one file are separated by --bun:split.
package migrations

import (
	"embed"
	"fmt"

	"github.com/uptrace/bun/migrate"
)

//go:embed *.sql
var files embed.FS

// New returns the set of Latch migrations, read from the embedded files.
// It fails only if the embedded files are malformed, which tests catch.
func New() (*migrate.Migrations, error) {
	m := migrate.NewMigrations()
	if err := m.Discover(files); err != nil {
		return nil, fmt.Errorf("migrations: discover: %w", err)
	}
	return m, nil
}
