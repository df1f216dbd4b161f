package app

import (
	"context"
	"path/filepath"

	"alpacawrapper/auth"
	"alpacawrapper/config"
)

// legacyAvatarDir is where versions before migration 00016 kept uploaded pictures.
func legacyAvatarDir(cfg config.Config) string { return filepath.Join(cfg.DataDir, "avatars") }

// moveAvatarFiles moves pictures left on this machine's disk by an earlier version into the
// database. `migrate up` runs it, and so does the start of every web process, because on a
// platform where the release step runs on another machine the files are only where the old web
// process ran. Without the folder it costs one stat.
func moveAvatarFiles(ctx context.Context, b *base) error {
	_, err := auth.MoveAvatarFiles(ctx, b.db.Gorm, auth.NewPGAvatarStore(b.db.Gorm), legacyAvatarDir(b.cfg), b.log)
	return err
}
