// Package dbtest gives tests a real, migrated, isolated PostgreSQL database, fast.
//
// The first use in a test binary connects to DATABASE_URL (which `make test` sets to one embedded
// cluster shared by every package) or, when it is unset, starts the embedded test cluster itself,
// so `go test ./database/...` works alone. A template database migrated to the binary's schema is
// built once per migration set (under an advisory lock, so parallel packages build it once between
// them); every test database is a clone of it, which takes a fraction of a second instead of a full
// migration run.
//
// Two kinds of isolation:
//   - Tx(t): a transaction on the package's shared clone, rolled back when the test ends. Cheapest;
//     use it for anything that does not need to commit.
//   - DB(t): a whole database of the test's own, dropped when the test ends. Use it when the code
//     under test commits, runs River workers, or opens its own connections.
//
// A package's TestMain should call Main so the shared clone is dropped and the embedded cluster
// released at the end.
package dbtest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"alpacawrapper/database"
	"alpacawrapper/database/localpg"
)

const (
	templatePrefix = "aw_tpl_"
	clonePrefix    = "aw_test_"
	// lockKey serialises template builds across test binaries running at once.
	lockKey = 0x617764627465 // "awdbte"
)

// server is the state of this test binary's connection to PostgreSQL. It is process-wide because
// every test in the binary shares one cluster and one template; it is built once, lazily.
type server struct {
	baseURL  string // any database on the server; clones swap the database name
	template string
	cluster  *localpg.Cluster // nil when DATABASE_URL was given
	seq      atomic.Int64

	sharedOnce sync.Once
	shared     *database.DB
	sharedName string
	sharedErr  error
}

var (
	setupOnce sync.Once
	srv       *server
	setupErr  error
)

// Main runs the package's tests and then cleans up: drops the shared clone and releases the
// embedded cluster; after runs first, when every test has finished (a package's closing report).
// Call it from TestMain: `func TestMain(m *testing.M) { dbtest.Main(m) }`.
func Main(m *testing.M, after ...func()) {
	code := m.Run()
	for _, f := range after {
		f()
	}
	if srv != nil {
		srv.close()
	}
	os.Exit(code)
}

// URL returns the connection string of a new database cloned from the migrated template, for this
// test alone; it is dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	s := get(t)
	name, err := s.clone(context.Background())
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { s.drop(name) })
	return s.urlFor(name)
}

