package views

import (
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
)

// Tests of the account pages: sign-up, log-in, password reset, e-mail
// confirmation, settings and the user menu. Helpers (render, one, findAll,
// attr, text, byTestID …) live in views_test.go.

const (
	testCSRF     = "csrf-token-789"
	testPassword = "hunter2secret"
)

var authUserPage = Page{
	Title:     "Settings",
	Path:      "/settings/profile",
	CSRFToken: testCSRF,
	Version:   "v1.2.3",
	User:      &User{Name: "Ada Lovelace", Email: "ada@example.com", EmailVerified: true},
}

var authGuestPage = Page{CSRFToken: testCSRF, Version: "v1.2.3"}

var testTimeZones = []string{"America/New_York", "Europe/London", "UTC"}

var testProfile = Profile{
	Name:          "Ada Lovelace",
	Email:         "ada@example.com",
	Initials:      "AL",
	TimeZone:      "America/New_York",
	EmailVerified: true,
	MemberSince:   time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC),
}

// formCase describes one form fragment and how to render it with a
// submission.
type formCase struct {
	name      string
	formID    string
	action    string
	hxTarget  string
	fields    []string          // fields that can carry an error
	passwords map[string]bool   // fields never written back
	auto      map[string]string // expected autocomplete attribute
	render    func(f Form) templ.Component
}

var formCases = []formCase{
	{
		name: "signup", formID: "signup-form", action: "/signup", hxTarget: "this",
		fields:    []string{"name", "email", "password", "password_confirm", "accept_terms"},
		passwords: map[string]bool{"password": true, "password_confirm": true},
		auto:      map[string]string{"name": "name", "email": "email", "password": "new-password", "password_confirm": "new-password"},
		render:    func(f Form) templ.Component { return SignupForm(testCSRF, f) },
	},
	{
		name: "login", formID: "login-form", action: "/login", hxTarget: "this",
		fields:    []string{"email", "password"},
		passwords: map[string]bool{"password": true},
		auto:      map[string]string{"email": "email", "password": "current-password"},
		render:    func(f Form) templ.Component { return LoginForm(testCSRF, f, "/trade") },
	},
	{
		name: "forgot", formID: "forgot-password-form", action: "/password/forgot", hxTarget: "this",
		fields: []string{"email"},
		auto:   map[string]string{"email": "email"},
		render: func(f Form) templ.Component { return ForgotPasswordForm(testCSRF, f, false) },
	},
	{
		name: "reset", formID: "reset-password-form", action: "/password/reset", hxTarget: "this",
		fields:    []string{"password", "password_confirm"},
		passwords: map[string]bool{"password": true, "password_confirm": true},
		auto:      map[string]string{"password": "new-password", "password_confirm": "new-password"},
		render:    func(f Form) templ.Component { return ResetPasswordForm(testCSRF, f, "reset-token-1") },
	},
	{
		name: "resend", formID: "resend-verification-form", action: "/verify/resend", hxTarget: "this",
		fields: []string{"email"},
		auto:   map[string]string{"email": "email"},
		render: func(f Form) templ.Component { return ResendVerificationForm(testCSRF, f, false) },
	},
	{
		name: "profile", formID: "profile-form", action: "/settings/profile", hxTarget: "this",
		fields: []string{"name", "time_zone"},
		auto:   map[string]string{"name": "name"},
		render: func(f Form) templ.Component { return ProfileForm(testCSRF, testProfile, f, testTimeZones) },
	},
	{
		name: "change-password", formID: "change-password-form", action: "/settings/password", hxTarget: "this",
		fields:    []string{"current_password", "password", "password_confirm"},
		passwords: map[string]bool{"current_password": true, "password": true, "password_confirm": true},
		auto:      map[string]string{"current_password": "current-password", "password": "new-password", "password_confirm": "new-password"},
		render:    func(f Form) templ.Component { return ChangePasswordForm(testCSRF, f) },
	},
	{
		name: "api-key", formID: "api-key-form", action: "/settings/api-keys", hxTarget: "#api-keys",
		fields: []string{"label"},
		render: func(f Form) templ.Component { return APIKeysPanel(testCSRF, nil, f, nil, nil, "") },
	},
}

// submitted is a Form as a handler would pass it back: every field has a
// value and an error. Password values are included on purpose, to prove
// the views never echo them.
func (c formCase) submitted() Form {
	f := Form{Values: map[string]string{}, Errors: map[string]string{}, Error: "Something about the whole " + c.name + " form."}
	for _, name := range c.fields {
		switch {
		case c.passwords[name]:
			f.Values[name] = testPassword
		case name == "accept_terms":
			f.Values[name] = "on"
		case name == "time_zone":
			f.Values[name] = "Europe/London"
		default:
			f.Values[name] = "kept <" + name + ">"
		}
		f.Errors[name] = "Problem with " + name + " & co."
	}
	return f
}

// control is the input/select named name inside form.
func control(t *testing.T, form *html.Node, name string) *html.Node {
	t.Helper()
	return one(t, form, "control "+name, func(n *html.Node) bool {
		v, _ := attr(n, "name")
		return v == name && (n.Data == "input" || n.Data == "select" || n.Data == "textarea")
	})
}

func hasAttr(n *html.Node, key string) bool { _, ok := attr(n, key); return ok }

