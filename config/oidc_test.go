package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOIDCNoneByDefault(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.OIDC) != 0 || len(c.OIDCOrigins()) != 0 || c.OIDCClockSkew != time.Minute {
		t.Errorf("providers %v, origins %v, skew %s; want none and 1m", c.OIDC, c.OIDCOrigins(), c.OIDCClockSkew)
	}
}

func TestOIDCProviders(t *testing.T) {
	t.Parallel()
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("corp-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{
		"OIDC_PROVIDERS":        "google, corp-sso",
		"OIDC_GOOGLE_CLIENT_ID": "g-id", "OIDC_GOOGLE_CLIENT_SECRET": "g-secret",
		"OIDC_CORP_SSO_NAME": "Corp", "OIDC_CORP_SSO_ISSUER": "https://sso.corp.example/realms/x/",
		"OIDC_CORP_SSO_CLIENT_ID": "c-id", "OIDC_CORP_SSO_CLIENT_SECRET_FILE": secret,
		"OIDC_CLOCK_SKEW": "30s",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := []OIDCProvider{
		{ID: "google", Name: "Google", Issuer: "https://accounts.google.com", ClientID: "g-id", ClientSecret: "g-secret"},
		{ID: "corp-sso", Name: "Corp", Issuer: "https://sso.corp.example/realms/x", ClientID: "c-id", ClientSecret: "corp-secret"},
	}
	if len(c.OIDC) != 2 || c.OIDC[0] != want[0] || c.OIDC[1] != want[1] {
		t.Errorf("providers:\n got %+v\nwant %+v", c.OIDC, want)
	}
	if got := strings.Join(c.OIDCOrigins(), " "); got != "https://accounts.google.com https://sso.corp.example" {
		t.Errorf("origins %q", got)
	}
	if c.OIDCClockSkew != 30*time.Second {
		t.Errorf("skew %s", c.OIDCClockSkew)
	}
}

func TestOIDCValidation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		vars map[string]string
		want string
	}{
		{"bad id", map[string]string{"OIDC_PROVIDERS": "Bad_ID!"}, "OIDC_PROVIDERS"},
		{"listed twice", map[string]string{"OIDC_PROVIDERS": "google,google", "OIDC_GOOGLE_CLIENT_ID": "x", "OIDC_GOOGLE_CLIENT_SECRET": "y"}, "listed once"},
		{"no issuer", map[string]string{"OIDC_PROVIDERS": "corp", "OIDC_CORP_CLIENT_ID": "x", "OIDC_CORP_CLIENT_SECRET": "y"}, "OIDC_CORP_ISSUER: required"},
		{"no client", map[string]string{"OIDC_PROVIDERS": "google"}, "OIDC_GOOGLE_CLIENT_ID: required"},
		{"no secret", map[string]string{"OIDC_PROVIDERS": "google", "OIDC_GOOGLE_CLIENT_ID": "x"}, "OIDC_GOOGLE_CLIENT_SECRET"},
		{"secret twice", map[string]string{"OIDC_PROVIDERS": "google", "OIDC_GOOGLE_CLIENT_ID": "x", "OIDC_GOOGLE_CLIENT_SECRET": "y", "OIDC_GOOGLE_CLIENT_SECRET_FILE": "/f"}, "not both"},
		{"not a URL", map[string]string{"OIDC_PROVIDERS": "corp", "OIDC_CORP_ISSUER": "sso.corp", "OIDC_CORP_CLIENT_ID": "x", "OIDC_CORP_CLIENT_SECRET": "y"}, "OIDC_CORP_ISSUER"},
		{"plain http in production", map[string]string{"APP_ENV": "production", "OIDC_PROVIDERS": "corp", "OIDC_CORP_ISSUER": "http://sso.corp",
			"OIDC_CORP_CLIENT_ID": "x", "OIDC_CORP_CLIENT_SECRET": "y"}, "https:// in production"},
		{"skew too large", map[string]string{"OIDC_CLOCK_SKEW": "1h"}, "OIDC_CLOCK_SKEW"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(tc.vars))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one naming %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "\"y\"") {
				t.Error("the error shows a client secret")
			}
		})
	}
}
