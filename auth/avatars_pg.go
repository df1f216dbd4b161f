package auth

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// PGAvatarStore keeps pictures in the avatars table (migration 00016). A picture is at most
// 2 MB and read once per browser (it is served with a long cache lifetime and an ETag), so a
// bytea column costs the database little and spares the deployment a shared disk.
type PGAvatarStore struct {
	db *gorm.DB
}

// NewPGAvatarStore stores pictures in db.
func NewPGAvatarStore(db *gorm.DB) *PGAvatarStore { return &PGAvatarStore{db: db} }

// Put implements AvatarStore.
func (s *PGAvatarStore) Put(ctx context.Context, a *Avatar) error {
	err := s.db.WithContext(ctx).Exec(`INSERT INTO avatars (name, user_id, content_type, data, etag, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		a.Name, a.UserID, a.ContentType, a.Data, a.ETag, a.CreatedAt).Error
	if err != nil {
		return fmt.Errorf("auth: store avatar: %w", err)
	}
	return nil
}

// Get implements AvatarStore.
func (s *PGAvatarStore) Get(ctx context.Context, name string) (*Avatar, error) {
	var a Avatar
	res := s.db.WithContext(ctx).Raw(`SELECT name, user_id, content_type, data, etag, created_at
		FROM avatars WHERE name = ?`, name).Scan(&a)
	if res.Error != nil {
		return nil, fmt.Errorf("auth: read avatar: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, ErrNoAvatar
	}
	return &a, nil
}

// Delete implements AvatarStore.
func (s *PGAvatarStore) Delete(ctx context.Context, name string) error {
	if err := s.db.WithContext(ctx).Exec(`DELETE FROM avatars WHERE name = ?`, name).Error; err != nil {
		return fmt.Errorf("auth: delete avatar: %w", err)
	}
	return nil
}