func TestFormsWithErrors(t *testing.T) {
	for _, c := range formCases {
		t.Run(c.name, func(t *testing.T) {
			f := c.submitted()
			out, doc := render(t, c.render(f))
			form := one(t, doc, "#"+c.formID, byAttr("id", c.formID))

			if form.Data != "form" {
				t.Fatalf("#%s is <%s>, want <form>", c.formID, form.Data)
			}
			if v, _ := attr(form, "method"); v != "post" {
				t.Errorf("method = %q", v)
			}
			action, _ := attr(form, "action")
			if action != c.action {
				t.Errorf("action = %q, want %q", action, c.action)
			}
			if v, _ := attr(form, "hx-post"); v != action {
				t.Errorf("hx-post = %q, want the action %q", v, action)
			}
			if v, _ := attr(form, "hx-target"); v != c.hxTarget {
				t.Errorf("hx-target = %q, want %q", v, c.hxTarget)
			}
			if v, _ := attr(form, "hx-swap"); v != "outerHTML" {
				t.Errorf("hx-swap = %q", v)
			}
			if v, _ := attr(form, "data-testid"); v == "" {
				t.Error("form has no data-testid")
			}

			csrf := one(t, form, "_csrf input", byAttr("name", "_csrf"))
			if v, _ := attr(csrf, "type"); v != "hidden" {
				t.Errorf("_csrf type = %q", v)
			}
			if v, _ := attr(csrf, "value"); v != testCSRF {
				t.Errorf("_csrf value = %q", v)
			}

			fe := one(t, form, "form error", byTestID("form-error"))
			if got := text(fe); got != f.Error {
				t.Errorf("form error = %q, want %q", got, f.Error)
			}
			if r, _ := attr(fe, "role"); r != "alert" {
				t.Errorf("form error role = %q", r)
			}

			for _, name := range c.fields {
				errEl := one(t, form, "error-"+name, byTestID("error-"+name))
				if got := text(errEl); got != f.Errors[name] {
					t.Errorf("error-%s = %q, want %q", name, got, f.Errors[name])
				}
				if id, _ := attr(errEl, "id"); id != name+"-error" {
					t.Errorf("error-%s id = %q", name, id)
				}
				in := control(t, form, name)
				if v, _ := attr(in, "aria-invalid"); v != "true" {
					t.Errorf("%s aria-invalid = %q", name, v)
				}
				if v, _ := attr(in, "aria-describedby"); v != name+"-error" {
					t.Errorf("%s aria-describedby = %q", name, v)
				}
				if want, ok := c.auto[name]; ok {
					if v, _ := attr(in, "autocomplete"); v != want {
						t.Errorf("%s autocomplete = %q, want %q", name, v, want)
					}
				}
				if in.Data == "input" {
					if ty, _ := attr(in, "type"); ty == "text" || ty == "email" || ty == "password" {
						if !hasAttr(in, "maxlength") {
							t.Errorf("%s has no maxlength", name)
						}
					}
				}
				if !hasAttr(in, "required") {
					t.Errorf("%s is not required", name)
				}

				// Values come back, except passwords.
				switch {
				case c.passwords[name]:
					if hasAttr(in, "value") {
						t.Errorf("password field %s has a value attribute", name)
					}
				case name == "accept_terms":
					if !hasAttr(in, "checked") {
						t.Error("accept_terms not kept checked")
					}
				case in.Data == "select":
					sel := findAll(in, func(n *html.Node) bool { return n.Data == "option" && hasAttr(n, "selected") })
					if len(sel) != 1 {
						t.Fatalf("%s: %d selected options", name, len(sel))
					}
					if v, _ := attr(sel[0], "value"); v != f.Values[name] {
						t.Errorf("%s selected = %q, want %q", name, v, f.Values[name])
					}
				default:
					if v, _ := attr(in, "value"); v != f.Values[name] {
						t.Errorf("%s value = %q, want %q", name, v, f.Values[name])
					}
				}
			}
			if strings.Contains(out, testPassword) {
				t.Error("a password was written back into the page")
			}
			if strings.Contains(out, "<"+c.fields[0]+">") {
				t.Error("submitted value not HTML-escaped")
			}

			// The first field with an error takes the focus.
			af := findAll(form, func(n *html.Node) bool { return hasAttr(n, "autofocus") })
			if len(af) != 1 {
				t.Errorf("want one autofocus field, got %d", len(af))
			} else if v, _ := attr(af[0], "name"); v != c.fields[0] {
				t.Errorf("autofocus on %q, want %q", v, c.fields[0])
			}

			checkSubmit(t, form)
			checkLabels(t, form)
		})
	}
}

func TestFormsFresh(t *testing.T) {
	for _, c := range formCases {
		t.Run(c.name, func(t *testing.T) {
			out, doc := render(t, c.render(Form{}))
			form := one(t, doc, "#"+c.formID, byAttr("id", c.formID))
			if n := findAll(form, byTestID("form-error")); len(n) != 0 {
				t.Error("fresh form shows a form error")
			}
			for _, name := range c.fields {
				if n := findAll(form, byTestID("error-"+name)); len(n) != 0 {
					t.Errorf("fresh form shows error-%s", name)
				}
				if v, _ := attr(control(t, form, name), "aria-invalid"); v != "" {
					t.Errorf("fresh %s has aria-invalid=%q", name, v)
				}
			}
			if strings.Contains(out, "autofocus") {
				t.Error("fresh form steals the focus")
			}
		})
	}
}

