package app

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/config"
	"alpacawrapper/process"
)

// The secrets the System test configures: each is a value that must never reach the page.
var systemSecrets = map[string]string{
	"SECRET_KEY":            "sekrit-signing-key-0123456789-abcdefghijklmnop",
	"STATUS_TOKEN":          "sekrit-status-token-0123456789abcdef",
	"SMTP_HOST":             "smtp.example.com",
	"SMTP_USERNAME":         "mailer",
	"SMTP_PASSWORD":         "sekrit-smtp-password",
	"MAIL_FROM":             "Alpaca Wrapper <no-reply@example.com>",
	"DATABASE_URL":          "postgres://app:sekrit-db-password@db.internal:5432/app?sslmode=require&password=sekrit-query",
	"ALPACA_API_KEY_ID":     "sekrit-alpaca-key-id",
	"ALPACA_API_SECRET_KEY": "sekrit-alpaca-secret",
}

func TestAdminSystemPage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, systemSecrets)
	if err := process.NewHeartbeat(process.HeartbeatOptions{DB: a.db.Gorm, Name: "web.7", Roles: []string{"web"},
		Clients: func() map[string]int64 { return map[string]int64{"live": 3} }}).Beat(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A handler that fails as a bug would, naming a host: the page must list it without the host.
	// It runs on a bare server of the same process (same error list), as routes cannot be added
	// behind the app's own.
	bare := newBareServer(ServerDeps{Config: a.srv.cfg, Logger: a.srv.log})
	bare.serverErrors = a.srv.serverErrors
	bare.Handler().Get("/test/boom", func(*fiber.Ctx) error { return errors.New("boom: dial host=db.internal failed") })
	failed := httptest.NewRequest(http.MethodGet, "/test/boom", nil)
	failed.Header.Set("Accept", "application/json")
	resp, err := bare.Handler().Test(failed, -1)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("the failing route answered %d", resp.StatusCode)
	}
	reqID := resp.Header.Get("X-Request-Id")
	_, admin := makeAdmin(t, a, "root@example.com")

	resp, body := admin.get("/admin/system")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("system page: %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{
		`data-testid="system-feed"`, `data-testid="feed-provider"`, `data-testid="feed-symbols"`, `data-testid="feed-reconnects"`,
		`data-testid="hub-subscribers"`, `data-testid="hub-coalesced"`, `data-testid="hub-dropped"`,
		`data-testid="matcher-resting"`, `data-testid="pool-in-use"`, `data-testid="system-migrations"`,
		`data-name="web.7"`, "live 3", `data-name="SecretKey"`, `data-name="SMTP.Password"`, `data-name="Alpaca.Feed"`,
		`data-request-id="` + reqID + `"`, "none pending",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if reqID == "" || !strings.Contains(body, "boom: dial [redacted] failed") {
		t.Errorf("the server error (request %q) is not listed with its host removed", reqID)
	}
	for name, secret := range systemSecrets {
		if strings.HasPrefix(secret, "sekrit") && strings.Contains(body, secret) {
			t.Errorf("%s's value is on the page", name)
		}
	}
	if strings.Contains(body, "sekrit-query") || strings.Contains(body, "sekrit-db-password") {
		t.Error("the database URL's password is on the page")
	}

	// htmx's poll gets the live part only, without the configuration.
	admin.htmx = true
	resp, body = admin.get("/admin/system")
	admin.htmx = false
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(body), `<div id="admin-system-live"`) ||
		strings.Contains(body, "system-config") {
		t.Errorf("htmx poll: %d\n%.300s", resp.StatusCode, body)
	}
}

// TestRedactedConfigHidesEverySecretField fills every text field of the configuration with a
// value of its own and checks that no field named like a secret shows its value, and that every
// other one does: a secret added to config.Config later is covered by its name.
func TestRedactedConfigHidesEverySecretField(t *testing.T) {
	t.Parallel()
	var cfg config.Config
	values := map[string]string{}
	var fill func(v reflect.Value, prefix string)
	fill = func(v reflect.Value, prefix string) {
		for i := range v.NumField() {
			f := v.Type().Field(i)
			switch {
			case !f.IsExported():
			case f.Type.Kind() == reflect.String:
				val := "value-of-" + prefix + f.Name
				v.Field(i).SetString(val)
				values[prefix+f.Name] = val
			case f.Type.Kind() == reflect.Struct:
				fill(v.Field(i), prefix+f.Name+".")
			}
		}
	}
	fill(reflect.ValueOf(&cfg).Elem(), "")
	entries := redactedConfig(cfg)
	shown := map[string]string{}
	for _, e := range entries {
		shown[e.Name] = e.Value
	}
	for name, val := range values {
		got, ok := shown[name]
		if !ok {
			t.Errorf("%s is not listed", name)
			continue
		}
		field := name[strings.LastIndex(name, ".")+1:]
		if secretField.MatchString(field) {
			if strings.Contains(got, val) || got != redacted {
				t.Errorf("secret %s shows %q", name, got)
			}
		} else if got != val {
			t.Errorf("%s shows %q, want %q", name, got, val)
		}
	}
	for _, must := range []string{"SecretKey", "StatusToken", "Alpaca.KeyID", "Alpaca.SecretKey", "SMTP.Password"} {
		if !secretField.MatchString(must[strings.LastIndex(must, ".")+1:]) {
			t.Errorf("%s is not treated as a secret", must)
		}
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgres://app:pw@db:5432/app":           "postgres://app:xxxxx@db:5432/app",
		"postgres://db/app?password=pw":           "postgres://db/app?…",
		"host=db user=app password=pw dbname=app": redacted,
		"https://paper-api.alpaca.markets":        "https://paper-api.alpaca.markets",
		"Alpaca Wrapper <no-reply@example.com>":   "Alpaca Wrapper <no-reply@example.com>",
	} {
		if got, _ := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
