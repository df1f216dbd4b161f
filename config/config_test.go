package config

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) LookupFunc {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

const strongKey = "k3J9xq2LmP8vR5tZ1wB7nC4yH6dF0sGa-Qe"

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatalf("Load with no variables: %v", err)
	}
	if c.Env != Development || c.Addr() != "127.0.0.1:8080" || c.BaseURL != "http://127.0.0.1:8080" {
		t.Errorf("defaults: env=%s addr=%s base=%s", c.Env, c.Addr(), c.BaseURL)
	}
	if !c.UsesEmbeddedDatabase() || !c.MigrateOnStart || c.LogLevel != slog.LevelDebug || c.LogFormat != "text" {
		t.Errorf("development defaults wrong: %+v", c)
	}
	if !c.HasRole(RoleWeb) || !c.HasRole(RoleWorker) {
		t.Errorf("serve runs every role by default, got %v", c.Roles)
	}
	if c.ShutdownTimeout != 15*time.Second {
		t.Errorf("shutdown timeout = %s", c.ShutdownTimeout)
	}
}

func TestLoadPerEnvironmentDefaults(t *testing.T) {
	t.Parallel()
	test, err := Load(env(map[string]string{"APP_ENV": "test"}))
	if err != nil {
		t.Fatal(err)
	}
	if test.LogLevel != slog.LevelWarn || !test.UsesEmbeddedDatabase() {
		t.Errorf("test defaults: level=%s embedded=%v", test.LogLevel, test.UsesEmbeddedDatabase())
	}
	prod, err := Load(env(map[string]string{
		"APP_ENV": "production", "DATABASE_URL": "postgres://u:p@db/app", "SECRET_KEY": strongKey, "SMTP_HOST": "smtp.example.com",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if prod.LogFormat != "json" || prod.MigrateOnStart || prod.UsesEmbeddedDatabase() || !prod.IsProduction() {
		t.Errorf("production defaults wrong: %+v", prod)
	}
}

func TestLoadGoodValues(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{
		"HOST": "0.0.0.0", "PORT": "9000", "BASE_URL": "https://trade.example.com/",
		"LOG_LEVEL": "warn", "LOG_FORMAT": "JSON", "ROLES": "worker, worker", "WORKER_CONCURRENCY": "4",
		"MIGRATE_ON_START": "false", "SHUTDOWN_TIMEOUT": "30s", "RATE_LIMIT_AUTH": "5/1h", "TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1",
		"DATABASE_URL": "postgresql://localhost/app",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr() != "0.0.0.0:9000" || c.BaseURL != "https://trade.example.com" || c.LogFormat != "json" {
		t.Errorf("parsed: addr=%s base=%s format=%s", c.Addr(), c.BaseURL, c.LogFormat)
	}
	if len(c.Roles) != 1 || c.HasRole(RoleWeb) || !c.HasRole(RoleWorker) {
		t.Errorf("roles = %v, want only worker", c.Roles)
	}
	if c.AuthRate != (Rate{Limit: 5, Window: time.Hour}) {
		t.Errorf("rate = %+v", c.AuthRate)
	}
	if c.MigrateOnStart || c.ShutdownTimeout != 30*time.Second || len(c.TrustedProxies) != 2 || c.UsesEmbeddedDatabase() {
		t.Errorf("parsed: %+v", c)
	}
}

func TestLoadBadValuesNameTheVariable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, variable, value, want string
	}{
		{"env", "APP_ENV", "staging", "APP_ENV=\"staging\": must be one of development, test, production"},
		{"port not a number", "PORT", "http", "PORT=\"http\": must be a whole number from 1 to 65535"},
		{"port too big", "PORT", "70000", "must be a whole number from 1 to 65535"},
		{"level", "LOG_LEVEL", "loud", "LOG_LEVEL=\"loud\": must be one of debug, info, warn, error"},
		{"format", "LOG_FORMAT", "xml", "must be one of text, json"},
		{"bool", "MIGRATE_ON_START", "sometimes", "MIGRATE_ON_START=\"sometimes\": must be true or false"},
		{"duration", "SHUTDOWN_TIMEOUT", "10", "must be a positive duration"},
		{"role", "ROLES", "web,matcher", "ROLES=\"matcher\": each role must be one of web, worker, feed"},
		{"base url", "BASE_URL", "trade.example.com", "BASE_URL=\"trade.example.com\": must be an absolute"},
		{"proxy", "TRUSTED_PROXIES", "10.0.0.0/33", "TRUSTED_PROXIES: \"10.0.0.0/33\" is neither"},
		{"rate", "RATE_LIMIT_AUTH", "ten per minute", "RATE_LIMIT_AUTH=\"ten per minute\": must look like 10/15m"},
		{"mail from", "MAIL_FROM", "nobody", "MAIL_FROM=\"nobody\": must be an address"},
		{"database url", "DATABASE_URL", "mysql://root:hunter2@db/app", "DATABASE_URL: must be a postgres://"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(map[string]string{tc.variable: tc.value}))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error leaks a secret: %v", err)
			}
		})
	}
}

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{"PORT": "0", "LOG_LEVEL": "x", "DB_MAX_CONNS": "1"}))
	if err == nil {
		t.Fatal("want an error")
	}
	if lines := strings.Split(err.Error(), "\n"); len(lines) != 3 {
		t.Errorf("want one line per bad variable, got %d:\n%v", len(lines), err)
	}
}