// checkSubmit: exactly one submit button, with a data-testid "submit-…".
func checkSubmit(t *testing.T, form *html.Node) {
	t.Helper()
	subs := findAll(form, func(n *html.Node) bool {
		ty, _ := attr(n, "type")
		_, other := attr(n, "form") // buttons that submit another form
		return n.Data == "button" && ty == "submit" && !other
	})
	if len(subs) != 1 {
		t.Fatalf("want 1 submit button, got %d", len(subs))
	}
	if v, _ := attr(subs[0], "data-testid"); !strings.HasPrefix(v, "submit-") {
		t.Errorf("submit data-testid = %q", v)
	}
}

// checkLabels: every visible control has a <label for=id>.
func checkLabels(t *testing.T, root *html.Node) {
	t.Helper()
	for _, in := range findAll(root, func(n *html.Node) bool { return n.Data == "input" || n.Data == "select" }) {
		if ty, _ := attr(in, "type"); ty == "hidden" {
			continue
		}
		id, _ := attr(in, "id")
		name, _ := attr(in, "name")
		if id == "" {
			t.Errorf("control %q has no id", name)
			continue
		}
		if len(findAll(root, func(n *html.Node) bool { v, _ := attr(n, "for"); return n.Data == "label" && v == id })) != 1 {
			t.Errorf("control %q has no label", name)
		}
	}
}

func TestLoginFormHiddenNextAndLinks(t *testing.T) {
	_, doc := render(t, LoginPage(authGuestPage, Form{}, "/trade?symbol=AAPL"))
	form := one(t, doc, "login form", byAttr("id", "login-form"))
	next := one(t, form, "next", byAttr("name", "next"))
	if ty, _ := attr(next, "type"); ty != "hidden" {
		t.Errorf("next type = %q", ty)
	}
	if v, _ := attr(next, "value"); v != "/trade?symbol=AAPL" {
		t.Errorf("next = %q", v)
	}
	if got := text(one(t, doc, "forgot link", byAttr("href", "/password/forgot"))); got != "Forgot your password?" {
		t.Errorf("forgot link = %q", got)
	}
	if got := text(one(t, doc, "signup link", byTestID("signup-instead"))); got != "Create an account" {
		t.Errorf("signup link = %q", got)
	}
	if got := text(one(t, form, "submit", byTestID("submit-login"))); got != "Log in" {
		t.Errorf("submit = %q", got)
	}
	if got := text(one(t, doc, "<title>", byTag("title"))); got != "Log in · Alpaca Wrapper" {
		t.Errorf("default title = %q", got)
	}
}

func TestSignupForm(t *testing.T) {
	_, doc := render(t, SignupPage(authGuestPage, Form{}))
	form := one(t, doc, "signup form", byAttr("id", "signup-form"))
	cb := control(t, form, "accept_terms")
	if ty, _ := attr(cb, "type"); ty != "checkbox" {
		t.Errorf("accept_terms type = %q", ty)
	}
	if v, _ := attr(cb, "value"); v != "on" {
		t.Errorf("accept_terms value = %q", v)
	}
	if hasAttr(cb, "checked") {
		t.Error("terms pre-ticked")
	}
	label := one(t, form, "terms label", func(n *html.Node) bool { v, _ := attr(n, "for"); return v == "accept_terms" })
	if len(findAll(label, byAttr("href", "/terms"))) != 1 {
		t.Error("terms label does not link to /terms")
	}
	if got := text(one(t, form, "submit", byTestID("submit-signup"))); got != "Create account" {
		t.Errorf("submit = %q", got)
	}
	if len(findAll(doc, byAttr("href", "/login"))) == 0 {
		t.Error("no link to /login")
	}
	for _, name := range []string{"password", "password_confirm"} {
		if ty, _ := attr(control(t, form, name), "type"); ty != "password" {
			t.Errorf("%s type = %q", name, ty)
		}
	}
}

func TestSignupDonePage(t *testing.T) {
	out, doc := render(t, SignupDonePage(authGuestPage, "new<person>@example.com"))
	main := one(t, doc, "<main>", byTag("main"))
	body := text(main)
	for _, want := range []string{"Check your inbox", "new<person>@example.com", "if it can receive mail", "24 hours"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q: %s", want, body)
		}
	}
	if strings.Contains(out, "new<person>") {
		t.Error("email not escaped")
	}
	form := one(t, doc, "resend form", byAttr("id", "resend-verification-form"))
	if v, _ := attr(form, "action"); v != "/verify/resend" {
		t.Errorf("resend action = %q", v)
	}
	if v, _ := attr(control(t, form, "email"), "value"); v != "new<person>@example.com" {
		t.Errorf("resend email = %q", v)
	}
	if v, _ := attr(one(t, form, "csrf", byAttr("name", "_csrf")), "value"); v != testCSRF {
		t.Errorf("csrf = %q", v)
	}
	if len(findAll(doc, byAttr("href", "/login"))) == 0 {
		t.Error("no link to /login")
	}
}

func TestResendVerificationSent(t *testing.T) {
	_, doc := render(t, ResendVerificationForm(testCSRF, Form{}, true))
	one(t, doc, "sent", byTestID("resend-verification-sent"))
	if n := findAll(doc, byTag("form")); len(n) != 0 {
		t.Error("sent state still renders a form")
	}
}

