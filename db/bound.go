package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uptrace/bun"
)

// querier is what database/sql offers on a pool, a transaction and a
// connection alike.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// bound returns the database/sql handle under idb, for statements written
// with $n placeholders whose values travel as bind parameters (bun would
// write them into the text; see driver.go). Hot paths use it, so their
// statements keep one text that pgx prepares once per connection.
func bound(idb bun.IDB) querier {
	switch x := idb.(type) {
	case *bun.DB:
		return x.DB
	case bun.Tx:
		return x.Tx
	case *bun.Tx:
		return x.Tx
	case bun.Conn:
		return x.Conn
	case *bun.Conn:
		return x.Conn
	}
	panic(fmt.Sprintf("db: no database/sql handle under %T", idb))
}