func TestProductionRefusesUnsafeSettings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"no database", map[string]string{"SECRET_KEY": strongKey}, "DATABASE_URL: required in production"},
		{"no secret", map[string]string{"DATABASE_URL": "postgres://db/app"}, "SECRET_KEY: required in production"},
		{"short secret", map[string]string{"DATABASE_URL": "postgres://db/app", "SECRET_KEY": "changeme"}, "SECRET_KEY: too short"},
		{"dev secret", map[string]string{"DATABASE_URL": "postgres://db/app", "SECRET_KEY": developmentSecretKey}, "development key is not allowed"},
		{"no smtp", map[string]string{"DATABASE_URL": "postgres://db/app", "SECRET_KEY": strongKey}, "SMTP_HOST: required in production"},
		{"repetitive secret", map[string]string{"DATABASE_URL": "postgres://db/app", "SECRET_KEY": strings.Repeat("ab", 20)}, "too little variety"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.vars["APP_ENV"] = "production"
			_, err := Load(env(tc.vars))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestSecretsFromFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(keyFile, []byte(strongKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{
		"APP_ENV": "production", "DATABASE_URL": "postgres://db/app", "SECRET_KEY_FILE": keyFile, "SMTP_HOST": "mail",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SecretKey != strongKey {
		t.Errorf("SECRET_KEY_FILE not read (trailing newline must be trimmed)")
	}

	_, err = Load(env(map[string]string{"SECRET_KEY_FILE": filepath.Join(dir, "missing")}))
	if err == nil || !strings.Contains(err.Error(), "SECRET_KEY_FILE=") {
		t.Errorf("missing file: %v", err)
	}
	_, err = Load(env(map[string]string{"SECRET_KEY": strongKey, "SECRET_KEY_FILE": keyFile}))
	if err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("both set: %v", err)
	}
}

func TestAlpacaSettings(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil || c.Alpaca.Enabled() || c.Alpaca.Feed != "iex" || c.Alpaca.SymbolLimit != 30 {
		t.Fatalf("defaults: %+v %v", c.Alpaca, err)
	}
	c, err = Load(env(map[string]string{"ALPACA_API_KEY_ID": "PKTEST", "ALPACA_API_SECRET_KEY": "secret",
		"ALPACA_DATA_URL": "http://127.0.0.1:9999/", "ALPACA_FEED": "sip"}))
	if err != nil || !c.Alpaca.Enabled() || c.Alpaca.DataURL != "http://127.0.0.1:9999" || c.Alpaca.Feed != "sip" {
		t.Errorf("set: %+v %v", c.Alpaca, err)
	}
	if _, err := Load(env(map[string]string{"ALPACA_API_KEY_ID": "PKTEST"})); err == nil || !strings.Contains(err.Error(), "set both") {
		t.Errorf("key without secret: %v", err)
	}
	if _, err := Load(env(map[string]string{"ALPACA_STREAM_URL": "stream.example"})); err == nil || !strings.Contains(err.Error(), "ALPACA_STREAM_URL") {
		t.Errorf("relative URL: %v", err)
	}
}

func TestLoadHistory(t *testing.T) {
	t.Parallel()
	t.Run("defaults: a year of minutes, twenty years of days", func(t *testing.T) {
		t.Parallel()
		c, err := Load(env(nil))
		if err != nil {
			t.Fatal(err)
		}
		if c.History != (History{Days: 365, DailyYears: 20, MaxPerPerson: 3, MaxTotal: 20}) {
			t.Errorf("history defaults %+v", c.History)
		}
		test, err := Load(env(map[string]string{"APP_ENV": "test"}))
		if err != nil {
			t.Fatal(err)
		}
		if test.History.Days != 30 || test.History.DailyYears != 0 {
			t.Errorf("test history defaults %+v", test.History)
		}
	})
	t.Run("set", func(t *testing.T) {
		t.Parallel()
		c, err := Load(env(map[string]string{"HISTORY_DAYS": "90", "HISTORY_DAILY_YEARS": "0", "BACKFILL_MAX_PER_PERSON": "1", "BACKFILL_MAX_TOTAL": "5"}))
		if err != nil {
			t.Fatal(err)
		}
		if c.History != (History{Days: 90, DailyYears: 0, MaxPerPerson: 1, MaxTotal: 5}) {
			t.Errorf("history %+v", c.History)
		}
	})
	for name, vars := range map[string]map[string]string{
		"HISTORY_DAYS":            {"HISTORY_DAYS": "0"},
		"HISTORY_DAILY_YEARS":     {"HISTORY_DAILY_YEARS": "51"},
		"BACKFILL_MAX_PER_PERSON": {"BACKFILL_MAX_PER_PERSON": "4", "BACKFILL_MAX_TOTAL": "3"},
	} {
		t.Run("refuses "+name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(vars))
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("error %v, want one naming %s", err, name)
			}
		})
	}
}

func TestLoadContact(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"CONTACT_EMAIL": "ops@example.com", "CONTACT_URL": "https://example.com/help"}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Contact.Email != "ops@example.com" || c.Contact.URL != "https://example.com/help" {
		t.Errorf("contact = %+v", c.Contact)
	}
	for name, value := range map[string]string{
		"CONTACT_EMAIL": "Ops <ops@example.com>", // a display name would not make a mailto link
		"CONTACT_URL":   "javascript:alert(1)",
	} {
		_, err := Load(env(map[string]string{name: value}))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: error %v, want one naming the variable", name, value, err)
		}
	}
}