func TestForgotPasswordSent(t *testing.T) {
	for _, c := range []templ.Component{
		ForgotPasswordForm(testCSRF, Form{}, true),
		ForgotPasswordPage(authGuestPage, Form{}, true),
	} {
		_, doc := render(t, c)
		sent := one(t, doc, "sent", byTestID("forgot-password-sent"))
		want := "If an account exists for that address, we've sent a link to reset the password. It expires in 15 minutes."
		if !strings.Contains(text(sent), want) {
			t.Errorf("sent text = %q", text(sent))
		}
		if n := findAll(doc, byAttr("name", "email")); len(n) != 0 {
			t.Error("sent state still asks for the email")
		}
	}
}

func TestResetPasswordPage(t *testing.T) {
	_, doc := render(t, ResetPasswordPage(authGuestPage, Form{}, "tok-abc", true))
	form := one(t, doc, "reset form", byAttr("id", "reset-password-form"))
	tok := one(t, form, "token", byAttr("name", "token"))
	if v, _ := attr(tok, "value"); v != "tok-abc" {
		t.Errorf("token = %q", v)
	}
	if ty, _ := attr(tok, "type"); ty != "hidden" {
		t.Errorf("token type = %q", ty)
	}

	out, doc := render(t, ResetPasswordPage(authGuestPage, Form{}, "tok-abc", false))
	if n := findAll(doc, byTag("form")); len(n) != 0 {
		t.Errorf("invalid link page renders %d forms", len(n))
	}
	if strings.Contains(out, "tok-abc") {
		t.Error("invalid link page echoes the token")
	}
	if got := text(one(t, doc, "h1", byTag("h1"))); got != "This link is invalid or has expired" {
		t.Errorf("h1 = %q", got)
	}
	if v, _ := attr(one(t, doc, "request new", byTestID("reset-request-new")), "href"); v != "/password/forgot" {
		t.Errorf("request-new href = %q", v)
	}
}

func TestVerifyResultPage(t *testing.T) {
	_, doc := render(t, VerifyResultPage(authUserPage, true))
	if got := text(one(t, doc, "h1", byTag("h1"))); got != "Your email address is confirmed" {
		t.Errorf("ok h1 = %q", got)
	}
	if v, _ := attr(one(t, doc, "continue", byTestID("verify-continue")), "href"); v != "/markets" {
		t.Errorf("continue href = %q", v)
	}
	if n := findAll(doc, byAttr("action", "/verify/resend")); len(n) != 0 {
		t.Error("ok page offers a resend form")
	}

	_, doc = render(t, VerifyResultPage(authGuestPage, false))
	if got := text(one(t, doc, "h1", byTag("h1"))); got != "This confirmation link is invalid or has expired" {
		t.Errorf("failed h1 = %q", got)
	}
	form := one(t, doc, "resend form", byAttr("action", "/verify/resend"))
	control(t, form, "email")
	one(t, form, "csrf", byAttr("name", "_csrf"))
}

