// Package auth is everything about who someone is: accounts and their passwords, e-mail
// verification and password reset, browser sessions, and API credentials. It returns apperr
// refusals for anything a person did wrong and knows nothing about HTTP.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
)

// How long e-mailed links stay valid.
const (
	ResetTokenTTL  = 15 * time.Minute
	VerifyTokenTTL = 24 * time.Hour
)

// DefaultTimeZone is where a new account starts: the exchange's own.
const DefaultTimeZone = "America/New_York"

// SignUpHook runs inside the sign-up transaction after the user row exists. The paper-trading
// engine uses it to open the user's first account, so a user never exists without one.
type SignUpHook func(ctx context.Context, tx *gorm.DB, u *models.User) error

// AccountsOptions configure NewAccounts. DB, Hasher, Outbox and BaseURL are required.
type AccountsOptions struct {
	DB      *gorm.DB
	Hasher  *Hasher
	Outbox  Outbox
	BaseURL string // for links in e-mails, e.g. https://trade.example.com
	Logger  *slog.Logger
	// Now is the clock; default time.Now. Tests move it to expire tokens.
	Now func() time.Time
	// OnSignUp hooks run in the sign-up transaction, in order.
	OnSignUp []SignUpHook
}

// Accounts manages people's accounts.
type Accounts struct {
	db       *gorm.DB
	hasher   *Hasher
	outbox   Outbox
	baseURL  string
	log      *slog.Logger
	now      func() time.Time
	onSignUp []SignUpHook
}

// NewAccounts builds the service.
func NewAccounts(o AccountsOptions) *Accounts {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Accounts{db: o.DB, hasher: o.Hasher, outbox: o.Outbox, baseURL: strings.TrimRight(o.BaseURL, "/"),
		log: o.Logger, now: func() time.Time { return o.Now().UTC() }, onSignUp: o.OnSignUp}
}

// SignUpInput is the sign-up form.
type SignUpInput struct {
	Name, Email, Password, PasswordConfirm string
	AcceptTerms                            bool
	TimeZone                               string
}

// SignUp creates an account and e-mails a confirmation link. When the address already has an
// account nothing is created and its owner is told by e-mail instead; the caller cannot tell the
// two apart, so the form does not reveal which addresses are registered.
func (a *Accounts) SignUp(ctx context.Context, in SignUpInput) error {
	in.Name, in.Email = strings.TrimSpace(in.Name), models.NormalizeEmail(in.Email)
	f := apperr.Fields{}
	checkName(f, in.Name)
	checkEmail(f, in.Email)
	if p := passwordProblem(in.Password, in.Email); p != "" {
		f.Add("password", p)
	}
	if in.PasswordConfirm != in.Password {
		f.Add("password_confirm", "The two passwords don't match.")
	}
	if !in.AcceptTerms {
		f.Add("accept_terms", "Accept the terms of use to create an account.")
	}
	tz := DefaultTimeZone
	if in.TimeZone != "" {
		if _, err := time.LoadLocation(in.TimeZone); err == nil {
			tz = in.TimeZone
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	hash, err := a.hasher.Hash(ctx, in.Password)
	if err != nil {
		return err
	}

	return a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := a.now()
		u := &models.User{Email: in.Email, Name: in.Name, PasswordHash: hash, Role: models.RoleUser, Active: true,
			TimeZone: tz, TermsAcceptedAt: now, CredentialsChangedAt: now}
		created, err := models.CreateUserIfNew(ctx, tx, u)
		if err != nil {
			return err
		}
		if !created {
			existing, err := models.UserByEmail(ctx, tx, in.Email)
			if err != nil {
				return err
			}
			return a.outbox.Enqueue(ctx, tx, accountExistsEmail(existing, a.baseURL))
		}
		for _, hook := range a.onSignUp {
			if err := hook(ctx, tx, u); err != nil {
				return fmt.Errorf("auth: sign-up hook: %w", err)
			}
		}
		return a.sendVerification(ctx, tx, u)
	})
}

// invalidLogin is the one answer for every failed login: saying which part was wrong would tell
// an attacker which addresses are registered.
func invalidLogin() error {
	return apperr.New(apperr.KindUnauthenticated, "invalid_credentials", "The e-mail address or password is incorrect.")
}

