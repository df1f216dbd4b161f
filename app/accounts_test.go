package app

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"alpacawrapper/models"
)

const goodPassword = "correct horse battery"

func countRows(t *testing.T, a *testApp, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := a.db.Gorm.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSignUpVerifyAndLogIn(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	b := a.browser()

	if resp, body := b.get("/signup"); resp.StatusCode != 200 || !strings.Contains(body, `name="password_confirm"`) {
		t.Fatalf("sign-up page: %d", resp.StatusCode)
	}
	resp, _ := b.post("/signup", url.Values{"name": {"Ada Lovelace"}, "email": {"ada@example.com"},
		"password": {goodPassword}, "password_confirm": {goodPassword}, "accept_terms": {"on"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signup/done") {
		t.Fatalf("sign-up: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := b.get("/settings/profile"); resp.StatusCode != http.StatusSeeOther {
		t.Error("signing up does not sign in before the address is confirmed")
	}

	before := b.cookies["aw_session"]
	resp, body := b.confirmLink(a.tokenFromMail("ada@example.com", "/verify?token="))
	if resp.StatusCode != 200 || !strings.Contains(body, "confirmed") {
		t.Fatalf("verify: %d", resp.StatusCode)
	}
	if b.cookies["aw_session"] == before || b.cookies["aw_session"] == "" {
		t.Error("confirming signs in with a new session id")
	}
	if resp, body := b.get("/settings/profile"); resp.StatusCode != 200 || !strings.Contains(body, "Ada Lovelace") {
		t.Fatalf("profile after verify: %d", resp.StatusCode)
	}
	u, _ := models.UserByEmail(context.Background(), a.db.Gorm, "ADA@example.com")
	if u == nil || !u.EmailVerified() {
		t.Fatal("address not marked verified (lookup must ignore case)")
	}

	t.Run("the link works once", func(t *testing.T) {
		other := a.browser()
		resp, _ := other.get("/verify?token=" + a.tokenFromMail("ada@example.com", "/verify?token="))
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("second use: %d", resp.StatusCode)
		}
	})
	t.Run("log out and back in", func(t *testing.T) {
		b.get("/settings/profile")
		if resp, _ := b.post("/logout", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: %d", resp.StatusCode)
		}
		if resp, _ := b.get("/settings/profile"); resp.StatusCode != http.StatusSeeOther {
			t.Fatal("still signed in after logout")
		}
		b.login("ada@example.com", goodPassword)
		if resp, _ := b.get("/settings/profile"); resp.StatusCode != 200 {
			t.Fatal("not signed in after login")
		}
	})
}

func TestSignUpAnswersTheSameForKnownAddresses(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("grace@example.com", goodPassword)

	b := a.browser()
	b.get("/signup")
	resp, _ := b.post("/signup", url.Values{"name": {"Impostor"}, "email": {"Grace@Example.com"},
		"password": {"another good password"}, "password_confirm": {"another good password"}, "accept_terms": {"on"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signup/done") {
		t.Fatalf("known address: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := countRows(t, a, "SELECT count(*) FROM users"); n != 1 {
		t.Errorf("users = %d, want 1", n)
	}
	msgs := a.mails("grace@example.com")
	if last := msgs[len(msgs)-1]; !strings.Contains(last.Subject, "tried to sign up") {
		t.Errorf("the owner is told by e-mail instead, got %q", last.Subject)
	}
	if u, _ := models.UserByEmail(context.Background(), a.db.Gorm, "grace@example.com"); u.Name == "Impostor" {
		t.Error("the existing account was changed")
	}
}

func TestSignUpValidation(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	good := url.Values{"name": {"Ada"}, "email": {"ada@example.com"}, "password": {goodPassword},
		"password_confirm": {goodPassword}, "accept_terms": {"on"}}
	cases := []struct {
		field, value, want string
	}{
		{"name", "", "Enter your name."},
		{"name", strings.Repeat("x", 101), "Use at most 100 characters."},
		{"email", "", "Enter your e-mail address."},
		{"email", "ada@", "Enter an e-mail address like name@example.com."},
		{"email", "Ada <ada@example.com>", "Enter an e-mail address like name@example.com."},
		{"password", "short", "Use at least 10 characters."},
		{"password", "password123", "This password is too common."},
		{"password", "aaaaaaaaaaaa", "repeats too few characters"},
		{"password_confirm", "something else", "The two passwords don't match."},
		{"accept_terms", "", "Accept the terms of use to create an account."},
	}
	for _, tc := range cases {
		t.Run(tc.field+"="+tc.value, func(t *testing.T) {
			b := a.browser()
			b.get("/signup")
			form := url.Values{}
			for k, v := range good {
				form[k] = v
			}
			if tc.field == "password" {
				form.Set("password_confirm", tc.value)
			}
			form.Set(tc.field, tc.value)
			if tc.value == "" {
				form.Del(tc.field)
			}
			resp, body := b.post("/signup", form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if !strings.Contains(body, `data-testid="error-`+tc.field+`"`) || !strings.Contains(body, htmlEscape(tc.want)) {
				t.Errorf("no message %q under %s", tc.want, tc.field)
			}
			if strings.Contains(body, goodPassword) {
				t.Error("the password was sent back in the page")
			}
		})
	}
	if n := countRows(t, a, "SELECT count(*) FROM users"); n != 0 {
		t.Errorf("a failed sign-up wrote %d users", n)
	}
	if n := countRows(t, a, "SELECT count(*) FROM river_job"); n != 0 {
		t.Errorf("a failed sign-up queued %d jobs", n)
	}
}

func htmlEscape(s string) string { return strings.NewReplacer("'", "&#39;", `"`, "&#34;").Replace(s) }

func TestHTMXFormErrorsAreFragments(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	b := a.browser()
	b.get("/login")
	b.htmx = true
	resp, body := b.post("/login", url.Values{"email": {"nobody@example.com"}, "password": {"wrong password!"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, "<html") {
		t.Fatalf("status %d, full page %v", resp.StatusCode, strings.Contains(body, "<html"))
	}
	if !strings.Contains(body, "The e-mail address or password is incorrect.") {
		t.Error("the form error is missing")
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	b := a.browser()
	b.login("ada@example.com", goodPassword)
	b.get("/settings/profile")

	for name, token := range map[string]string{"missing": "", "wrong": "not-the-token"} {
		t.Run(name, func(t *testing.T) {
			form := url.Values{"name": {"Changed"}, "time_zone": {"UTC"}}
			if token != "" {
				form.Set("_csrf", token)
			} else {
				form["_csrf"] = nil
			}
			resp, _ := b.post("/settings/profile", form)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("status %d, want 403", resp.StatusCode)
			}
			if u, _ := models.UserByEmail(context.Background(), a.db.Gorm, "ada@example.com"); u.Name == "Changed" {
				t.Error("the change was made")
			}
		})
	}
	t.Run("another site's origin", func(t *testing.T) {
		form := url.Values{"name": {"Changed"}, "time_zone": {"UTC"}, "_csrf": {b.csrf}}
		req := httptest.NewRequest(http.MethodPost, "/settings/profile", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		if resp, _ := b.send(req); resp.StatusCode != http.StatusForbidden {
			t.Errorf("status %d, want 403", resp.StatusCode)
		}
	})
	t.Run("login needs the token too", func(t *testing.T) {
		fresh := a.browser()
		resp, _ := fresh.post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}})
		if resp.StatusCode != http.StatusForbidden || fresh.cookies["aw_session"] != "" {
			t.Errorf("status %d, cookie %q", resp.StatusCode, fresh.cookies["aw_session"])
		}
	})
	t.Run("the right token works", func(t *testing.T) {
		resp, _ := b.post("/settings/profile", url.Values{"name": {"Ada L."}, "time_zone": {"Europe/London"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if u, _ := models.UserByEmail(context.Background(), a.db.Gorm, "ada@example.com"); u.Name != "Ada L." || u.TimeZone != "Europe/London" {
			t.Errorf("profile = %s / %s", u.Name, u.TimeZone)
		}
	})
}

func TestSessionFixationIsUseless(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)

	// Guests get no session row on a GET (issue 10, security 9); an attacker who has one (from a
	// guest POST of their own, say) plants it in the victim's browser.
	planted, _, err := a.svc.Sessions.Start(context.Background(), nil, "attacker", "198.51.100.7")
	if err != nil {
		t.Fatal(err)
	}
	victim := a.browser()
	victim.cookies["aw_session"] = planted
	victim.login("ada@example.com", goodPassword)
	if victim.cookies["aw_session"] == planted {
		t.Fatal("the session id did not change at login")
	}

	attacker := a.browser()
	attacker.cookies["aw_session"] = planted
	if resp, _ := attacker.get("/settings/profile"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the pre-login session id still works: %d", resp.StatusCode)
	}
}

func TestGuestsAreSentToLogInAndBack(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	b := a.browser()
	resp, _ := b.get("/settings/sessions")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fsettings%2Fsessions" {
		t.Fatalf("guest: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	b.get(resp.Header.Get("Location"))
	resp, _ = b.post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}, "next": {"/settings/sessions"}})
	if resp.Header.Get("Location") != "/settings/sessions" {
		t.Errorf("after login: %s", resp.Header.Get("Location"))
	}
	t.Run("next cannot leave the site", func(t *testing.T) {
		for _, next := range []string{"https://evil.example", "//evil.example", "/\\evil.example"} {
			if got := safeNext(next); got != afterLogin {
				t.Errorf("safeNext(%q) = %q", next, got)
			}
		}
	})
	t.Run("htmx requests get HX-Redirect", func(t *testing.T) {
		guest := a.browser()
		guest.htmx = true
		resp, _ := guest.get("/settings/profile")
		if resp.Header.Get(hxRedirect) == "" {
			t.Error("no HX-Redirect")
		}
	})
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	signedIn := a.browser()
	signedIn.login("ada@example.com", goodPassword)

	b := a.browser()
	b.get("/password/forgot")
	resp, body := b.post("/password/forgot", url.Values{"email": {"ada@example.com"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "If an account exists") {
		t.Fatalf("forgot: %d", resp.StatusCode)
	}
	b2 := a.browser()
	b2.get("/password/forgot")
	_, unknown := b2.post("/password/forgot", url.Values{"email": {"nobody@example.com"}})
	if stripVolatile(unknown) != stripVolatile(body) {
		t.Error("the answer differs for an unknown address")
	}
	token := a.tokenFromMail("ada@example.com", "/password/reset?token=")

	if resp, _ := b.get("/password/reset?token=" + token); resp.StatusCode != 200 {
		t.Fatalf("reset page: %d", resp.StatusCode)
	}
	newPassword := "a brand new passphrase"
	resp, _ = b.post("/password/reset", url.Values{"token": {token}, "password": {newPassword}, "password_confirm": {newPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if resp, _ := signedIn.get("/settings/profile"); resp.StatusCode != http.StatusSeeOther {
		t.Error("a reset signs the account out everywhere")
	}
	a.browser().login("ada@example.com", newPassword)

	t.Run("works once", func(t *testing.T) {
		resp, _ := b.post("/password/reset", url.Values{"token": {token}, "password": {"yet another passphrase"}, "password_confirm": {"yet another passphrase"}})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("second use: %d", resp.StatusCode)
		}
	})
	t.Run("not after 15 minutes", func(t *testing.T) {
		b.post("/password/forgot", url.Values{"email": {"ada@example.com"}})
		late := a.tokenFromMail("ada@example.com", "/password/reset?token=")
		a.clock.Advance(15*time.Minute + time.Second)
		if resp, _ := b.get("/password/reset?token=" + late); resp.StatusCode != http.StatusNotFound {
			t.Errorf("expired link page: %d", resp.StatusCode)
		}
		resp, _ := b.post("/password/reset", url.Values{"token": {late}, "password": {"yet another passphrase"}, "password_confirm": {"yet another passphrase"}})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("expired link: %d", resp.StatusCode)
		}
	})
}

// stripVolatile keeps the page's <main> (the header's live market and feed badges change from
// second to second) and removes the CSRF token, which differs between any two sessions.
func stripVolatile(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		if j := strings.Index(s[i:], "</main>"); j >= 0 {
			s = s[i : i+j]
		}
	}
	s = csrfMeta.ReplaceAllString(s, "")
	for _, marker := range []string{`name="_csrf" value="`} {
		for {
			i := strings.Index(s, marker)
			if i < 0 {
				break
			}
			j := strings.Index(s[i+len(marker):], `"`)
			s = s[:i] + s[i+len(marker)+j+1:]
		}
	}
	return s
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	other := a.browser()
	other.login("ada@example.com", goodPassword)
	b := a.browser()
	b.login("ada@example.com", goodPassword)
	b.get("/settings/password")

	resp, body := b.post("/settings/password", url.Values{"current_password": {"not it at all"}, "password": {"new passphrase 2026"}, "password_confirm": {"new passphrase 2026"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "This is not your current password.") {
		t.Fatalf("wrong current password: %d", resp.StatusCode)
	}
	before := b.cookies["aw_session"]
	resp, _ = b.post("/settings/password", url.Values{"current_password": {goodPassword}, "password": {"new passphrase 2026"}, "password_confirm": {"new passphrase 2026"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d", resp.StatusCode)
	}
	if b.cookies["aw_session"] == before {
		t.Error("this browser keeps its sign-in but with a new session id")
	}
	if resp, _ := b.get("/settings/password"); resp.StatusCode != 200 {
		t.Error("this browser was signed out")
	}
	if resp, _ := other.get("/settings/password"); resp.StatusCode != http.StatusSeeOther {
		t.Error("other browsers must be signed out")
	}
	a.browser().login("ada@example.com", "new passphrase 2026")
}

func TestSessionsAreEachPersonsOwn(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	a.createUser("bob@example.com", goodPassword)
	ada := a.browser()
	ada.login("ada@example.com", goodPassword)
	bob := a.browser()
	bob.login("bob@example.com", goodPassword)

	sessions, err := a.svc.Sessions.List(context.Background(), mustUser(t, a, "ada@example.com").ID)
	if err != nil || len(sessions) != 1 {
		t.Fatalf("ada's sessions: %d %v", len(sessions), err)
	}
	adaHandle := hexHandle(sessions[0].IDHash)

	_, bobsPage := bob.get("/settings/sessions")
	if strings.Contains(bobsPage, adaHandle) {
		t.Error("bob sees ada's session")
	}
	resp, _ := bob.post("/settings/sessions/"+adaHandle+"/revoke", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("bob revoking ada's session: %d, want 404", resp.StatusCode)
	}
	if resp, _ := ada.get("/settings/profile"); resp.StatusCode != 200 {
		t.Error("ada was signed out by bob")
	}
	_, adasPage := ada.get("/settings/profile")
	if strings.Contains(adasPage, "bob@example.com") {
		t.Error("ada's profile shows bob's data")
	}
}

func mustUser(t *testing.T, a *testApp, email string) *models.User {
	t.Helper()
	u, err := models.UserByEmail(context.Background(), a.db.Gorm, email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func hexHandle(idHash []byte) string {
	const digits = "0123456789abcdef"
	var b strings.Builder
	for _, c := range idHash[:12] {
		b.WriteByte(digits[c>>4])
		b.WriteByte(digits[c&15])
	}
	return b.String()
}

func TestDisabledUserIsSignedOutAtOnce(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	u := a.createUser("ada@example.com", goodPassword)
	b := a.browser()
	b.login("ada@example.com", goodPassword)
	if err := a.svc.Accounts.SetActive(context.Background(), u.ID, false); err != nil {
		t.Fatal(err)
	}
	if resp, _ := b.get("/settings/profile"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("disabled user's session still works: %d", resp.StatusCode)
	}
	b2 := a.browser()
	b2.get("/login")
	resp, body := b2.post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "disabled") {
		t.Errorf("disabled login: %d", resp.StatusCode)
	}
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testProxyVars(map[string]string{"RATE_LIMIT_AUTH": "3/10m"}))
	a.createUser("ada@example.com", goodPassword)
	b := a.browser()
	b.get("/login")
	for i := 1; i <= 3; i++ {
		resp, _ := b.post("/login", url.Values{"email": {"ada@example.com"}, "password": {"wrong guess number " + string(rune('0'+i))}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d, want 401", i, resp.StatusCode)
		}
	}
	resp, body := b.post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("4th attempt: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if !strings.Contains(body, "Too many attempts") {
		t.Error("the page must say why")
	}
	// Another client, which has not failed, is not held back (issue 10, security 4: the old
	// per-account limit let anyone lock anyone out).
	other := a.browser()
	other.get("/login")
	if resp, _ := other.postFrom("203.0.113.9", "/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the right password from another IP: %d, want 303", resp.StatusCode)
	}
}

func TestSecretsNeverReachTheLog(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	b := a.browser()
	b.login("ada@example.com", goodPassword)
	b.get("/settings/password")
	b.post("/settings/password", url.Values{"current_password": {goodPassword}, "password": {"new passphrase 2026"}, "password_confirm": {"new passphrase 2026"}})
	b.get("/password/forgot")
	b.post("/password/forgot", url.Values{"email": {"ada@example.com"}})
	token := a.tokenFromMail("ada@example.com", "/password/reset?token=")
	b.get("/password/reset?token=" + token)

	logs := a.logs.String()
	for _, secret := range []string{goodPassword, "new passphrase 2026", b.cookies["aw_session"], b.csrf} {
		if secret != "" && strings.Contains(logs, secret) {
			t.Errorf("the log contains a secret (%d characters)", len(secret))
		}
	}
	if strings.Contains(logs, "token="+token) {
		t.Error("the log contains a reset token")
	}
}

func pngOf(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

func (b *browser) upload(path, field, filename string, data []byte) (*http.Response, string) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", b.csrf)
	fw, _ := w.CreateFormFile(field, filename)
	fw.Write(data)
	w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.send(req)
}

func TestAvatarUpload(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	b := a.browser()
	b.login("ada@example.com", goodPassword)
	b.get("/settings/profile")

	refused := []struct {
		name string
		data []byte
		want string
	}{
		{"notes.png", []byte("just some text pretending to be a picture"), "This file is not a PNG, JPEG or GIF picture."},
		{"big.png", append(pngOf(2, 2), make([]byte, 2<<20)...), "This picture is larger than 2 MB."},
		{"huge.png", pngOf(5000, 5000), "dimensions are too large"},
	}
	for _, tc := range refused {
		resp, body := b.upload("/settings/profile/avatar", "avatar", tc.name, tc.data)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d, want the message %q", tc.name, resp.StatusCode, tc.want)
		}
	}
	if u := mustUser(t, a, "ada@example.com"); u.AvatarFile != nil {
		t.Fatal("a refused upload was recorded")
	}

	resp, _ := b.upload("/settings/profile/avatar", "avatar", "me.png", pngOf(64, 64))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	u := mustUser(t, a, "ada@example.com")
	if u.AvatarFile == nil {
		t.Fatal("the picture was not recorded")
	}
	resp, body := b.get("/avatars/" + *u.AvatarFile)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal([]byte(body), pngOf(64, 64)) {
		t.Errorf("serving the picture: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	etag := resp.Header.Get("ETag")
	if etag == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age") {
		t.Errorf("caching headers: ETag %q, Cache-Control %q", etag, resp.Header.Get("Cache-Control"))
	}
	req := httptest.NewRequest(http.MethodGet, "/avatars/"+*u.AvatarFile, nil)
	req.Header.Set("If-None-Match", etag)
	if resp, body := b.send(req); resp.StatusCode != http.StatusNotModified || body != "" {
		t.Errorf("revalidation with the ETag: %d, %d bytes", resp.StatusCode, len(body))
	}
	// Stored in the database, not on this process's disk: any process serves it.
	var rows int64
	a.db.Gorm.Raw(`SELECT count(*) FROM avatars WHERE name = ?`, *u.AvatarFile).Scan(&rows)
	if rows != 1 {
		t.Errorf("%d rows for the picture in avatars", rows)
	}
	first := *u.AvatarFile
	if resp, _ := b.upload("/settings/profile/avatar", "avatar", "new.png", pngOf(32, 32)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second upload: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/avatars/" + first); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the replaced picture: %d, want 404", resp.StatusCode)
	}
	if resp, _ := b.get("/avatars/..%2F..%2Fetc%2Fpasswd"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a crafted name: %d", resp.StatusCode)
	}
}