func TestProfilePage(t *testing.T) {
	prof := testProfile
	prof.EmailVerified = false
	prof.AvatarURL = ""
	f := Form{Errors: map[string]string{"avatar": "That file is too big."}}
	out, doc := render(t, ProfilePage(authUserPage, prof, f, testTimeZones))

	av := one(t, doc, "avatar form", byAttr("id", "avatar-form"))
	for k, want := range map[string]string{"method": "post", "action": "/settings/profile/avatar", "enctype": "multipart/form-data", "data-testid": "avatar-form"} {
		if v, _ := attr(av, k); v != want {
			t.Errorf("avatar form %s = %q, want %q", k, v, want)
		}
	}
	if hasAttr(av, "hx-post") {
		t.Error("avatar upload must be a plain form")
	}
	file := control(t, av, "avatar")
	if v, _ := attr(file, "type"); v != "file" {
		t.Errorf("avatar type = %q", v)
	}
	if v, _ := attr(file, "accept"); v != "image/png,image/jpeg,image/gif" {
		t.Errorf("avatar accept = %q", v)
	}
	if v, _ := attr(file, "aria-invalid"); v != "true" {
		t.Errorf("avatar aria-invalid = %q", v)
	}
	if got := text(one(t, av, "avatar error", byTestID("error-avatar"))); got != "That file is too big." {
		t.Errorf("avatar error = %q", got)
	}
	if !strings.Contains(text(av), "PNG, JPEG or GIF, up to 2 MB") {
		t.Error("avatar help text missing")
	}
	if v, _ := attr(one(t, av, "csrf", byAttr("name", "_csrf")), "value"); v != testCSRF {
		t.Errorf("avatar csrf = %q", v)
	}
	checkSubmit(t, av)

	// No picture: initials, no remove form.
	if got := text(one(t, doc, "initials", byTestID("avatar-initials"))); got != "AL" {
		t.Errorf("initials = %q", got)
	}
	if n := findAll(doc, byAttr("action", "/settings/profile/avatar/delete")); len(n) != 0 {
		t.Error("remove form shown without a picture")
	}

	// Not verified: badge and a resend button for the separate form.
	one(t, doc, "unverified badge", byTestID("email-unverified"))
	btn := one(t, doc, "resend button", byTestID("submit-resend-mine"))
	target, _ := attr(btn, "form")
	rf := one(t, doc, "resend-mine form", byAttr("id", target))
	if v, _ := attr(rf, "action"); v != "/verify/resend-mine" {
		t.Errorf("resend-mine action = %q", v)
	}
	if v, _ := attr(one(t, rf, "csrf", byAttr("name", "_csrf")), "value"); v != testCSRF {
		t.Errorf("resend-mine csrf = %q", v)
	}
	if isInside(rf, one(t, doc, "profile form", byAttr("id", "profile-form"))) {
		t.Error("resend-mine form is nested in the profile form")
	}

	// Name and time zone default to the stored profile.
	pf := one(t, doc, "profile form", byAttr("id", "profile-form"))
	if v, _ := attr(control(t, pf, "name"), "value"); v != "Ada Lovelace" {
		t.Errorf("name = %q", v)
	}
	sel := findAll(control(t, pf, "time_zone"), func(n *html.Node) bool { return n.Data == "option" && hasAttr(n, "selected") })
	if len(sel) != 1 {
		t.Fatalf("%d selected time zones", len(sel))
	}
	if v, _ := attr(sel[0], "value"); v != "America/New_York" {
		t.Errorf("selected time zone = %q", v)
	}
	if got := text(one(t, pf, "member since", byTestID("member-since"))); got != "Member since Mar 4, 2024" {
		t.Errorf("member since = %q", got)
	}
	if got := text(one(t, pf, "email", byTestID("profile-email"))); got != "ada@example.com" {
		t.Errorf("email = %q", got)
	}
	if n := findAll(pf, byAttr("name", "email")); len(n) != 0 {
		t.Error("profile form posts an email field")
	}
	if got := text(one(t, pf, "submit", byTestID("submit-profile"))); got != "Save changes" {
		t.Errorf("submit = %q", got)
	}
	if !strings.Contains(out, `aria-current="page"`) {
		t.Error("settings nav has no current item")
	}

	// With a picture and a verified address.
	prof.AvatarURL = "/avatars/ada.png"
	prof.EmailVerified = true
	_, doc = render(t, ProfilePage(authUserPage, prof, Form{}, testTimeZones))
	img := one(t, doc, "avatar image", byTestID("avatar-image"))
	if v, _ := attr(img, "src"); v != "/avatars/ada.png" {
		t.Errorf("img src = %q", v)
	}
	if v, _ := attr(img, "alt"); v == "" {
		t.Error("avatar image has no alt text")
	}
	rm := one(t, doc, "remove form", byAttr("action", "/settings/profile/avatar/delete"))
	if v, _ := attr(rm, "method"); v != "post" {
		t.Errorf("remove method = %q", v)
	}
	one(t, rm, "csrf", byAttr("name", "_csrf"))
	one(t, doc, "verified badge", byTestID("email-verified"))
	if n := findAll(doc, byAttr("action", "/verify/resend-mine")); len(n) != 0 {
		t.Error("verified address still offers a resend")
	}
}

func TestProfileFormUnknownTimeZoneKept(t *testing.T) {
	prof := testProfile
	prof.TimeZone = "Asia/Tokyo"
	_, doc := render(t, ProfileForm(testCSRF, prof, Form{}, testTimeZones))
	sel := findAll(doc, func(n *html.Node) bool { return n.Data == "option" && hasAttr(n, "selected") })
	if len(sel) != 1 {
		t.Fatalf("%d selected", len(sel))
	}
	if v, _ := attr(sel[0], "value"); v != "Asia/Tokyo" {
		t.Errorf("selected = %q; a stored zone missing from the list must not be silently changed", v)
	}
}

func TestChangePasswordPage(t *testing.T) {
	_, doc := render(t, ChangePasswordPage(authUserPage, Form{}))
	form := one(t, doc, "form", byAttr("id", "change-password-form"))
	if !strings.Contains(text(form), "Changing your password signs you out everywhere else and revokes your API keys") {
		t.Error("help text missing")
	}
	nav := one(t, doc, "settings nav", byTestID("settings-nav"))
	cur := one(t, nav, "current", byAttr("aria-current", "page"))
	if v, _ := attr(cur, "href"); v != "/settings/password" {
		t.Errorf("current settings item = %q", v)
	}
}

