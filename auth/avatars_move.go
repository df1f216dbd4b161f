package auth

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"gorm.io/gorm"
)

// MoveAvatarFiles moves the pictures that earlier versions kept on local disk (dir, which was
// DATA_DIR/avatars) into store, and removes each file once it is stored. It moves the pictures
// users point at; any other file is left where it is and counted in the log. It is safe to run
// again, and by several processes at once: a picture stored already is not stored twice
// (AvatarStore.Put), and a file gone already is skipped. `migrate up` and the start of a web
// process run it, so the move happens wherever the files are. A missing folder costs one stat.
func MoveAvatarFiles(ctx context.Context, db *gorm.DB, store AvatarStore, dir string, log *slog.Logger) (moved int, err error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("auth: avatar folder: %w", err)
	}
	var users []struct {
		ID         int64
		AvatarFile string
	}
	if err := db.WithContext(ctx).Raw(`SELECT id, avatar_file FROM users WHERE avatar_file IS NOT NULL`).
		Scan(&users).Error; err != nil {
		return 0, fmt.Errorf("auth: move avatars: %w", err)
	}
	for _, u := range users {
		if !avatarName.MatchString(u.AvatarFile) {
			continue
		}
		path := filepath.Join(dir, u.AvatarFile)
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // moved already, or lost before this version
		}
		if err != nil {
			return moved, fmt.Errorf("auth: move avatars: %w", err)
		}
		contentType := http.DetectContentType(data)
		if _, ok := avatarTypes[contentType]; !ok || len(data) > MaxAvatarBytes {
			log.Warn("auth: an avatar file is not a picture this version accepts; left on disk", "file", path)
			continue
		}
		at := time.Now()
		if st, err := os.Stat(path); err == nil {
			at = st.ModTime()
		}
		if err := store.Put(ctx, newAvatar(u.AvatarFile, u.ID, contentType, data, at)); err != nil {
			return moved, fmt.Errorf("auth: move avatars: %w", err)
		}
		// Stored (committed) before the file goes: a crash between the two leaves a file the
		// next run skips past with a no-op Put and removes.
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			log.Warn("auth: an avatar moved to the database could not be removed from disk", "file", path, "error", err)
		}
		moved++
	}
	left, _ := os.ReadDir(dir)
	if len(left) == 0 {
		_ = os.Remove(dir)
	} else {
		log.Info("auth: files no user points at are left in the old avatar folder", "dir", dir, "files", len(left))
	}
	if moved > 0 {
		log.Info("auth: avatars moved from disk to the database", "moved", moved, "dir", dir)
	}
	return moved, nil
}