// DB returns an open handle on a new migrated database for this test alone. The handle is closed
// and the database dropped when the test ends.
func DB(t testing.TB) *database.DB {
	t.Helper()
	url := URL(t) // registered first, so its cleanup (the drop) runs after the close below
	db, err := database.Open(context.Background(), database.Options{URL: url, MaxConns: 8, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("dbtest: open clone: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// Tx returns a transaction on the package's shared migrated database, rolled back when the test
// ends, so nothing a test writes is seen by another.
func Tx(t testing.TB) *gorm.DB {
	t.Helper()
	db := Shared(t)
	tx := db.Gorm.Begin()
	if tx.Error != nil {
		t.Fatalf("dbtest: begin: %v", tx.Error)
	}
	t.Cleanup(func() { tx.Rollback() })
	return tx
}

// Shared returns the package's shared migrated database. Tests that use it directly must not
// commit anything others could see; prefer Tx.
func Shared(t testing.TB) *database.DB {
	t.Helper()
	s := get(t)
	s.sharedOnce.Do(func() {
		s.sharedName, s.sharedErr = s.clone(context.Background())
		if s.sharedErr != nil {
			return
		}
		s.shared, s.sharedErr = database.Open(context.Background(),
			database.Options{URL: s.urlFor(s.sharedName), MaxConns: 16, Logger: quietLogger()})
	})
	if s.sharedErr != nil {
		t.Fatalf("dbtest: shared database: %v", s.sharedErr)
	}
	return s.shared
}

func get(t testing.TB) *server {
	t.Helper()
	setupOnce.Do(func() { srv, setupErr = setup(context.Background()) })
	if setupErr != nil {
		t.Fatalf("dbtest: %v", setupErr)
	}
	return srv
}

func setup(ctx context.Context) (*server, error) {
	s := &server{baseURL: os.Getenv("DATABASE_URL")}
	if s.baseURL == "" {
		root, err := moduleRoot()
		if err != nil {
			return nil, err
		}
		// The same folder `make test` and `devdb` use with APP_ENV=test (DATA_DIR/postgres-test).
		dataDir := cmp.Or(os.Getenv("DATA_DIR"), ".data")
		if !filepath.IsAbs(dataDir) {
			dataDir = filepath.Join(root, dataDir)
		}
		s.cluster, err = localpg.Start(ctx, localpg.Options{
			Dir: filepath.Join(dataDir, "postgres-test"), BinDir: os.Getenv("PG_BIN_DIR"),
		})
		if err != nil {
			return nil, err
		}
		s.baseURL = s.cluster.URL("")
	}
	s.template = templatePrefix + database.Fingerprint()
	if err := s.ensureTemplate(ctx); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// ensureTemplate builds the migrated template unless another binary already has. Under the
// advisory lock it also drops templates of older migration sets and clones left behind by test
// binaries that were killed.
func (s *server) ensureTemplate(ctx context.Context) error {
	conn, err := s.admin(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	defer conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", lockKey) // also released when the connection closes

	names, err := databases(ctx, conn)
	if err != nil {
		return err
	}
	have := false
	for _, name := range names {
		switch {
		case name == s.template:
			have = true
		case strings.HasPrefix(name, templatePrefix), strings.HasPrefix(name, clonePrefix) && orphaned(name):
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		}
	}
	if have {
		return nil
	}

	building := s.template + "_building"
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{building}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop stale template: %w", err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{building}.Sanitize()); err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	if err := migrate(ctx, s.urlFor(building)); err != nil {
		return err
	}
	// Renamed only once complete, so a half-built template is never cloned.
	_, err = conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s",
		pgx.Identifier{building}.Sanitize(), pgx.Identifier{s.template}.Sanitize()))
	if err != nil {
		return fmt.Errorf("publish template: %w", err)
	}
	return nil
}

func migrate(ctx context.Context, url string) error {
	db, err := database.Open(ctx, database.Options{URL: url, MaxConns: 2, Logger: quietLogger()})
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := database.NewMigrator(db.SQL, quietLogger())
	if err != nil {
		return err
	}
	_, err = m.Up(ctx)
	return err
}

// clone creates a new database from the template. Names carry the test binary's pid so that a
// later run can tell clones of a killed binary from those of one still running.
func (s *server) clone(ctx context.Context) (string, error) {
	name := fmt.Sprintf("%s%d_%d", clonePrefix, os.Getpid(), s.seq.Add(1))
	conn, err := s.admin(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	stmt := fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", pgx.Identifier{name}.Sanitize(), pgx.Identifier{s.template}.Sanitize())
	for attempt := 0; ; attempt++ {
		_, err = conn.Exec(ctx, stmt)
		// Another binary may be cloning the same template at this instant; PostgreSQL then
		// reports the template as busy for a moment.
		if err == nil || attempt == 20 || !strings.Contains(err.Error(), "is being accessed by other users") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		return "", fmt.Errorf("clone template: %w", err)
	}
	return name, nil
}

func (s *server) drop(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := s.admin(ctx)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

func (s *server) close() {
	if s.shared != nil {
		s.shared.Close()
		s.drop(s.sharedName)
	}
	if s.cluster != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.cluster.Release(ctx)
	}
}

// admin connects to the server's maintenance database, where databases are created and dropped.
func (s *server) admin(ctx context.Context) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(s.baseURL)
	if err != nil {
		return nil, errors.New("DATABASE_URL is not a valid PostgreSQL URL")
	}
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return conn, nil
}

// urlFor is the server's URL with another database name.
func (s *server) urlFor(name string) string {
	cfg, err := pgx.ParseConfig(s.baseURL)
	if err != nil {
		return s.baseURL
	}
	u := fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)
	if cfg.Password != "" {
		u = fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Password, cfg.Host, cfg.Port, name)
	}
	return u
}

func databases(ctx context.Context, conn *pgx.Conn) ([]string, error) {
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database")
	if err != nil {
		return nil, fmt.Errorf("list databases: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list databases: %w", err)
	}
	return names, nil
}

// orphaned reports whether a clone's creating test binary is gone.
func orphaned(name string) bool {
	pidPart, _, ok := strings.Cut(strings.TrimPrefix(name, clonePrefix), "_")
	pid, err := strconv.Atoi(pidPart)
	if !ok || err != nil || pid <= 0 {
		return false
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// moduleRoot finds the folder holding go.mod, so every package's tests share one cluster folder
// whatever directory `go test` runs them in.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory; set DATABASE_URL")
		}
		dir = parent
	}
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// TakeDown makes db's database refuse new connections and ends every open one, so a test can see
// how code behaves when the database goes away. The database is still dropped at the test's end.
func TakeDown(t testing.TB, db *database.DB) {
	t.Helper()
	ctx := context.Background()
	var name string
	if err := db.Pool.QueryRow(ctx, "SELECT current_database()").Scan(&name); err != nil {
		t.Fatalf("dbtest: take down: %v", err)
	}
	conn, err := get(t).admin(ctx)
	if err != nil {
		t.Fatalf("dbtest: take down: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH ALLOW_CONNECTIONS false"); err != nil {
		t.Fatalf("dbtest: take down: %v", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name); err != nil {
		t.Fatalf("dbtest: take down: %v", err)
	}
}
