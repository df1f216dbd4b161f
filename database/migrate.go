package database

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/*.sql
var embeddedMigrations embed.FS

// MigrationsFS returns the application's SQL migrations as embedded in the binary.
func MigrationsFS() fs.FS {
	sub, err := fs.Sub(embeddedMigrations, "migrations")
	if err != nil {
		panic("database: embedded migrations folder missing: " + err.Error()) // a build defect, not a runtime condition
	}
	return sub
}

// MigrationState is one migration and whether the database has it.
type MigrationState struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time // zero when unknown or pending
}

// Status lists both sets of migrations: the application's own (goose) and River's.
type Status struct {
	App   []MigrationState
	River []MigrationState
}

// Pending reports whether any migration of either set is not applied.
func (s Status) Pending() bool {
	for _, set := range [][]MigrationState{s.App, s.River} {
		for _, m := range set {
			if !m.Applied {
				return true
			}
		}
	}
	return false
}

// Migrator applies the application's goose migrations and then River's, in that order, so that a
// database is complete after one call. Several instances may call Up at once: goose serialises them
// with a Postgres advisory lock and River's migrator is idempotent.
type Migrator struct {
	goose *goose.Provider
	river *rivermigrate.Migrator[*sql.Tx]
}

// NewMigrator prepares both migrators on db. logger receives one line per applied migration.
func NewMigrator(db *sql.DB, logger *slog.Logger) (*Migrator, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("database: migration lock: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, MigrationsFS(),
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
	)
	if err != nil {
		return nil, fmt.Errorf("database: goose: %w", err)
	}
	riverMigrator, err := rivermigrate.New(riverdatabasesql.New(db), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("database: river migrator: %w", err)
	}
	return &Migrator{goose: provider, river: riverMigrator}, nil
}

// Up applies every pending migration and returns the names of those it applied.
func (m *Migrator) Up(ctx context.Context) ([]string, error) {
	var applied []string
	results, err := m.goose.Up(ctx)
	for _, r := range results {
		applied = append(applied, "app "+r.Source.Path)
	}
	if err != nil {
		return applied, fmt.Errorf("database: migrate up: %w", err)
	}
	res, err := m.river.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return applied, fmt.Errorf("database: river migrate up: %w", err)
	}
	for _, v := range res.Versions {
		applied = append(applied, fmt.Sprintf("river %03d_%s", v.Version, v.Name))
	}
	return applied, nil
}

// Down rolls back the latest application migration. River's tables are left alone: they belong to
// the job queue, not to the application's schema, and DownAll removes them when that is the intent.
func (m *Migrator) Down(ctx context.Context) (string, error) {
	r, err := m.goose.Down(ctx)
	if errors.Is(err, goose.ErrNoNextVersion) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("database: migrate down: %w", err)
	}
	return "app " + r.Source.Path, nil
}

// DownAll rolls back every application migration and then River's, leaving an empty schema.
func (m *Migrator) DownAll(ctx context.Context) ([]string, error) {
	var reverted []string
	results, err := m.goose.DownTo(ctx, 0)
	for _, r := range results {
		reverted = append(reverted, "app "+r.Source.Path)
	}
	if err != nil {
		return reverted, fmt.Errorf("database: migrate down all: %w", err)
	}
	existing, err := m.river.ExistingVersions(ctx)
	if err != nil {
		return reverted, fmt.Errorf("database: river versions: %w", err)
	}
	if len(existing) == 0 {
		return reverted, nil
	}
	res, err := m.river.Migrate(ctx, rivermigrate.DirectionDown, &rivermigrate.MigrateOpts{TargetVersion: -1})
	if err != nil {
		return reverted, fmt.Errorf("database: river migrate down: %w", err)
	}
	for _, v := range res.Versions {
		reverted = append(reverted, fmt.Sprintf("river %03d_%s", v.Version, v.Name))
	}
	return reverted, nil
}

// Status reports every migration of both sets and whether it is applied.
func (m *Migrator) Status(ctx context.Context) (Status, error) {
	var st Status
	app, err := m.goose.Status(ctx)
	if err != nil {
		return st, fmt.Errorf("database: migration status: %w", err)
	}
	for _, s := range app {
		st.App = append(st.App, MigrationState{
			Version: s.Source.Version, Name: s.Source.Path,
			Applied: s.State == goose.StateApplied, AppliedAt: s.AppliedAt,
		})
	}

	existing, err := m.river.ExistingVersions(ctx)
	if err != nil {
		return st, fmt.Errorf("database: river migration status: %w", err)
	}
	applied := map[int]time.Time{}
	for _, e := range existing {
		applied[e.Version] = time.Time{}
	}
	for _, v := range m.river.AllVersions() {
		at, ok := applied[v.Version]
		st.River = append(st.River, MigrationState{Version: int64(v.Version), Name: v.Name, Applied: ok, AppliedAt: at})
	}
	return st, nil
}

// Fingerprint identifies the full set of migrations this binary carries, application and River,
// so that a test database built from one set is never mistaken for another (see dbtest).
func Fingerprint() string {
	h := sha256.New()
	migrations := MigrationsFS()
	files, _ := fs.Glob(migrations, "*.sql")
	for _, name := range files {
		data, _ := fs.ReadFile(migrations, name)
		fmt.Fprintf(h, "%s\x00%s\x00", name, data)
	}
	// Listing River's migrations needs a driver but no connection.
	if m, err := rivermigrate.New(riverdatabasesql.New(nil), nil); err == nil {
		for _, v := range m.AllVersions() {
			fmt.Fprintf(h, "river %d\x00%s\x00", v.Version, v.SQLUp)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}
