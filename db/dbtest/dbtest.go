// Package dbtest gives each test its own PostgreSQL database with Latch's
// schema, dropped when the test ends.
//
// The server is the one named by LATCH_TEST_DATABASE_URL, else DATABASE_URL
// (a DSN whose role may create databases), else the project-local cluster in
// <project root>/.data/postgres, started on demand (see server/devdb). The
// schema is migrated once into a template database whose name carries a hash
// of the migration files, so each test's database is a cheap copy of it.
// Many test binaries may do all this at once, as `go test ./...` does.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/migrations"
	"github.com/latch-dev/latch/server/devdb"
)

const (
	testPrefix     = "latch_test_"
	templatePrefix = "latch_tpl_"
	// staleAfter is the age past which a test database is taken to be left
	// over from a killed run, and dropped.
	staleAfter = 24 * time.Hour
	// staleTemplate is the age past which a template of another schema is
	// dropped when a new one is made.
	staleTemplate = 6 * time.Hour
	// templateComment starts a template's comment, followed by its creation
	// time in Unix seconds.
	templateComment = "latch dbtest template, created "
	// templateLock is the pg_advisory_lock key that serialises template
	// creation across processes.
	templateLock int64 = 0x6c61746368_7470 // "latch" "tp"
)

// Open returns a connection pool (at most 5 connections) to a new database
// holding every Latch migration and nothing else. The pool is closed and
// the database dropped when the test and its subtests end.
//
// Open fails the test (t.Fatal) if no server can be found or started, if
// the template cannot be migrated, or if the database cannot be created;
// the message says which. A database that cannot be dropped at cleanup is
// reported with t.Error.
func Open(t testing.TB) *bun.DB {
	t.Helper()
	dsn := DSN(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bdb, err := db.Open(ctx, dsn, db.Options{MaxOpenConns: 5})
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	// Cleanups run last-in first-out: the pool closes before DSN's drop.
	t.Cleanup(func() { _ = bdb.Close() })
	return bdb
}

// DSN is Open for tests that connect by themselves, such as a server run as
// a separate process: it returns the DSN of a new, migrated database that is
// dropped (forcibly, closing any connection still open) when the test ends.
// It fails the test in the same cases as Open.
func DSN(t testing.TB) string {
	t.Helper()
	s := shared()
	if s.err != nil {
		t.Fatalf("dbtest: %v", s.err)
	}
	name, err := databaseName(t.Name())
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := s.create(ctx, name); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)"); err != nil {
			t.Errorf("dbtest: drop database %s: %v", name, err)
		}
	})
	return withDatabase(s.admin, name)
}

// server is what a test binary learns once: where to create databases and
// which template to copy.
type server struct {
	admin    string // DSN of a database on the server, used to create and drop others
	template string // ready template database, or "" to migrate each database instead
	err      error
}

// shared finds the server and readies the template once per test binary. It
// is the package's only state: a memo of facts that hold for the whole run.
var shared = sync.OnceValue(func() *server {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute) // may install PostgreSQL
	defer cancel()
	s := &server{}
	root, rootErr := projectRoot()
	s.admin = os.Getenv("LATCH_TEST_DATABASE_URL")
	if s.admin == "" {
		s.admin = os.Getenv("DATABASE_URL")
	}
	if s.admin == "" {
		if rootErr != nil {
			s.err = fmt.Errorf("LATCH_TEST_DATABASE_URL and DATABASE_URL are unset, and the local cluster needs the project root: %w", rootErr)
			return s
		}
		c := &devdb.Cluster{Dir: filepath.Join(root, ".data", "postgres"), Out: os.Stderr}
		if s.admin, s.err = c.Start(ctx); s.err != nil {
			return s
		}
	}
	if rootErr == nil {
		if sum, err := migrationsHash(root); err == nil {
			s.template = templatePrefix + sum
		}
	}
	if s.template != "" {
		if s.err = s.ensureTemplate(ctx); s.err != nil {
			return s
		}
	}
	s.dropStale(ctx)
	return s
})

func projectRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return devdb.ProjectRoot(wd)
}

