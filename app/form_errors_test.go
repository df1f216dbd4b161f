package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestEveryFormFieldExplainsItself submits each form with one field wrong at a time and checks that
// a person is told, under that field, what to do, and that nothing was changed.
func TestEveryFormFieldExplainsItself(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)

	type fieldCase struct {
		path, page string
		form       url.Values
		field      string
		want       string
		signedIn   bool
	}
	cases := []fieldCase{
		{"/login", "/login", url.Values{"password": {goodPassword}}, "email", "Enter your e-mail address.", false},
		{"/login", "/login", url.Values{"email": {"ada@example.com"}}, "password", "Enter your password.", false},
		{"/password/forgot", "/password/forgot", url.Values{"email": {"not-an-address"}}, "email", "Enter an e-mail address like name@example.com.", false},
		{"/settings/profile", "/settings/profile", url.Values{"name": {""}, "time_zone": {"UTC"}}, "name", "Enter your name.", true},
		{"/settings/profile", "/settings/profile", url.Values{"name": {strings.Repeat("n", 101)}, "time_zone": {"UTC"}}, "name", "Use at most 100 characters.", true},
		{"/settings/profile", "/settings/profile", url.Values{"name": {"Ada"}, "time_zone": {"Mars/Olympus_Mons"}}, "time_zone", "Choose a time zone from the list.", true},
		{"/settings/password", "/settings/password", url.Values{"password": {"new passphrase 2026"}, "password_confirm": {"new passphrase 2026"}}, "current_password", "Enter your current password.", true},
		{"/settings/password", "/settings/password", url.Values{"current_password": {goodPassword}, "password": {"short"}, "password_confirm": {"short"}}, "password", "Use at least 10 characters.", true},
		{"/settings/password", "/settings/password", url.Values{"current_password": {goodPassword}, "password": {goodPassword}, "password_confirm": {goodPassword}}, "password", "Choose a password different from the current one.", true},
		{"/settings/password", "/settings/password", url.Values{"current_password": {goodPassword}, "password": {"new passphrase 2026"}, "password_confirm": {"something else"}}, "password_confirm", "The two passwords don't match.", true},
		{"/settings/api-keys", "/settings/api-keys", url.Values{"label": {""}}, "label", "", true},
		{"/settings/api-keys", "/settings/api-keys", url.Values{"label": {strings.Repeat("k", 101)}}, "label", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.path+"/"+tc.field, func(t *testing.T) {
			b := a.browser()
			if tc.signedIn {
				b.login("ada@example.com", goodPassword)
			}
			b.get(tc.page)
			resp, body := b.post(tc.path, tc.form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", resp.StatusCode)
			}
			marker := `data-testid="error-` + tc.field + `"`
			i := strings.Index(body, marker)
			if i < 0 {
				t.Fatalf("no message under %s", tc.field)
			}
			message := body[i : i+min(len(body)-i, 400)]
			if tc.want != "" && !strings.Contains(message, htmlEscape(tc.want)) {
				t.Errorf("message under %s does not say %q: %s", tc.field, tc.want, message)
			}
			if !strings.Contains(body, `aria-invalid="true"`) {
				t.Error("the field is not marked invalid for assistive technology")
			}
		})
	}

	u := mustUser(t, a, "ada@example.com")
	if u.Name != "Test ada" || u.TimeZone != "America/New_York" {
		t.Errorf("a refused profile form changed the profile: %q %q", u.Name, u.TimeZone)
	}
	a.browser().login("ada@example.com", goodPassword) // the password did not change
	if n := countRows(t, a, "SELECT count(*) FROM api_keys"); n != 0 {
		t.Errorf("refused API key forms created %d keys", n)
	}
}

func TestResetFormErrors(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	b := a.browser()
	b.get("/password/forgot")
	b.post("/password/forgot", url.Values{"email": {"ada@example.com"}})
	token := a.tokenFromMail("ada@example.com", "/password/reset?token=")
	for field, form := range map[string]url.Values{
		"password":         {"token": {token}, "password": {"short"}, "password_confirm": {"short"}},
		"password_confirm": {"token": {token}, "password": {"new passphrase 2026"}, "password_confirm": {"other passphrase"}},
	} {
		b.get("/password/reset?token=" + token)
		resp, body := b.post("/password/reset", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="error-`+field+`"`) {
			t.Errorf("%s: status %d", field, resp.StatusCode)
		}
	}
	// A refused submission must not spend the link.
	b.get("/password/reset?token=" + token)
	resp, _ := b.post("/password/reset", url.Values{"token": {token}, "password": {"new passphrase 2026"}, "password_confirm": {"new passphrase 2026"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the link was spent by a refused submission: %d", resp.StatusCode)
	}
}
