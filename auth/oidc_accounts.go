package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
)

// The linking rules of issue 20. An identity is found by its issuer and subject, never by e-mail:
// an address is only ever used to create a new account, and only when the provider says it is
// verified and no account has it. The original system found accounts by address, so anyone who
// signed up first with a victim's address got the victim's later Google sign-in (pre-hijack).

// SignInWithIdentity returns the account an identity signs in to, creating one (verified, with
// its first paper account, as at sign-up) for a new identity whose provider vouches for an
// address no account has. created reports a new account. Refusals: "account_disabled",
// "oidc_unverified" (the provider does not vouch for the address; said before any account is
// looked up, so it reveals nothing), "oidc_email_in_use" (an account has the address: its owner
// signs in with their password and links the provider from settings; the app never links by
// address).
func (a *Accounts) SignInWithIdentity(ctx context.Context, id *Identity) (u *models.User, created bool, err error) {
	for attempt := 0; attempt < 2; attempt++ {
		existing, err := models.IdentityBySubject(ctx, a.db, id.Issuer, id.Subject)
		switch {
		case err == nil:
			return a.signInLinked(ctx, existing, id)
		case !errors.Is(err, models.ErrNotFound):
			return nil, false, err
		}
		u, err = a.createFromIdentity(ctx, id)
		if !errors.Is(err, errIdentityRace) {
			return u, err == nil, err
		}
		// The same identity was linked in between (two callbacks at once): sign in to it.
	}
	return nil, false, errIdentityRace
}

// errIdentityRace is an identity linked by someone else between the look-up and the insert.
var errIdentityRace = errors.New("auth: identity linked concurrently")

func (a *Accounts) signInLinked(ctx context.Context, ident *models.UserIdentity, id *Identity) (*models.User, bool, error) {
	u, err := models.UserByID(ctx, a.db, ident.UserID)
	if err != nil {
		return nil, false, err
	}
	if !u.Active {
		return nil, false, accountDisabled()
	}
	if err := models.TouchIdentity(ctx, a.db, ident.ID, truncateEmail(id.Email), a.now()); err != nil {
		return nil, false, err
	}
	return u, false, nil
}

