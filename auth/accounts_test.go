package auth

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/mail"
	"alpacawrapper/models"
)

// memoryOutbox keeps queued e-mail in memory. It is only used where the transaction commits;
// the app tests cover the real River outbox and its rollback.
type memoryOutbox struct {
	mu   sync.Mutex
	sent []mail.Message
}

func (o *memoryOutbox) Enqueue(_ context.Context, _ *gorm.DB, m mail.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, m)
	return nil
}

func TestPasswordProblem(t *testing.T) {
	t.Parallel()
	cases := []struct{ password, email, want string }{
		{"", "", "Choose a password."},
		{"short", "", "at least 10"},
		{strings.Repeat("ab1", 43), "", "at most 128"},
		{"Password123", "", "too common"},
		{"ada@example.com", "ADA@example.com", "e-mail address"},
		{"abababababab", "", "repeats too few"},
		{"correct horse battery", "", ""},
		{"ünïcödé passwörd", "", ""},
	}
	for _, tc := range cases {
		got := passwordProblem(tc.password, tc.email)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("passwordProblem(%q) = %q, want %q", tc.password, got, tc.want)
		}
	}
}

func TestSignUpHookRunsInTheSameTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	var seen int64
	failing := false
	accounts := NewAccounts(AccountsOptions{DB: db.Gorm, Hasher: NewFastHasher(), Outbox: &memoryOutbox{}, BaseURL: "http://app.test",
		OnSignUp: []SignUpHook{func(_ context.Context, tx *gorm.DB, u *models.User) error {
			if failing {
				return apperr.New(apperr.KindConflict, "no_account", "could not open the paper account")
			}
			return tx.Raw("SELECT count(*) FROM users WHERE id = ?", u.ID).Scan(&seen).Error
		}}})

	in := SignUpInput{Name: "Ada", Email: "ada@example.com", Password: "correct horse battery", PasswordConfirm: "correct horse battery", AcceptTerms: true}
	if err := accounts.SignUp(ctx, in); err != nil {
		t.Fatal(err)
	}
	if seen != 1 {
		t.Error("the hook must see the new user inside the transaction")
	}
	failing = true
	in.Email = "bob@example.com"
	if err := accounts.SignUp(ctx, in); err == nil {
		t.Fatal("a failing hook must fail the sign-up")
	}
	if _, err := models.UserByEmail(ctx, db.Gorm, "bob@example.com"); err == nil {
		t.Error("a failing hook must roll the user back")
	}
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	outbox := &memoryOutbox{}
	accounts := NewAccounts(AccountsOptions{DB: db.Gorm, Hasher: NewFastHasher(), Outbox: outbox, BaseURL: "http://app.test"})
	in := SignUpInput{Name: "Ada", Email: "Ada@Example.com", Password: "correct horse battery", PasswordConfirm: "correct horse battery", AcceptTerms: true}
	if err := accounts.SignUp(ctx, in); err != nil {
		t.Fatal(err)
	}
	if len(outbox.sent) != 1 || !strings.Contains(outbox.sent[0].Text, "http://app.test/verify?token=") {
		t.Fatalf("confirmation e-mail: %+v", outbox.sent)
	}

	if u, err := accounts.Authenticate(ctx, "ada@example.COM", "correct horse battery"); err != nil || u.Email != "Ada@Example.com" {
		t.Errorf("login ignoring case: %v", err)
	}
	wrong, err1 := accounts.Authenticate(ctx, "ada@example.com", "wrong password!!")
	_, err2 := accounts.Authenticate(ctx, "nobody@example.com", "wrong password!!")
	if wrong != nil || err1 == nil || err2 == nil || err1.Error() != err2.Error() {
		t.Errorf("a wrong password and an unknown address must fail alike: %v / %v", err1, err2)
	}
	if _, err := accounts.Authenticate(ctx, "", ""); !apperr.IsKind(err, apperr.KindInvalid) {
		t.Errorf("empty fields: %v", err)
	}
}

func TestCreateAdmin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	accounts := NewAccounts(AccountsOptions{DB: db.Gorm, Hasher: NewFastHasher(), Outbox: &memoryOutbox{}, BaseURL: "http://app.test",
		Now: func() time.Time { return time.Now() }})

	if _, _, err := accounts.CreateAdmin(ctx, "ops@example.com", "", "short"); !apperr.IsKind(err, apperr.KindInvalid) {
		t.Errorf("weak password: %v", err)
	}
	u, created, err := accounts.CreateAdmin(ctx, "ops@example.com", "", "a long admin passphrase")
	if err != nil || !created || !u.IsAdmin() || !u.EmailVerified() || u.Name != "ops" {
		t.Fatalf("create: %+v %v %v", u, created, err)
	}
	if err := accounts.SignUp(ctx, SignUpInput{Name: "Bob", Email: "bob@example.com", Password: "correct horse battery",
		PasswordConfirm: "correct horse battery", AcceptTerms: true}); err != nil {
		t.Fatal(err)
	}
	bob, err := models.UserByEmail(ctx, db.Gorm, "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	keys := NewAPIKeys(db.Gorm, nil)
	key, err := keys.Create(ctx, bob.ID, "bot")
	if err != nil {
		t.Fatal(err)
	}
	u, created, err = accounts.CreateAdmin(ctx, "bob@example.com", "", "bob's new admin passphrase")
	if err != nil || created || !u.IsAdmin() {
		t.Fatalf("promote: %v %v", created, err)
	}
	if _, err := accounts.Authenticate(ctx, "bob@example.com", "bob's new admin passphrase"); err != nil {
		t.Errorf("promoted admin logs in with the new password: %v", err)
	}
	if _, err := keys.Authenticate(ctx, key.KeyID, key.Secret); err == nil {
		t.Error("an API key made before createadmin replaced the password still works")
	}
}
