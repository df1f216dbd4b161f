package auth

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"alpacawrapper/database/dbtest"
	"alpacawrapper/models"
)

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func avatarUser(t *testing.T, ctx context.Context, accounts *Accounts, email string) *models.User {
	t.Helper()
	pw := "correct horse battery"
	if err := accounts.SignUp(ctx, SignUpInput{Email: email, Name: "Ada", Password: pw, PasswordConfirm: pw, AcceptTerms: true}); err != nil {
		t.Fatal(err)
	}
	u, err := models.UserByEmail(ctx, accounts.db, email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestAvatarsLiveInTheDatabase: a picture saved through one Avatars is read back, with its type and
// ETag, through another on the same database (another process), and deleting it deletes it.
func TestAvatarsLiveInTheDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	accounts := NewAccounts(AccountsOptions{DB: db.Gorm, Hasher: NewFastHasher(), Outbox: &memoryOutbox{}, BaseURL: "http://app.test"})
	u := avatarUser(t, ctx, accounts, "ada@example.com")
	pic := testPNG(t, 32, 32)

	name, err := NewAvatars(NewPGAvatarStore(db.Gorm)).Save(ctx, u.ID, pic)
	if err != nil {
		t.Fatal(err)
	}
	other := NewAvatars(NewPGAvatarStore(db.Gorm))
	got, err := other.Get(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Data, pic) || got.ContentType != "image/png" || got.UserID != u.ID || len(got.ETag) != 34 {
		t.Errorf("read back %q %d %s (%d bytes)", got.ContentType, got.UserID, got.ETag, len(got.Data))
	}
	if _, err := other.Get(ctx, "../../etc/passwd"); !errors.Is(err, ErrNoAvatar) {
		t.Errorf("a crafted name: %v", err)
	}
	if err := other.Delete(ctx, name); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Get(ctx, name); !errors.Is(err, ErrNoAvatar) {
		t.Errorf("after Delete: %v", err)
	}
}

// TestMoveAvatarFiles: the pictures an earlier version wrote under DATA_DIR/avatars move into the
// database with the names users point at; their files go; a file no user points at stays; running
// the move again (or after a crash left a stored picture's file behind) changes nothing.
func TestMoveAvatarFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	accounts := NewAccounts(AccountsOptions{DB: db.Gorm, Hasher: NewFastHasher(), Outbox: &memoryOutbox{}, BaseURL: "http://app.test"})
	ada := avatarUser(t, ctx, accounts, "ada@example.com")
	bob := avatarUser(t, ctx, accounts, "bob@example.com")
	carl := avatarUser(t, ctx, accounts, "carl@example.com")

	dir := filepath.Join(t.TempDir(), "avatars")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	adaPic, bobPic := testPNG(t, 10, 10), testPNG(t, 20, 20)
	files := map[string][]byte{
		"1-00112233445566aa.png": adaPic,
		"2-00112233445566bb.png": bobPic,
		"3-00112233445566cc.png": testPNG(t, 5, 5), // carl's old picture, replaced before the upgrade
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for u, name := range map[int64]string{ada.ID: "1-00112233445566aa.png", bob.ID: "2-00112233445566bb.png", carl.ID: "3-00112233445566dd.png"} {
		if _, err := accounts.SetAvatar(ctx, u, name); err != nil {
			t.Fatal(err)
		}
	}
	store := NewPGAvatarStore(db.Gorm)

	moved, err := MoveAvatarFiles(ctx, db.Gorm, store, dir, log)
	if err != nil || moved != 2 {
		t.Fatalf("moved %d (%v), want 2", moved, err)
	}
	for name, want := range map[string][]byte{"1-00112233445566aa.png": adaPic, "2-00112233445566bb.png": bobPic} {
		got, err := store.Get(ctx, name)
		if err != nil || !bytes.Equal(got.Data, want) || got.ContentType != "image/png" {
			t.Errorf("%s after the move: %v", name, err)
		}
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still on disk", name)
		}
	}
	if got, _ := store.Get(ctx, "1-00112233445566aa.png"); got != nil && got.UserID != ada.ID {
		t.Errorf("owner %d, want %d", got.UserID, ada.ID)
	}
	if _, err := os.Stat(filepath.Join(dir, "3-00112233445566cc.png")); err != nil {
		t.Errorf("a file no user points at must stay: %v", err)
	}

	// A crash between storing and removing leaves the file: the next run removes it, storing nothing twice.
	if err := os.WriteFile(filepath.Join(dir, "1-00112233445566aa.png"), adaPic, 0o644); err != nil {
		t.Fatal(err)
	}
	if moved, err := MoveAvatarFiles(ctx, db.Gorm, store, dir, log); err != nil || moved != 1 {
		t.Fatalf("second run: moved %d (%v)", moved, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "1-00112233445566aa.png")); !errors.Is(err, os.ErrNotExist) {
		t.Error("the left-over file was not removed")
	}
	var rows int64
	db.Gorm.Raw(`SELECT count(*) FROM avatars`).Scan(&rows)
	if rows != 2 {
		t.Errorf("%d avatar rows, want 2", rows)
	}
	if moved, err := MoveAvatarFiles(ctx, db.Gorm, store, dir, log); err != nil || moved != 0 {
		t.Errorf("third run: moved %d (%v)", moved, err)
	}
	if moved, err := MoveAvatarFiles(ctx, db.Gorm, store, filepath.Join(t.TempDir(), "none"), log); err != nil || moved != 0 {
		t.Errorf("no folder: moved %d (%v)", moved, err)
	}
}