func (a *Accounts) createFromIdentity(ctx context.Context, id *Identity) (*models.User, error) {
	email := models.NormalizeEmail(id.Email)
	if !id.EmailVerified || email == "" {
		return nil, apperr.New(apperr.KindForbidden, "oidc_unverified",
			id.ProviderName+" did not confirm that the e-mail address of this account is verified, so no account was created. "+
				"Verify the address with "+id.ProviderName+" and try again, or sign up with a password.")
	}
	f := apperr.Fields{}
	checkEmail(f, email)
	if f.Err() != nil {
		return nil, apperr.New(apperr.KindForbidden, "oidc_unverified",
			"The e-mail address "+id.ProviderName+" gave cannot be used here, so no account was created. Sign up with a password instead.")
	}
	var u *models.User
	err := a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := a.now()
		// No password (''): Authenticate never matches it. The address is verified because the
		// provider vouched for it; accepting the terms is what pressing "Continue with …" says.
		u = &models.User{Email: email, Name: identityName(id, email), PasswordHash: "", Role: models.RoleUser, Active: true,
			TimeZone: DefaultTimeZone, TermsAcceptedAt: now, CredentialsChangedAt: now, EmailVerifiedAt: &now, LastLoginAt: &now}
		created, err := models.CreateUserIfNew(ctx, tx, u)
		if err != nil {
			return err
		}
		if !created {
			// Whether that account is verified, unverified (perhaps made by someone who does not
			// own the address), or disabled, it is neither signed in to nor linked.
			return emailInUse(id.ProviderName)
		}
		linked, err := models.CreateIdentityIfNew(ctx, tx, &models.UserIdentity{UserID: u.ID, Provider: id.Provider,
			Issuer: id.Issuer, Subject: id.Subject, Email: truncateEmail(id.Email), CreatedAt: now, LastUsedAt: &now})
		if err != nil {
			return err
		}
		if !linked {
			return errIdentityRace
		}
		for _, hook := range a.onSignUp {
			if err := hook(ctx, tx, u); err != nil {
				return fmt.Errorf("auth: sign-up hook: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// LinkIdentity links an identity to the signed-in user. Linking one already theirs is not an
// error; one linked to another account is refused ("oidc_linked_elsewhere").
func (a *Accounts) LinkIdentity(ctx context.Context, userID int64, id *Identity) error {
	return a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := models.LockUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if !u.Active {
			return accountDisabled()
		}
		now := a.now()
		linked, err := models.CreateIdentityIfNew(ctx, tx, &models.UserIdentity{UserID: userID, Provider: id.Provider,
			Issuer: id.Issuer, Subject: id.Subject, Email: truncateEmail(id.Email), CreatedAt: now})
		if err != nil || linked {
			return err
		}
		existing, err := models.IdentityBySubject(ctx, tx, id.Issuer, id.Subject)
		if err != nil {
			return err
		}
		if existing.UserID != userID {
			return apperr.New(apperr.KindConflict, "oidc_linked_elsewhere",
				"This "+id.ProviderName+" account is already linked to another Alpaca Wrapper account. Unlink it there first.")
		}
		return nil
	})
}

// SignInMethods are the ways a user can sign in: a password, and linked identities.
type SignInMethods struct {
	HasPassword bool
	Identities  []models.UserIdentity
}

// Count is how many ways there are.
func (m SignInMethods) Count() int {
	n := len(m.Identities)
	if m.HasPassword {
		n++
	}
	return n
}

// SignInMethodsOf lists the user's ways to sign in.
func (a *Accounts) SignInMethodsOf(ctx context.Context, userID int64) (SignInMethods, error) {
	return a.signInMethods(ctx, a.db, userID)
}

func (a *Accounts) signInMethods(ctx context.Context, db *gorm.DB, userID int64) (SignInMethods, error) {
	u, err := models.UserByID(ctx, db, userID)
	if err != nil {
		return SignInMethods{}, err
	}
	ids, err := models.UserIdentities(ctx, db, userID)
	return SignInMethods{HasPassword: u.PasswordHash != "", Identities: ids}, err
}

// UnlinkIdentity removes one of the user's identities, unless it is their last way to sign in
// ("last_sign_in_method"). The user row is locked, so two unlinks at once cannot remove both of
// the last two.
func (a *Accounts) UnlinkIdentity(ctx context.Context, userID, identityID int64) error {
	return a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := models.LockUser(ctx, tx, userID); err != nil {
			return err
		}
		m, err := a.signInMethods(ctx, tx, userID)
		if err != nil {
			return err
		}
		mine := false
		for _, id := range m.Identities {
			mine = mine || id.ID == identityID
		}
		if !mine {
			return apperr.New(apperr.KindNotFound, "not_found", "That sign-in method does not exist or was already removed.")
		}
		if m.Count() <= 1 {
			return apperr.New(apperr.KindConflict, "last_sign_in_method",
				"This is your only way to sign in. Set a password or link another provider before removing it.")
		}
		return models.DeleteIdentity(ctx, tx, userID, identityID)
	})
}

func accountDisabled() error {
	return apperr.New(apperr.KindForbidden, "account_disabled", "This account has been disabled. Contact the administrator if you think this is a mistake.")
}

// emailInUse is the refusal of a new identity whose address an account already has. Only the
// person the provider vouched for as the address's owner ever sees it.
func emailInUse(provider string) error {
	return apperr.New(apperr.KindConflict, "oidc_email_in_use",
		"An account already uses the e-mail address "+provider+" gave. Log in to that account with its password "+
			"(or reset the password), then link "+provider+" under Settings › Sign-in methods.")
}

// identityName is the new account's name: the provider's, else the address's local part, cut to
// the 100 characters a name may have.
func identityName(id *Identity, email string) string {
	name := strings.TrimSpace(id.Name)
	if name == "" {
		name = email[:strings.LastIndex(email, "@")]
	}
	for utf8.RuneCountInString(name) > 100 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// truncateEmail keeps the displayed copy of a provider's address within its column.
func truncateEmail(email string) string {
	if len(email) > 254 {
		return ""
	}
	return email
}