var testSessions = []SessionRow{
	{ID: "cur1", UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36", IP: "203.0.113.7", CreatedAt: testProfile.MemberSince, LastSeen: testProfile.MemberSince, Current: true},
	{ID: "oth/2", UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", IP: "198.51.100.23", CreatedAt: testProfile.MemberSince, LastSeen: testProfile.MemberSince},
	{ID: "oth3", UserAgent: "", IP: "", CreatedAt: testProfile.MemberSince, LastSeen: testProfile.MemberSince},
}

func TestSessionsPage(t *testing.T) {
	_, doc := render(t, SessionsPage(authUserPage, testSessions))
	rows := findAll(doc, byTestID("session-row"))
	if len(rows) != 3 {
		t.Fatalf("want 3 session rows, got %d", len(rows))
	}
	for i, r := range rows {
		forms := findAll(r, byTag("form"))
		badges := findAll(r, byTestID("session-current"))
		if testSessions[i].Current {
			if len(forms) != 0 || len(findAll(r, byTestID("submit-revoke-session"))) != 0 {
				t.Error("the current browser has a sign-out button")
			}
			if len(badges) != 1 || text(badges[0]) != "This browser" {
				t.Error("current row lacks the This browser badge")
			}
			continue
		}
		if len(badges) != 0 {
			t.Errorf("row %d has the This browser badge", i)
		}
		if len(forms) != 1 {
			t.Fatalf("row %d: %d forms", i, len(forms))
		}
		want := "/settings/sessions/" + strings.ReplaceAll(testSessions[i].ID, "/", "%2F") + "/revoke"
		action, _ := attr(forms[0], "action")
		if action != want {
			t.Errorf("row %d action = %q, want %q", i, action, want)
		}
		if v, _ := attr(forms[0], "hx-post"); v != action {
			t.Errorf("row %d hx-post = %q", i, v)
		}
		if v, _ := attr(one(t, forms[0], "csrf", byAttr("name", "_csrf")), "value"); v != testCSRF {
			t.Errorf("row %d csrf = %q", i, v)
		}
		checkSubmit(t, forms[0])
	}
	if got := text(findAll(rows[0], byTestID("session-browser"))[0]); got != "Chrome on macOS" {
		t.Errorf("browser = %q", got)
	}
	if got := text(findAll(rows[2], byTestID("session-browser"))[0]); got != "Unknown browser" {
		t.Errorf("empty UA = %q", got)
	}
	others := one(t, doc, "revoke others", byAttr("id", "revoke-others-form"))
	if v, _ := attr(others, "action"); v != "/settings/sessions/revoke-others" {
		t.Errorf("revoke-others action = %q", v)
	}
	if v, _ := attr(others, "hx-post"); v != "/settings/sessions/revoke-others" {
		t.Errorf("revoke-others hx-post = %q", v)
	}
	one(t, others, "csrf", byAttr("name", "_csrf"))
	checkSubmit(t, others)

	// Only this browser: nothing to sign out of.
	_, doc = render(t, SessionsPage(authUserPage, testSessions[:1]))
	if n := findAll(doc, byTag("form")); len(n) != 2 { // the two logout forms of the header
		t.Errorf("single-session page has %d forms, want only the 2 logout forms", len(n))
	}
}

func TestAPIKeysPanel(t *testing.T) {
	used := testProfile.MemberSince.Add(48 * time.Hour)
	keys := []APIKeyRow{
		{ID: 7, KeyID: "PKAAAAAAAAAAAAAAAAAA", Label: "Momentum <bot>", CreatedAt: testProfile.MemberSince, LastUsed: &used},
		{ID: 9, KeyID: "PKBBBBBBBBBBBBBBBBBB", Label: "Backtests", CreatedAt: testProfile.MemberSince},
	}
	created := &NewAPIKey{KeyID: "PKNEWNEWNEWNEWNEWNEW", Secret: "super-secret-value-123", Label: "New bot"}

	out, doc := render(t, APIKeysPanel(testCSRF, keys, Form{}, nil, nil, "https://trade.example.com"))
	if strings.Contains(out, "super-secret-value-123") || len(findAll(doc, byTestID("new-key-secret"))) != 0 {
		t.Error("secret shown without a newly created key")
	}
	panel := one(t, doc, "#api-keys", byAttr("id", "api-keys"))
	if !strings.Contains(text(panel), "APCA-API-KEY-ID") || !strings.Contains(text(panel), "APCA-API-SECRET-KEY") {
		t.Error("explanation lacks the header names")
	}
	if base := one(t, doc, "base URL", byTestID("api-base-url-value")); text(base) != "https://trade.example.com" {
		t.Errorf("the base URL for a bot reads %q", text(base))
	}
	rows := findAll(doc, byTestID("api-key-row"))
	if len(rows) != 2 {
		t.Fatalf("want 2 key rows, got %d", len(rows))
	}
	for i, r := range rows {
		form := one(t, r, "revoke form", byTag("form"))
		want := []string{"/settings/api-keys/7/revoke", "/settings/api-keys/9/revoke"}[i]
		if v, _ := attr(form, "action"); v != want {
			t.Errorf("row %d action = %q", i, v)
		}
		for k, want := range map[string]string{"hx-post": want, "hx-target": "#api-keys", "hx-swap": "outerHTML", "method": "post"} {
			if v, _ := attr(form, k); v != want {
				t.Errorf("row %d %s = %q, want %q", i, k, v, want)
			}
		}
		if v, _ := attr(form, "hx-confirm"); v == "" {
			t.Errorf("row %d has no hx-confirm", i)
		}
		if v, _ := attr(one(t, form, "csrf", byAttr("name", "_csrf")), "value"); v != testCSRF {
			t.Errorf("row %d csrf = %q", i, v)
		}
		checkSubmit(t, form)
		if !strings.Contains(text(r), keys[i].KeyID) || !strings.Contains(text(r), keys[i].Label) {
			t.Errorf("row %d = %q", i, text(r))
		}
	}
	if got := text(one(t, rows[1], "last used", byTestID("api-key-last-used"))); got != "Never" {
		t.Errorf("never-used key shows %q", got)
	}
	if strings.Contains(out, "Momentum <bot>") {
		t.Error("label not escaped")
	}

	out, doc = render(t, APIKeysPanel(testCSRF, keys, Form{}, created, nil, ""))
	sec := one(t, doc, "new key secret", byTestID("new-key-secret"))
	if got := text(sec); got != created.Secret {
		t.Errorf("secret = %q", got)
	}
	if got := text(one(t, doc, "new key id", byTestID("new-key-id"))); got != created.KeyID {
		t.Errorf("key id = %q", got)
	}
	if strings.Count(out, created.Secret) != 1 {
		t.Errorf("secret appears %d times, want once", strings.Count(out, created.Secret))
	}
	if !strings.Contains(text(one(t, doc, "new key", byTestID("new-key"))), "This secret is shown once. Store it now.") {
		t.Error("one-time warning missing")
	}
	for _, id := range []string{"new-key-id", "new-key-secret"} {
		btn := one(t, doc, "copy "+id, byAttr("data-copy", "#"+id))
		if ty, _ := attr(btn, "type"); ty != "button" {
			t.Errorf("copy button type = %q", ty)
		}
	}

	_, doc = render(t, APIKeysPanel(testCSRF, nil, Form{}, nil, nil, ""))
	one(t, doc, "empty state", byTestID("api-keys-empty"))
	if n := findAll(doc, byTestID("api-key-row")); len(n) != 0 {
		t.Error("empty panel has rows")
	}
}

func TestAPIKeysPageWrapsPanel(t *testing.T) {
	_, doc := render(t, APIKeysPage(authUserPage, nil, Form{}, nil, nil, ""))
	one(t, doc, "#api-keys", byAttr("id", "api-keys"))
	cur := one(t, one(t, doc, "settings nav", byTestID("settings-nav")), "current", byAttr("aria-current", "page"))
	if v, _ := attr(cur, "href"); v != "/settings/api-keys" {
		t.Errorf("current = %q", v)
	}
}

func TestSettingsNav(t *testing.T) {
	for key, href := range map[string]string{
		"profile": "/settings/profile", "password": "/settings/password",
		"sessions": "/settings/sessions", "api-keys": "/settings/api-keys",
	} {
		_, doc := render(t, SettingsNav(Page{}, key))
		for _, h := range []string{"/settings/profile", "/settings/password", "/settings/sessions", "/settings/api-keys"} {
			one(t, doc, h, byAttr("href", h))
		}
		cur := one(t, doc, "current", byAttr("aria-current", "page"))
		if v, _ := attr(cur, "href"); v != href {
			t.Errorf("%s: current = %q", key, v)
		}
	}
}

func TestVerifyBanner(t *testing.T) {
	_, doc := render(t, VerifyBanner(testCSRF))
	one(t, doc, "banner", byTestID("verify-banner"))
	form := one(t, doc, "form", byTag("form"))
	if v, _ := attr(form, "action"); v != "/verify/resend-mine" {
		t.Errorf("action = %q", v)
	}
	if v, _ := attr(form, "method"); v != "post" {
		t.Errorf("method = %q", v)
	}
	if v, _ := attr(one(t, form, "csrf", byAttr("name", "_csrf")), "value"); v != testCSRF {
		t.Errorf("csrf = %q", v)
	}
	checkSubmit(t, form)
}

func TestTermsPage(t *testing.T) {
	_, doc := render(t, TermsPage(authGuestPage))
	body := strings.ToLower(text(one(t, doc, "<main>", byTag("main"))))
	for _, want := range []string{"simulated", "investment advice", "delayed", "abuse", "operator"} {
		if !strings.Contains(body, want) {
			t.Errorf("terms lack %q", want)
		}
	}
}

func TestUserMenu(t *testing.T) {
	_, doc := render(t, Layout(authUserPage))
	menu := one(t, doc, "user menu", byTestID("user-menu"))
	if !strings.Contains(text(one(t, menu, "user name", byTestID("user-name"))), "Ada Lovelace") {
		t.Error("menu does not show the name")
	}
	if got := text(one(t, menu, "initials", func(n *html.Node) bool { v, _ := attr(n, "aria-hidden"); return n.Data == "span" && v == "true" })); got != "AL" {
		t.Errorf("initials = %q", got)
	}
	for _, href := range []string{"/settings/profile", "/settings/api-keys"} {
		one(t, menu, "desktop "+href, byAttr("href", href))
		one(t, one(t, doc, "mobile nav", byTestID("mobile-nav")), "mobile "+href, byAttr("href", href))
	}
	one(t, menu, "logout form", byTestID("logout-form"))

	_, doc = render(t, Layout(authGuestPage))
	if n := findAll(doc, byTestID("user-menu")); len(n) != 0 {
		t.Error("guest sees a user menu")
	}
	if n := findAll(doc, byAttr("href", "/settings/profile")); len(n) != 0 {
		t.Error("guest sees a settings link")
	}
}

// TestAccountPagesStructure runs the page-wide rules over every page.
func TestAccountPagesStructure(t *testing.T) {
	errs := Form{Error: "x", Errors: map[string]string{"name": "x", "email": "x", "password": "x", "avatar": "x", "label": "x"}}
	now := testProfile.MemberSince
	pages := map[string]templ.Component{
		"signup":         SignupPage(authGuestPage, errs),
		"signup-done":    SignupDonePage(authGuestPage, "a@example.com"),
		"login":          LoginPage(authGuestPage, errs, "/"),
		"forgot":         ForgotPasswordPage(authGuestPage, errs, false),
		"forgot-sent":    ForgotPasswordPage(authGuestPage, Form{}, true),
		"reset":          ResetPasswordPage(authGuestPage, errs, "t", true),
		"reset-invalid":  ResetPasswordPage(authGuestPage, Form{}, "t", false),
		"verify-ok":      VerifyResultPage(authUserPage, true),
		"verify-failed":  VerifyResultPage(authGuestPage, false),
		"profile":        ProfilePage(authUserPage, Profile{Name: "A", Email: "a@example.com", AvatarURL: "/a.png", MemberSince: now}, errs, testTimeZones),
		"password":       ChangePasswordPage(authUserPage, errs),
		"sessions":       SessionsPage(authUserPage, testSessions),
		"api-keys":       APIKeysPage(authUserPage, []APIKeyRow{{ID: 1, KeyID: "K", Label: "L", CreatedAt: now}}, errs, &NewAPIKey{KeyID: "K2", Secret: "S"}, nil, "https://trade.example.com"),
		"api-keys-empty": APIKeysPage(authUserPage, nil, Form{}, nil, nil, ""),
		"terms":          TermsPage(authGuestPage),
	}
	for name, c := range pages {
		t.Run(name, func(t *testing.T) {
			_, doc := render(t, c)
			if got := metaContent(t, doc, "csrf-token"); got != testCSRF {
				t.Errorf("csrf meta = %q", got)
			}
			if text(one(t, doc, "<title>", byTag("title"))) == AppName {
				t.Error("page has no title of its own")
			}
			if n := findAll(doc, byTag("h1")); len(n) != 1 {
				t.Errorf("want one h1, got %d", len(n))
			}
			prev := 0
			for _, h := range findAll(doc, func(n *html.Node) bool {
				return len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6'
			}) {
				if lvl := int(h.Data[1] - '0'); lvl > prev+1 {
					t.Errorf("<%s> %q follows h%d", h.Data, text(h), prev)
				} else {
					prev = lvl
				}
			}
			ids := map[string]bool{}
			for _, n := range findAll(doc, func(*html.Node) bool { return true }) {
				for _, a := range n.Attr {
					if a.Key == "style" || strings.HasPrefix(a.Key, "on") || strings.HasPrefix(a.Key, "hx-on") {
						t.Errorf("<%s> has inline %s", n.Data, a.Key)
					}
					if (a.Key == "hx-vals" || a.Key == "hx-trigger") && strings.Contains(a.Val, "js:") {
						t.Errorf("<%s> %s uses eval", n.Data, a.Key)
					}
				}
				if id, ok := attr(n, "id"); ok {
					if ids[id] {
						t.Errorf("duplicate id %q", id)
					}
					ids[id] = true
				}
			}
			for _, s := range findAll(doc, byTag("script")) {
				if s.FirstChild != nil {
					t.Error("inline script")
				}
			}
			if n := findAll(doc, byTag("style")); len(n) != 0 {
				t.Error("<style> element")
			}
			for _, form := range findAll(doc, byTag("form")) {
				id, _ := attr(form, "id")
				tid, _ := attr(form, "data-testid")
				if tid == "" {
					t.Errorf("form %q has no data-testid", id)
				}
				if !strings.HasPrefix(tid, "logout-form") && id == "" {
					t.Errorf("form %q has no id", tid)
				}
				if m, _ := attr(form, "method"); m != "post" {
					t.Errorf("form %q method = %q", tid, m)
				}
				csrf := findAll(form, byAttr("name", "_csrf"))
				if len(csrf) != 1 {
					t.Errorf("form %q has %d _csrf inputs", tid, len(csrf))
				} else if v, _ := attr(csrf[0], "value"); v != testCSRF {
					t.Errorf("form %q _csrf = %q", tid, v)
				}
				if hx, ok := attr(form, "hx-post"); ok {
					if a, _ := attr(form, "action"); a != hx {
						t.Errorf("form %q hx-post %q != action %q", tid, hx, a)
					}
				}
				// Buttons elsewhere may submit this form through form="id".
				if n := findAll(form, func(n *html.Node) bool { ty, _ := attr(n, "type"); return n.Data == "button" && ty == "submit" }); len(n) == 0 {
					if id == "" || len(findAll(doc, byAttr("form", id))) == 0 {
						t.Errorf("form %q has no submit button", tid)
					}
				}
			}
			for _, btn := range findAll(doc, func(n *html.Node) bool { ty, _ := attr(n, "type"); return n.Data == "button" && ty == "submit" }) {
				tid, _ := attr(btn, "data-testid")
				inLogout := false
				for p := btn.Parent; p != nil; p = p.Parent {
					if v, _ := attr(p, "data-testid"); strings.HasPrefix(v, "logout-form") {
						inLogout = true
					}
				}
				if !inLogout && !strings.HasPrefix(tid, "submit-") {
					t.Errorf("submit button %q lacks a submit-… data-testid", text(btn))
				}
			}
			checkLabels(t, doc)
		})
	}
}

func TestShortUserAgent(t *testing.T) {
	for ua, want := range map[string]string{
		"": "Unknown browser",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0": "Edge on Windows",
		"Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0":                                                        "Firefox on Linux",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15":         "Safari on macOS",
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36":             "Chrome on Android",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148":     "Chrome on iPhone",
		"curl/8.5.0":           "curl",
		"python-requests/2.31": "python-requests/2.31",
	} {
		if got := shortUserAgent(ua); got != want {
			t.Errorf("shortUserAgent(%q) = %q, want %q", ua, got, want)
		}
	}
}
