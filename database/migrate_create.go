package database

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// MigrationsSourceDir is where `migrate create` writes new files, relative to the repository root.
const MigrationsSourceDir = "database/migrations"

var migrationName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// CreateMigration writes an empty goose SQL migration numbered after the highest one in dir and
// returns its path. Sequential numbers (not timestamps) keep the order obvious in review.
func CreateMigration(dir, name string) (string, error) {
	name = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(name), "-", "_"))
	if !migrationName.MatchString(name) {
		return "", fmt.Errorf("database: migration name %q: use lower-case letters, digits and underscores, starting with a letter", name)
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("database: %s not found: run `migrate create` from the repository root", dir)
	}
	if err != nil {
		return "", fmt.Errorf("database: read migrations: %w", err)
	}
	var highest int
	for _, e := range entries {
		prefix, _, ok := strings.Cut(e.Name(), "_")
		if n, err := strconv.Atoi(prefix); ok && err == nil && n > highest {
			highest = n
		}
	}
	path := filepath.Join(dir, fmt.Sprintf("%05d_%s.sql", highest+1, name))
	body := "-- +goose Up\n\n\n-- +goose Down\n\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		return "", fmt.Errorf("database: write migration: %w", err)
	}
	return path, nil
}