// Authenticate checks an e-mail address and password and returns the account.
func (a *Accounts) Authenticate(ctx context.Context, email, password string) (*models.User, error) {
	email = models.NormalizeEmail(email)
	f := apperr.Fields{}
	if email == "" {
		f.Add("email", "Enter your e-mail address.")
	}
	if password == "" {
		f.Add("password", "Enter your password.")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(password) > MaxPasswordLength {
		return nil, invalidLogin()
	}
	u, err := models.UserByEmail(ctx, a.db, email)
	if errors.Is(err, models.ErrNotFound) {
		if _, err := a.hasher.Matches(ctx, password, a.hasher.dummy); err != nil { // same cost as a real check
			return nil, err
		}
		return nil, invalidLogin()
	}
	if err != nil {
		return nil, err
	}
	hash := u.PasswordHash
	if hash == "" { // made through a provider, no password yet: fail at a real check's cost
		hash = a.hasher.dummy
	}
	ok, err := a.hasher.Matches(ctx, password, hash)
	if err != nil {
		return nil, err
	}
	if !ok || u.PasswordHash == "" {
		return nil, invalidLogin()
	}
	if !u.Active {
		return nil, accountDisabled()
	}
	return u, nil
}

// RecordLogin notes when the user last logged in.
func (a *Accounts) RecordLogin(ctx context.Context, userID int64) error {
	return models.UpdateUser(ctx, a.db, userID, map[string]any{"last_login_at": a.now()})
}

// VerifyEmail consumes a confirmation link and marks the address verified; the caller signs the
// person in. Call it only for a POST a person made from the page ConfirmEmail's GET showed.
func (a *Accounts) VerifyEmail(ctx context.Context, token string) (*models.User, error) {
	var u *models.User
	err := a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if u, err = a.consumeLink(ctx, tx, token, models.PurposeVerifyEmail); err != nil {
			return err
		}
		if u.EmailVerifiedAt == nil {
			now := a.now()
			u.EmailVerifiedAt = &now
			return models.UpdateUser(ctx, tx, u.ID, map[string]any{"email_verified_at": now})
		}
		return nil
	})
	if errors.Is(err, models.ErrNotFound) {
		return nil, apperr.New(apperr.KindNotFound, "invalid_link", "This confirmation link is invalid or has expired.")
	}
	return u, err
}

// ConfirmEmail marks the address of a confirmation link verified without spending the link: it
// is what opening the link (a GET, which mail scanners also do) may do. Signing in with the link
// is VerifyEmail, from a POST. An unknown, spent or expired link, or a disabled account, is a
// KindNotFound refusal.
func (a *Accounts) ConfirmEmail(ctx context.Context, token string) (*models.User, error) {
	var u *models.User
	err := a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := models.PeekUserToken(ctx, tx, HashSecret(token), models.PurposeVerifyEmail, a.now())
		if err != nil {
			return err
		}
		if u, err = models.LockUser(ctx, tx, t.UserID); err != nil {
			return err
		}
		if !u.Active {
			return models.ErrNotFound
		}
		if u.EmailVerifiedAt == nil {
			now := a.now()
			u.EmailVerifiedAt = &now
			return models.UpdateUser(ctx, tx, u.ID, map[string]any{"email_verified_at": now})
		}
		return nil
	})
	if errors.Is(err, models.ErrNotFound) {
		return nil, apperr.New(apperr.KindNotFound, "invalid_link", "This confirmation link is invalid or has expired.")
	}
	return u, err
}

// ResendVerification e-mails a new confirmation link to an unverified address. It answers the same
// whether or not the address has an account.
func (a *Accounts) ResendVerification(ctx context.Context, email string) error {
	u, err := a.accountFor(ctx, email)
	if err != nil || u == nil {
		return err
	}
	return a.resendFor(ctx, u)
}

// ResendVerificationFor e-mails a new confirmation link to the signed-in user.
func (a *Accounts) ResendVerificationFor(ctx context.Context, userID int64) error {
	u, err := models.UserByID(ctx, a.db, userID)
	if err != nil {
		return err
	}
	return a.resendFor(ctx, u)
}

func (a *Accounts) resendFor(ctx context.Context, u *models.User) error {
	if u.EmailVerified() || !u.Active {
		return nil
	}
	return a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return a.sendVerification(ctx, tx, u) })
}

func (a *Accounts) sendVerification(ctx context.Context, tx *gorm.DB, u *models.User) error {
	token, err := a.issueToken(ctx, tx, u.ID, models.PurposeVerifyEmail, VerifyTokenTTL)
	if err != nil {
		return err
	}
	return a.outbox.Enqueue(ctx, tx, verifyEmail(u, a.baseURL+"/verify?token="+token))
}

// RequestPasswordReset e-mails a single-use reset link valid for 15 minutes. It answers the same
// whether or not the address has an account.
func (a *Accounts) RequestPasswordReset(ctx context.Context, email string) error {
	u, err := a.accountFor(ctx, email)
	if err != nil || u == nil || !u.Active {
		return err
	}
	return a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		token, err := a.issueToken(ctx, tx, u.ID, models.PurposeResetPassword, ResetTokenTTL)
		if err != nil {
			return err
		}
		return a.outbox.Enqueue(ctx, tx, resetEmail(u, a.baseURL+"/password/reset?token="+token))
	})
}

