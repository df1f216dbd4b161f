package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // register the decoders DecodeConfig checks uploads with
	_ "image/jpeg" //
	_ "image/png"  //
	"net/http"
	"regexp"
	"time"

	"alpacawrapper/apperr"
)

// MaxAvatarBytes bounds an avatar upload.
const MaxAvatarBytes = 2 << 20

// maxAvatarPixels refuses "decompression bombs": tiny files that claim enormous dimensions.
const maxAvatarPixels = 4096 * 4096

// avatarTypes are the accepted formats, judged by the file's bytes (never by its name or the
// browser's claim) and mapped to the extension the picture's name ends with.
var avatarTypes = map[string]string{"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}

var avatarName = regexp.MustCompile(`^[0-9]+-[0-9a-f]{16}\.(png|jpg|gif)$`)

// ErrNoAvatar is returned for a picture that is not stored (or a name Save could not have made).
var ErrNoAvatar = errors.New("auth: no such avatar")

// Avatar is a stored profile picture.
type Avatar struct {
	// Name is what users.avatar_file holds and the URL ends with: the user's id, random hex and
	// the format's extension. A new picture gets a new name, so a name's bytes never change.
	Name        string
	UserID      int64
	ContentType string
	Data        []byte
	// ETag is a strong validator derived from the bytes (quoted, as the header carries it).
	ETag      string `gorm:"column:etag"`
	CreatedAt time.Time
}

// AvatarStore keeps pictures where every process can read them. The default is PostgreSQL
// (PGAvatarStore): a web process behind a load balancer serves a picture another one received,
// and nothing lives on a machine's disk. An object store would implement the same three calls.
type AvatarStore interface {
	// Put stores a picture; storing a name that exists already changes nothing (names are unique
	// and their bytes immutable, so a repeated move of the same file is harmless).
	Put(ctx context.Context, a *Avatar) error
	// Get returns a picture, or ErrNoAvatar.
	Get(ctx context.Context, name string) (*Avatar, error)
	// Delete removes a picture; a missing one is not an error.
	Delete(ctx context.Context, name string) error
}

// Avatars checks and stores profile pictures.
type Avatars struct {
	store AvatarStore
	now   func() time.Time
}

// NewAvatars keeps pictures in store.
func NewAvatars(store AvatarStore) *Avatars { return &Avatars{store: store, now: time.Now} }

func avatarRefused(msg string) error { return apperr.Invalid(map[string]string{"avatar": msg}) }

// Save checks that data is a PNG, JPEG or GIF picture of sensible size and stores it under a new
// random name, which it returns. Nothing is written when the check fails.
func (a *Avatars) Save(ctx context.Context, userID int64, data []byte) (string, error) {
	switch {
	case len(data) == 0:
		return "", avatarRefused("Choose a picture to upload.")
	case len(data) > MaxAvatarBytes:
		return "", avatarRefused("This picture is larger than 2 MB. Choose a smaller one.")
	}
	contentType := http.DetectContentType(data)
	ext, ok := avatarTypes[contentType]
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
	if err := a.store.Put(ctx, newAvatar(name, userID, contentType, data, a.now())); err != nil {
		return "", fmt.Errorf("auth: save avatar: %w", err)
	}
	return name, nil
}

// newAvatar is a picture ready to store, its ETag computed.
func newAvatar(name string, userID int64, contentType string, data []byte, at time.Time) *Avatar {
	sum := sha256.Sum256(data)
	return &Avatar{Name: name, UserID: userID, ContentType: contentType, Data: data,
		ETag: `"` + hex.EncodeToString(sum[:16]) + `"`, CreatedAt: at}
}

// Get returns a stored picture, refusing anything that is not a name Save made before asking the
// store (so a crafted URL costs no query).
func (a *Avatars) Get(ctx context.Context, name string) (*Avatar, error) {
	if !avatarName.MatchString(name) {
		return nil, ErrNoAvatar
	}
	return a.store.Get(ctx, name)
}

// Delete removes a stored picture; a missing one is not an error.
func (a *Avatars) Delete(ctx context.Context, name string) error {
	if !avatarName.MatchString(name) {
		return nil
	}
	if err := a.store.Delete(ctx, name); err != nil {
		return fmt.Errorf("auth: delete avatar: %w", err)
	}
	return nil
}
