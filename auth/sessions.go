package auth

import (
	"context"
	"encoding/hex"
	"errors"
	"time"

	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
)

// touchEvery limits last-seen updates to one write a minute per session instead of one per request.
const touchEvery = time.Minute

// SessionsOptions configure NewSessions.
type SessionsOptions struct {
	DB *gorm.DB
	// Idle ends a session after this long without a request. Default 72h.
	Idle time.Duration
	// MaxAge ends a session this long after sign-in whatever its use. Default 30 days.
	MaxAge time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Sessions manages server-side browser sessions. The browser holds only a random secret; the
// database holds its hash, the CSRF token, the user and pending flashes.
type Sessions struct {
	db          *gorm.DB
	idle, maxAt time.Duration
	now         func() time.Time
}

// NewSessions builds the session store.
func NewSessions(o SessionsOptions) *Sessions {
	if o.Idle == 0 {
		o.Idle = 72 * time.Hour
	}
	if o.MaxAge == 0 {
		o.MaxAge = 30 * 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Sessions{db: o.DB, idle: o.Idle, maxAt: o.MaxAge, now: func() time.Time { return o.Now().UTC() }}
}

// MaxAge is the absolute lifetime, for the cookie's expiry.
func (s *Sessions) MaxAge() time.Duration { return s.maxAt }

// Start creates a session (for a user, or a guest when userID is nil) and returns the secret for
// the cookie.
func (s *Sessions) Start(ctx context.Context, userID *int64, userAgent, ip string) (string, *models.Session, error) {
	secret, hash := newSecret()
	csrf, _ := newSecret()
	now := s.now()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	sess := &models.Session{IDHash: hash, UserID: userID, CSRFToken: csrf, UserAgent: userAgent, IP: ip,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.maxAt)}
	if err := models.CreateSession(ctx, s.db, sess); err != nil {
		return "", nil, err
	}
	return secret, sess, nil
}

// Load returns the live session for a cookie secret, or models.ErrNotFound.
func (s *Sessions) Load(ctx context.Context, secret string) (*models.Session, error) {
	if secret == "" {
		return nil, models.ErrNotFound
	}
	sess, err := models.LiveSession(ctx, s.db, HashSecret(secret), s.now(), s.idle)
	if err != nil {
		return nil, err
	}
	if s.now().Sub(sess.LastSeenAt) > touchEvery {
		if err := models.TouchSession(ctx, s.db, sess.IDHash, s.now()); err != nil {
			return nil, err
		}
	}
	return sess, nil
}

// Renew replaces a session with a new one for userID: a new secret and a new CSRF token, the old
// row deleted. Called at login and at any change of privilege, so a session id known before
// (planted by an attacker, say) is worthless after.
func (s *Sessions) Renew(ctx context.Context, old *models.Session, userID int64, userAgent, ip string) (string, *models.Session, error) {
	if old != nil {
		if err := models.DeleteSession(ctx, s.db, old.IDHash); err != nil {
			return "", nil, err
		}
	}
	secret, sess, err := s.Start(ctx, &userID, userAgent, ip)
	if err != nil {
		return "", nil, err
	}
	if old != nil && len(old.Flashes) > 0 {
		for _, f := range old.Flashes {
			_ = models.PushFlash(ctx, s.db, sess.IDHash, f)
		}
	}
	return secret, sess, nil
}

// End deletes a session (logout).
func (s *Sessions) End(ctx context.Context, sess *models.Session) error {
	return models.DeleteSession(ctx, s.db, sess.IDHash)
}

// Handle is the opaque name of a session on the sessions page. It is derived from the stored hash,
// never the secret, so showing it reveals nothing that could sign anyone in.
func Handle(sess *models.Session) string { return hex.EncodeToString(sess.IDHash[:12]) }

// List returns a user's live sessions, most recent first.
func (s *Sessions) List(ctx context.Context, userID int64) ([]models.Session, error) {
	return models.UserSessions(ctx, s.db, userID, s.now(), s.idle)
}

// EndByHandle signs out one of the user's own sessions. Another user's handle is simply not found.
func (s *Sessions) EndByHandle(ctx context.Context, userID int64, handle string) error {
	prefix, err := hex.DecodeString(handle)
	if err != nil || len(prefix) != 12 {
		return apperr.New(apperr.KindNotFound, "not_found", "That session does not exist or has already ended.")
	}
	res := s.db.WithContext(ctx).Where("user_id = ? AND substring(id_hash from 1 for 12) = ?", userID, prefix).Delete(&models.Session{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return apperr.New(apperr.KindNotFound, "not_found", "That session does not exist or has already ended.")
	}
	return nil
}

// EndOthers signs out every session of the user except keep.
func (s *Sessions) EndOthers(ctx context.Context, userID int64, keep *models.Session) (int64, error) {
	return models.DeleteUserSessions(ctx, s.db, userID, keep.IDHash)
}

// Flash queues a message for the next page this session renders.
func (s *Sessions) Flash(ctx context.Context, sess *models.Session, kind, message string) error {
	return models.PushFlash(ctx, s.db, sess.IDHash, models.Flash{Kind: kind, Message: message})
}

// PopFlashes takes the pending messages.
func (s *Sessions) PopFlashes(ctx context.Context, sess *models.Session) (models.Flashes, error) {
	if len(sess.Flashes) == 0 {
		return nil, nil
	}
	return models.PopFlashes(ctx, s.db, sess.IDHash)
}

// Prune deletes expired sessions.
func (s *Sessions) Prune(ctx context.Context) (int64, error) {
	return models.PruneSessions(ctx, s.db, s.now(), s.idle)
}

// IsNotFound reports whether err means "no such session".
func IsNotFound(err error) bool { return errors.Is(err, models.ErrNotFound) }