// migrationsHash hashes the migration files under root. They are the files
// compiled into the migrations package, checked by comparing the names of
// the migrations each holds; if they differ, it fails and databases are
// migrated one by one instead.
func migrationsHash(root string) (string, error) {
	files, err := filepath.Glob(filepath.Join(root, "migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		return "", errors.New("no migration files found")
	}
	ms, err := migrations.New()
	if err != nil {
		return "", err
	}
	var embedded, onDisk []string
	for _, m := range ms.Sorted() {
		embedded = append(embedded, m.Name)
	}
	slices.Sort(files)
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		base := filepath.Base(f)
		fmt.Fprintf(h, "%s\x00%d\x00", base, len(b))
		h.Write(b)
		if strings.HasSuffix(base, ".up.sql") {
			name, _, _ := strings.Cut(base, "_")
			onDisk = append(onDisk, name)
		}
	}
	slices.Sort(embedded)
	slices.Sort(onDisk)
	if !slices.Equal(slices.Compact(embedded), slices.Compact(onDisk)) {
		return "", errors.New("the migration files on disk are not the ones compiled in")
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// ensureTemplate makes sure the template database exists and is fully
// migrated. A template is ready once connections to it are disallowed,
// which also keeps anyone from holding a connection that would stop it
// being copied. Creation happens under an advisory lock; a half-made
// template left by a killed process is dropped and made again.
func (s *server) ensureTemplate(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, s.admin)
	if err != nil {
		return fmt.Errorf("connect to the test server: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	state := func() (exists, ready bool, err error) {
		err = conn.QueryRow(ctx, "SELECT true, NOT datallowconn FROM pg_database WHERE datname = $1", s.template).Scan(&exists, &ready)
		if errors.Is(err, pgx.ErrNoRows) {
			err = nil
		}
		return exists, ready, err
	}
	if _, ready, err := state(); err != nil || ready {
		return err
	}

	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLock); err != nil {
		return fmt.Errorf("lock template creation: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", templateLock) //nolint:errcheck // released at disconnect anyway

	exists, ready, err := state()
	if err != nil || ready {
		return err
	}
	if exists {
		if _, err := conn.Exec(ctx, "DROP DATABASE "+ident(s.template)+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop half-made template %s: %w", s.template, err)
		}
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident(s.template)); err != nil {
		return fmt.Errorf("create template %s: %w", s.template, err)
	}
	tpl, err := db.Open(ctx, withDatabase(s.admin, s.template), db.Options{MaxOpenConns: 2})
	if err == nil {
		_, err = db.MigrateUp(ctx, tpl)
		_ = tpl.Close()
	}
	if err != nil {
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(s.template)+" WITH (FORCE)")
		return fmt.Errorf("migrate template %s: %w", s.template, err)
	}
	// The comment dates the template for dropOldTemplates.
	if _, err := conn.Exec(ctx, "COMMENT ON DATABASE "+ident(s.template)+" IS "+
		quote(templateComment+strconv.FormatInt(time.Now().Unix(), 10))); err != nil {
		return fmt.Errorf("date template %s: %w", s.template, err)
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+ident(s.template)+" WITH ALLOW_CONNECTIONS false"); err != nil {
		return fmt.Errorf("seal template %s: %w", s.template, err)
	}
	s.dropOldTemplates(ctx, conn)
	return nil
}

// dropOldTemplates drops templates of other schemas made more than
// staleTemplate ago, so editing migrations does not pile up copies. The
// delay leaves them to test runs of another branch still using them.
// Failures are ignored: old templates only take space.
func (s *server) dropOldTemplates(ctx context.Context, conn *pgx.Conn) {
	rows, err := conn.Query(ctx, `SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '')
		FROM pg_database WHERE starts_with(datname, $1) AND datname <> $2`, templatePrefix, s.template)
	if err != nil {
		return
	}
	type tpl struct{ Name, Comment string }
	old, _ := pgx.CollectRows(rows, pgx.RowToStructByPos[tpl])
	for _, t := range old {
		sec, err := strconv.ParseInt(strings.TrimPrefix(t.Comment, templateComment), 10, 64)
		if err != nil || !strings.HasPrefix(t.Comment, templateComment) || time.Since(time.Unix(sec, 0)) < staleTemplate {
			continue
		}
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(t.Name)+" WITH (FORCE)")
	}
}

// create makes the database name, as a copy of the template or, without
// one, by running the migrations in it.
func (s *server) create(ctx context.Context, name string) error {
	if s.template == "" {
		if err := s.exec(ctx, "CREATE DATABASE "+ident(name)); err != nil {
			return fmt.Errorf("create database %s: %w", name, err)
		}
		bdb, err := db.Open(ctx, withDatabase(s.admin, name), db.Options{MaxOpenConns: 2})
		if err == nil {
			_, err = db.MigrateUp(ctx, bdb)
			_ = bdb.Close()
		}
		if err != nil {
			_ = s.exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)")
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		return nil
	}
	create := "CREATE DATABASE " + ident(name) + " TEMPLATE " + ident(s.template)
	err := s.exec(ctx, create)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "3D000" {
		// The template was dropped by a run with another schema: make it again.
		if err = s.ensureTemplate(ctx); err == nil {
			err = s.exec(ctx, create)
		}
	}
	if err != nil {
		return fmt.Errorf("create database %s from %s: %w", name, s.template, err)
	}
	return nil
}

// dropStale drops test databases older than staleAfter: those of test
// binaries killed before their cleanup ran. Failures are ignored.
func (s *server) dropStale(ctx context.Context) {
	conn, err := pgx.Connect(ctx, s.admin)
	if err != nil {
		return
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE starts_with(datname, $1)", testPrefix)
	if err != nil {
		return
	}
	names, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	for _, name := range names {
		stamp, _, _ := strings.Cut(strings.TrimPrefix(name, testPrefix), "_")
		sec, err := strconv.ParseInt(stamp, 36, 64)
		if err != nil || time.Since(time.Unix(sec, 0)) < staleAfter {
			continue
		}
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)")
	}
}

// exec runs one statement on a fresh admin connection. CREATE and DROP
// DATABASE cannot share a pool's transaction, and tests are many and short,
// so nothing is kept open between them.
func (s *server) exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, s.admin)
	if err != nil {
		return fmt.Errorf("connect to the test server: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

// databaseName is unique: latch_test_<creation time, base 36>_<random>_<test
// name>, cut to PostgreSQL's 63-byte limit. The time lets dropStale find
// leftovers; the test name helps whoever finds one.
func databaseName(testName string) (string, error) {
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	name := testPrefix + strconv.FormatInt(time.Now().Unix(), 36) + "_" + hex.EncodeToString(b[:]) + "_"
	for _, r := range strings.ToLower(testName) {
		if len(name) >= 63 {
			break
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			name += string(r)
		} else if !strings.HasSuffix(name, "_") {
			name += "_"
		}
	}
	return strings.TrimSuffix(name, "_"), nil
}

// withDatabase returns dsn pointing at database name instead. It accepts
// URLs (postgres://…) and keyword=value strings.
func withDatabase(dsn, name string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			u.Path = "/" + name
			u.RawPath = ""
			return u.String()
		}
	}
	return dsn + " dbname=" + name // a later keyword wins
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

// quote is a SQL string literal; COMMENT takes no parameters.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
