package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"image"
	_ "image/gif"  // register the decoders DecodeConfig checks uploads with
	_ "image/jpeg" //
	_ "image/png"  //
	"net/http"
	"os"
	"path/filepath"
	"regexp"

	"alpacawrapper/apperr"
)

// MaxAvatarBytes bounds an avatar upload.
const MaxAvatarBytes = 2 << 20

// maxAvatarPixels refuses "decompression bombs": tiny files that claim enormous dimensions.
const maxAvatarPixels = 4096 * 4096

// avatarTypes are the accepted formats, judged by the file's bytes (never by its name or the
// browser's claim) and mapped to the extension the file is stored under.
var avatarTypes = map[string]string{"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}

var avatarName = regexp.MustCompile(`^[0-9]+-[0-9a-f]{16}\.(png|jpg|gif)$`)

// Avatars stores profile pictures on local disk.
type Avatars struct {
	dir string
}

// NewAvatars stores pictures under dir. The folder is made by the first upload, not here: a data
// folder that is missing or read-only (a container running as an unprivileged user in /) must cost
// the avatar uploads only, never the start of the application.
func NewAvatars(dir string) *Avatars { return &Avatars{dir: dir} }

func avatarRefused(msg string) error { return apperr.Invalid(map[string]string{"avatar": msg}) }

// Save checks that data is a PNG, JPEG or GIF picture of sensible size and stores it under a new
// random name, which it returns. Nothing is written when the check fails.
func (a *Avatars) Save(userID int64, data []byte) (string, error) {
	switch {
	case len(data) == 0:
		return "", avatarRefused("Choose a picture to upload.")
	case len(data) > MaxAvatarBytes:
		return "", avatarRefused("This picture is larger than 2 MB. Choose a smaller one.")
	}
	ext, ok := avatarTypes[http.DetectContentType(data)]
	if !ok {
		return "", avatarRefused("This file is not a PNG, JPEG or GIF picture.")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", avatarRefused("This picture could not be read. It may be damaged.")
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width*cfg.Height > maxAvatarPixels {
		return "", avatarRefused("This picture's dimensions are too large. Use one under 4096×4096 pixels.")
	}
	var r [8]byte
	_, _ = rand.Read(r[:])
	name := fmt.Sprintf("%d-%s%s", userID, hex.EncodeToString(r[:]), ext)
	if err := os.MkdirAll(a.dir, 0o755); err != nil {
		return "", fmt.Errorf("auth: avatar folder: %w", err)
	}
	tmp := filepath.Join(a.dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return "", fmt.Errorf("auth: save avatar: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(a.dir, name)); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("auth: save avatar: %w", err)
	}
	return name, nil
}

// Path returns the file for a stored name, refusing anything that is not a name Save made (so a
// crafted URL cannot walk out of the folder).
func (a *Avatars) Path(name string) (string, bool) {
	if !avatarName.MatchString(name) {
		return "", false
	}
	return filepath.Join(a.dir, name), true
}

// Delete removes a stored picture; a missing file is not an error.
func (a *Avatars) Delete(name string) {
	if p, ok := a.Path(name); ok {
		_ = os.Remove(p)
	}
}
