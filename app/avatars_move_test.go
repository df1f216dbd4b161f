package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
)

// TestMigrateUpMovesAvatarFiles: `migrate up`, the release step, moves the pictures an earlier
// version left under DATA_DIR/avatars into the database, and a second run finds nothing to do.
func TestMigrateUpMovesAvatarFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.URL(t)
	db, err := database.Open(ctx, database.Options{URL: url, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	const name = "1-0123456789abcdef.png"
	var userID int64
	if err := db.Gorm.Raw(`INSERT INTO users (email, name, password_hash, terms_accepted_at, avatar_file)
		VALUES ('ada@example.com', 'Ada', 'x', now(), ?) RETURNING id`, name).Scan(&userID).Error; err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	pic := pngOf(16, 16)
	if err := os.MkdirAll(filepath.Join(dataDir, "avatars"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, "avatars", name), pic, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"APP_ENV=test", "DATABASE_URL=" + url, "DATA_DIR=" + dataDir, "LOG_LEVEL=error"}
	for i := range 2 {
		if r := run(t, env, "migrate", "up"); r.code != 0 {
			t.Fatalf("migrate up #%d: exit %d: %s", i+1, r.code, r.stderr)
		}
	}
	var got struct {
		UserID      int64
		ContentType string
		Size        int
	}
	db.Gorm.Raw(`SELECT user_id, content_type, octet_length(data) AS size FROM avatars WHERE name = ?`, name).Scan(&got)
	if got.UserID != userID || got.ContentType != "image/png" || got.Size != len(pic) {
		t.Errorf("moved picture: %+v, want user %d, image/png, %d bytes", got, userID, len(pic))
	}
	if _, err := os.Stat(filepath.Join(dataDir, "avatars")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the emptied avatar folder is still there: %v", err)
	}
}