// SendPasswordResetIn e-mails u a reset link, as RequestPasswordReset does, within tx: an
// operator's "send a password reset" commits with its audit entry, or not at all.
func (a *Accounts) SendPasswordResetIn(ctx context.Context, tx *gorm.DB, u *models.User) error {
	token, err := a.issueToken(ctx, tx, u.ID, models.PurposeResetPassword, ResetTokenTTL)
	if err != nil {
		return err
	}
	return a.outbox.Enqueue(ctx, tx, resetEmail(u, a.baseURL+"/password/reset?token="+token))
}

// ResetTokenValid reports whether a reset link can still be used, to choose the page to show.
func (a *Accounts) ResetTokenValid(ctx context.Context, token string) bool {
	ok, err := models.ValidUserToken(ctx, a.db, HashSecret(token), models.PurposeResetPassword, a.now())
	return err == nil && ok
}

// ResetPassword sets a new password with a reset link, once, signs the account out everywhere and
// revokes every API key.
func (a *Accounts) ResetPassword(ctx context.Context, token, password, confirm string) (*models.User, error) {
	var u *models.User
	err := a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if u, err = a.consumeLink(ctx, tx, token, models.PurposeResetPassword); err != nil {
			return err
		}
		// The link proves the person owns the address, so it also verifies it.
		return a.setPassword(ctx, tx, u, password, confirm, nil, true)
	})
	if errors.Is(err, models.ErrNotFound) {
		return nil, apperr.New(apperr.KindNotFound, "invalid_link", "This reset link is invalid or has expired. Request a new one.")
	}
	return u, err
}

// ChangePassword replaces the password after checking the current one, signs out every other
// session (keepSession stays signed in) and revokes every API key.
func (a *Accounts) ChangePassword(ctx context.Context, userID int64, current, password, confirm string, keepSession []byte) error {
	return a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := models.LockUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if current == "" {
			return apperr.Invalid(map[string]string{"current_password": "Enter your current password."})
		}
		ok, err := a.hasher.Matches(ctx, current, u.PasswordHash)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Invalid(map[string]string{"current_password": "This is not your current password."})
		}
		if current == password {
			return apperr.Invalid(map[string]string{"password": "Choose a password different from the current one."})
		}
		return a.setPassword(ctx, tx, u, password, confirm, keepSession, false)
	})
}

func (a *Accounts) setPassword(ctx context.Context, tx *gorm.DB, u *models.User, password, confirm string, keepSession []byte, verify bool) error {
	f := apperr.Fields{}
	if p := passwordProblem(password, u.Email); p != "" {
		f.Add("password", p)
	}
	if confirm != password {
		f.Add("password_confirm", "The two passwords don't match.")
	}
	if err := f.Err(); err != nil {
		return err
	}
	hash, err := a.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	now := a.now()
	cols := map[string]any{"password_hash": hash}
	if verify && u.EmailVerifiedAt == nil {
		cols["email_verified_at"] = now
	}
	if err := models.UpdateUser(ctx, tx, u.ID, cols); err != nil {
		return err
	}
	if err := models.VoidCredentials(ctx, tx, u.ID, keepSession, now); err != nil {
		return err
	}
	// API keys too: after a reset the account may have been taken over, and a key made by whoever
	// took it must not outlive the password that let them in. The page and the e-mail say so.
	if _, err := models.RevokeAPIKeysOf(ctx, tx, u.ID, now); err != nil {
		return err
	}
	return a.outbox.Enqueue(ctx, tx, passwordChangedEmail(u, a.baseURL))
}

// UpdateProfile changes the name and time zone.
func (a *Accounts) UpdateProfile(ctx context.Context, userID int64, name, timeZone string) error {
	name, timeZone = strings.TrimSpace(name), strings.TrimSpace(timeZone)
	f := apperr.Fields{}
	checkName(f, name)
	if _, err := time.LoadLocation(timeZone); err != nil || timeZone == "" || timeZone == "Local" {
		f.Add("time_zone", "Choose a time zone from the list.")
	}
	if err := f.Err(); err != nil {
		return err
	}
	return models.UpdateUser(ctx, a.db, userID, map[string]any{"name": name, "time_zone": timeZone})
}

// SetAvatar records the user's picture file (empty removes it) and returns the previous file, which
// the caller deletes once this has committed.
func (a *Accounts) SetAvatar(ctx context.Context, userID int64, file string) (previous string, err error) {
	err = a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := models.LockUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.AvatarFile != nil {
			previous = *u.AvatarFile
		}
		var value any
		if file != "" {
			value = file
		}
		return models.UpdateUser(ctx, tx, userID, map[string]any{"avatar_file": value})
	})
	return previous, err
}

