package db

import (
	"context"
	"database/sql/driver"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// How statements travel to PostgreSQL.
//
// bun writes every value into the SQL text on the client (it has no bind
// parameters), so the text of a bun query is new almost every time: a
// token hash, a time, an id. pgx's default execution mode, the statement
// cache, would prepare each such text as a named statement (one more
// round trip and a parse the server keeps), use it once and evict it.
// Such text goes over the simple protocol instead: one round trip, no
// prepared statement to keep or evict.
//
// The statements on hot paths (session checks, bearer checks, refresh
// rotation; see bound) are written with $n placeholders and run with
// their values as arguments: their text never changes, so pgx's statement
// cache prepares each once per connection and later calls are a bind and
// an execute, with a plan PostgreSQL can reuse.

// connector hands out connections that send argument-less queries over
// the simple protocol. trace, when set, sees every statement's text and
// its number of bound arguments (tests use it).
type connector struct {
	driver.Connector
	trace func(query string, args int)
}

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(*stdlib.Conn)
	if !ok {
		_ = dc.Close()
		return nil, errors.New("db: unexpected driver connection")
	}
	return &conn{Conn: sc, trace: c.trace}, nil
}

// conn is pgx's database/sql connection with QueryContext choosing the
// protocol by whether values are bound; every other method is pgx's own.
type conn struct {
	*stdlib.Conn
	trace func(query string, args int)
}

// simple is the option pgx reads from the argument list.
var simple = []driver.NamedValue{{Ordinal: 1, Value: pgx.QueryExecModeSimpleProtocol}}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.trace != nil {
		c.trace(query, len(args))
	}
	if len(args) == 0 {
		args = simple
	}
	return c.Conn.QueryContext(ctx, query, args)
}

// ExecContext: pgx already sends an Exec without arguments over the
// simple protocol.
func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.trace != nil {
		c.trace(query, len(args))
	}
	return c.Conn.ExecContext(ctx, query, args)
}
