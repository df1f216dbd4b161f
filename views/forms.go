package views

import "time"

// Form is what a form needs to render after a submission: the values to show again and what is
// wrong with them. A fresh form is the zero value.
type Form struct {
	Values map[string]string // field name → submitted value (never passwords)
	Errors map[string]string // field name → message shown under the field
	Error  string            // a message about the form as a whole, shown above the fields
}

// Value is the submitted value of a field, or "".
func (f Form) Value(name string) string { return f.Values[name] }

// ErrorFor is the message for a field, or "".
func (f Form) ErrorFor(name string) string { return f.Errors[name] }

// HasErrors reports whether anything is wrong with the submission.
func (f Form) HasErrors() bool { return f.Error != "" || len(f.Errors) > 0 }

// Profile is what the profile page shows and edits.
type Profile struct {
	Name          string
	Email         string
	Initials      string
	AvatarURL     string // "" when the user has no picture: show Initials
	TimeZone      string
	EmailVerified bool
	MemberSince   time.Time
}

// SessionRow is one signed-in browser on the sessions page.
type SessionRow struct {
	ID        string // opaque handle for the revoke button (not the session secret)
	UserAgent string
	IP        string
	CreatedAt time.Time
	LastSeen  time.Time
	Current   bool // the browser looking at the page
}

// APIKeyRow is one API key as listed: never its secret.
type APIKeyRow struct {
	ID        int64
	KeyID     string
	Label     string
	CreatedAt time.Time
	LastUsed  *time.Time
	Account   string // the name of the paper account the key acts on
}

// APIKeyAccount is a paper account a new key may be bound to.
type APIKeyAccount struct {
	ID      int64
	Name    string
	Primary bool
}

// NewAPIKey is shown exactly once, right after creation.
type NewAPIKey struct {
	KeyID  string
	Secret string
	Label  string
}
