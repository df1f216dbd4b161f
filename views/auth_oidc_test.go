package views

import (
	"strings"
	"testing"
	"time"
)

var testProviders = []SignInProvider{{ID: "google", Name: "Google"}, {ID: "corp", Name: "Corp SSO"}}

func TestLoginShowsAContinueButtonPerProvider(t *testing.T) {
	p := Page{CSRFToken: testCSRF, SignInProviders: testProviders}
	_, doc := render(t, LoginPage(p, Form{}, "/portfolio"))
	for _, sp := range testProviders {
		btn := one(t, doc, sp.ID, byTestID("oidc-"+sp.ID))
		if got := strings.TrimSpace(text(btn)); got != "Continue with "+sp.Name {
			t.Errorf("button %q", got)
		}
		form := btn.Parent
		if v, _ := attr(form, "action"); v != "/auth/oidc/"+sp.ID {
			t.Errorf("action %q", v)
		}
		if v, _ := attr(form, "method"); v != "post" {
			t.Errorf("method %q", v)
		}
	}
	if n := len(findAll(doc, byAttr("value", "/portfolio"))); n != 3 { // two buttons and the password form
		t.Errorf("next carried by %d forms, want 3", n)
	}
	_, doc = render(t, SignupPage(p, Form{}))
	one(t, doc, "signup button", byTestID("oidc-google"))
}

func TestNoProvidersNoButtons(t *testing.T) {
	html, _ := render(t, LoginPage(Page{CSRFToken: testCSRF}, Form{}, ""))
	if strings.Contains(html, "oidc-buttons") {
		t.Error("buttons without providers")
	}
}

func TestSettingsNavListsSignInMethodsWithProviders(t *testing.T) {
	_, doc := render(t, SettingsNav(Page{SignInProviders: testProviders}, "sign-in"))
	cur := one(t, doc, "current", byAttr("aria-current", "page"))
	if v, _ := attr(cur, "href"); v != "/settings/sign-in" {
		t.Errorf("current = %q", v)
	}
	html, _ := render(t, SettingsNav(Page{}, "profile"))
	if strings.Contains(html, "/settings/sign-in") {
		t.Error("the sign-in methods link shows with no provider")
	}
}

func TestSignInMethodsPage(t *testing.T) {
	p := Page{CSRFToken: testCSRF, SignInProviders: testProviders}
	v := SignInMethodsView{Location: time.UTC, CanUnlink: true,
		Identities: []IdentityRow{{ID: 7, ProviderName: "Google", Email: "ada@example.com", LinkedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}}}
	_, doc := render(t, SignInMethodsPage(p, v))
	one(t, doc, "no password", byTestID("no-password"))
	unlink := one(t, doc, "unlink", byTestID("unlink-identity")).Parent
	if a, _ := attr(unlink, "action"); a != "/settings/sign-in/7/unlink" {
		t.Errorf("unlink action %q", a)
	}
	link := one(t, doc, "link corp", byTestID("link-corp")).Parent
	if a, _ := attr(link, "action"); a != "/settings/sign-in/corp/link" {
		t.Errorf("link action %q", a)
	}
	v.CanUnlink = false
	_, doc = render(t, SignInMethodsPage(p, v))
	one(t, doc, "blocked", byTestID("unlink-blocked"))
}
