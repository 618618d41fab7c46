package dbtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// databaseExists asks the server whether database name exists.
func databaseExists(t *testing.T, name string) bool {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, shared().admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestOpenHasTheSchema(t *testing.T) {
	t.Parallel()
	bdb := Open(t)
	ctx := t.Context()
	var name string
	if err := bdb.NewSelect().Table("apps").Column("name").Where("slug = ?", "default").Scan(ctx, &name); err != nil {
		t.Fatalf("read the seeded app: %v", err)
	}
	if name != "Latch" {
		t.Errorf("default app is named %q, want Latch", name)
	}
	var applied int
	if err := bdb.NewSelect().Table("bun_migrations").ColumnExpr("count(*)").Scan(ctx, &applied); err != nil || applied == 0 {
		t.Errorf("bun_migrations lists %d migrations (%v), want all", applied, err)
	}
	var db string
	if err := bdb.NewRaw("SELECT current_database()").Scan(ctx, &db); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(db, testPrefix) || !strings.Contains(db, "testopenhastheschema") {
		t.Errorf("database %q is not named for its test", db)
	}
}

func TestOpensAreIsolated(t *testing.T) {
	t.Parallel()
	a, b := Open(t), Open(t)
	ctx := t.Context()
	if _, err := a.NewRaw(`INSERT INTO apps (id, slug, name) VALUES ('019ab000-0000-7000-8000-0000000000aa', 'only-in-a', 'A')`).Exec(ctx); err != nil {
		t.Fatalf("insert into a: %v", err)
	}
	for _, tc := range []struct {
		label string
		bdb   *bun.DB
		want  int
	}{{"a", a, 1}, {"b", b, 0}} {
		var n int
		if err := tc.bdb.NewRaw("SELECT count(*) FROM apps WHERE slug = 'only-in-a'").Scan(ctx, &n); err != nil {
			t.Fatal(err)
		}
		if n != tc.want {
			t.Errorf("database %s holds %d rows of the app inserted in a, want %d", tc.label, n, tc.want)
		}
	}
}

func TestParallelOpens(t *testing.T) {
	t.Parallel()
	const n = 8
	var (
		mu    sync.Mutex
		names = map[string]bool{}
	)
	t.Run("group", func(t *testing.T) {
		for i := range n {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				bdb := Open(t)
				ctx := t.Context()
				slug := fmt.Sprintf("app-%d", i)
				if _, err := bdb.NewRaw("INSERT INTO apps (id, slug, name) VALUES (gen_random_uuid(), ?, ?)", slug, slug).Exec(ctx); err != nil {
					t.Fatalf("insert: %v", err)
				}
				var count int
				var db string
				if err := bdb.NewRaw("SELECT count(*), current_database() FROM apps").Scan(ctx, &count, &db); err != nil {
					t.Fatal(err)
				}
				if count != 2 {
					t.Errorf("apps holds %d rows, want the seeded one and mine", count)
				}
				mu.Lock()
				names[db] = true
				mu.Unlock()
			})
		}
	})
	if len(names) != n {
		t.Fatalf("%d subtests used %d databases", n, len(names))
	}
	for name := range names {
		if databaseExists(t, name) {
			t.Errorf("database %s outlived its test", name)
		}
	}
}

func TestDSNIsDroppedAtCleanup(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("inner", func(t *testing.T) {
		dsn := DSN(t)
		ctx := t.Context()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatalf("connect to %s: %v", dsn, err)
		}
		// Left open on purpose: the drop must not wait for it.
		var slug string
		if err := conn.QueryRow(ctx, "SELECT current_database(), slug FROM apps").Scan(&name, &slug); err != nil {
			t.Fatal(err)
		}
		if slug != "default" {
			t.Errorf("apps holds %q, want the seeded default", slug)
		}
	})
	if name == "" {
		t.Fatal("inner test did not reach its database")
	}
	if databaseExists(t, name) {
		t.Errorf("database %s outlived its test", name)
	}
}

func TestTemplateIsSealed(t *testing.T) {
	t.Parallel()
	s := shared()
	if s.err != nil {
		t.Fatal(s.err)
	}
	if s.template == "" {
		t.Fatal("no template: the migration files were not found or differ from the compiled ones")
	}
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, s.admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var allowConn bool
	if err := conn.QueryRow(ctx, "SELECT datallowconn FROM pg_database WHERE datname = $1", s.template).Scan(&allowConn); err != nil {
		t.Fatalf("template %s: %v", s.template, err)
	}
	if allowConn {
		t.Errorf("template %s accepts connections, so a stray one could block copies", s.template)
	}
}

func TestCreateTime(t *testing.T) {
	if testing.Short() {
		t.Skip("timing only")
	}
	Open(t) // the template exists from here on
	const n = 5
	begin := time.Now()
	for range n {
		Open(t)
	}
	t.Logf("Open (create from template, connect): %v each", time.Since(begin)/n)
}

func TestDatabaseName(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, test := range []string{"TestX", "TestSignup/unknown email (JS off)", strings.Repeat("TestVeryLong", 20)} {
		name, err := databaseName(test)
		if err != nil {
			t.Fatal(err)
		}
		if len(name) > 63 || !strings.HasPrefix(name, testPrefix) || seen[name] {
			t.Errorf("databaseName(%q) = %q: too long, unprefixed or repeated", test, name)
		}
		if strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
			t.Errorf("databaseName(%q) = %q holds characters that need quoting", test, name)
		}
		seen[name] = true
	}
}

func TestWithDatabase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"postgres://u:p@h:5432/latch?sslmode=disable", "postgres://u:p@h:5432/other?sslmode=disable"},
		{"postgresql://h/", "postgresql://h/other"},
		{"host=h user=u dbname=latch", "host=h user=u dbname=latch dbname=other"},
	} {
		got := withDatabase(tc.in, "other")
		if got != tc.want {
			t.Errorf("withDatabase(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if cfg, err := pgx.ParseConfig(got); err != nil {
			t.Errorf("pgx cannot parse %q: %v", got, err)
		} else if cfg.Database != "other" {
			t.Errorf("withDatabase(%q) = %q, which pgx reads as database %q", tc.in, got, cfg.Database)
		}
	}
}