// SetActive enables or disables an account. Disabling ends its sessions, tokens and API access at
// once.
func (a *Accounts) SetActive(ctx context.Context, userID int64, active bool) error {
	return a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := models.LockUser(ctx, tx, userID); err != nil {
			return err
		}
		if err := models.UpdateUser(ctx, tx, userID, map[string]any{"active": active}); err != nil {
			return err
		}
		if active {
			return nil
		}
		return models.VoidCredentials(ctx, tx, userID, nil, a.now())
	})
}

// CreateAdmin creates a verified administrator, or promotes an existing account and sets its
// password. There is never a default credential: the password is always the operator's.
func (a *Accounts) CreateAdmin(ctx context.Context, email, name, password string) (*models.User, bool, error) {
	email = models.NormalizeEmail(email)
	f := apperr.Fields{}
	checkEmail(f, email)
	if p := passwordProblem(password, email); p != "" {
		f.Add("password", p)
	}
	if name == "" {
		name = strings.Split(email, "@")[0]
	}
	checkName(f, name)
	if err := f.Err(); err != nil {
		return nil, false, err
	}
	hash, err := a.hasher.Hash(ctx, password)
	if err != nil {
		return nil, false, err
	}
	var u *models.User
	created := false
	err = a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := a.now()
		existing, err := models.UserByEmail(ctx, tx, email)
		switch {
		case errors.Is(err, models.ErrNotFound):
			u = &models.User{Email: email, Name: name, PasswordHash: hash, Role: models.RoleAdmin, Active: true,
				TimeZone: DefaultTimeZone, TermsAcceptedAt: now, CredentialsChangedAt: now, EmailVerifiedAt: &now}
			created = true
			if err := models.CreateUser(ctx, tx, u); err != nil {
				return err
			}
			for _, hook := range a.onSignUp {
				if err := hook(ctx, tx, u); err != nil {
					return fmt.Errorf("auth: sign-up hook: %w", err)
				}
			}
			return nil
		case err != nil:
			return err
		}
		u = existing
		if err := models.UpdateUser(ctx, tx, u.ID, map[string]any{"role": models.RoleAdmin, "active": true, "password_hash": hash}); err != nil {
			return err
		}
		u.Role, u.Active, u.PasswordHash = models.RoleAdmin, true, hash
		// A role change is a privilege change: whoever holds the old sessions signs in again. The
		// password was replaced too, so the API keys go as with any reset: a key made by whoever
		// knew the old password must not gain an administrator's account.
		if err := models.VoidCredentials(ctx, tx, u.ID, nil, now); err != nil {
			return err
		}
		_, err = models.RevokeAPIKeysOf(ctx, tx, u.ID, now)
		return err
	})
	return u, created, err
}

// accountFor validates a typed address and returns its account, or nil without an error when there
// is none: the callers answer the same either way, so which addresses exist is never revealed.
func (a *Accounts) accountFor(ctx context.Context, email string) (*models.User, error) {
	email = models.NormalizeEmail(email)
	f := apperr.Fields{}
	checkEmail(f, email)
	if err := f.Err(); err != nil {
		return nil, err
	}
	u, err := models.UserByEmail(ctx, a.db, email)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// consumeLink spends an e-mailed link and returns its active account, locked for the change the
// link allows. A spent, expired or unknown link, or a disabled account, is models.ErrNotFound.
func (a *Accounts) consumeLink(ctx context.Context, tx *gorm.DB, token string, purpose models.TokenPurpose) (*models.User, error) {
	t, err := models.ConsumeUserToken(ctx, tx, HashSecret(token), purpose, a.now())
	if err != nil {
		return nil, err
	}
	u, err := models.LockUser(ctx, tx, t.UserID)
	if err != nil {
		return nil, err
	}
	if !u.Active {
		return nil, models.ErrNotFound
	}
	return u, nil
}

func (a *Accounts) issueToken(ctx context.Context, tx *gorm.DB, userID int64, purpose models.TokenPurpose, ttl time.Duration) (string, error) {
	plain, hash := newSecret()
	now := a.now()
	err := models.CreateUserToken(ctx, tx, &models.UserToken{UserID: userID, Purpose: purpose, TokenHash: hash, ExpiresAt: now.Add(ttl), CreatedAt: now})
	return plain, err
}

func checkName(f apperr.Fields, name string) {
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		f.Add("name", "Enter your name.")
	case n > 100:
		f.Add("name", "Use at most 100 characters.")
	}
}

func checkEmail(f apperr.Fields, email string) {
	switch {
	case email == "":
		f.Add("email", "Enter your e-mail address.")
	case len(email) > 254:
		f.Add("email", "This e-mail address is too long.")
	default:
		addr, err := mail.ParseAddress(email)
		if err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") {
			f.Add("email", "Enter an e-mail address like name@example.com.")
		}
	}
}
