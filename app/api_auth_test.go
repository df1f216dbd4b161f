package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// api sends a JSON request with optional headers (name, value, name, value…).
func (a *testApp) api(method, path string, body any, headers ...string) (*http.Response, map[string]any) {
	a.t.Helper()
	var reader *strings.Reader
	switch b := body.(type) {
	case nil:
		reader = strings.NewReader("")
	case string:
		reader = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		reader = strings.NewReader(string(raw))
	}
	req := httptest.NewRequest(method, path, reader)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, raw := a.do(req)
	out := map[string]any{}
	_ = json.Unmarshal([]byte(raw), &out)
	return resp, out
}

func (a *testApp) tokens(email, password string) (access, refresh string) {
	a.t.Helper()
	resp, out := a.api(http.MethodPost, "/api/v1/auth/token", map[string]string{"email": email, "password": password})
	if resp.StatusCode != 200 {
		a.t.Fatalf("token: %d %v", resp.StatusCode, out)
	}
	return out["access"].(string), out["refresh"].(string)
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	a.createUser("ada@example.com", goodPassword)
	access, refresh := a.tokens("ada@example.com", goodPassword)

	resp, me := a.api(http.MethodGet, "/api/v1/me", nil, "Authorization", "Bearer "+access)
	if resp.StatusCode != 200 || me["email"] != "ada@example.com" {
		t.Fatalf("me: %d %v", resp.StatusCode, me)
	}
	if resp, out := a.api(http.MethodPost, "/api/v1/auth/verify", map[string]string{"token": access}); resp.StatusCode != 200 || out["valid"] != true {
		t.Errorf("verify: %d %v", resp.StatusCode, out)
	}

	t.Run("wrong password", func(t *testing.T) {
		resp, out := a.api(http.MethodPost, "/api/v1/auth/token", map[string]string{"email": "ada@example.com", "password": "not the password"})
		if resp.StatusCode != 401 || out["code"] != "invalid_credentials" || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%d %v", resp.StatusCode, out)
		}
	})
	t.Run("bad input is a 422 naming the field, never a 500", func(t *testing.T) {
		for _, body := range []string{`{"email": 42, "password": "x"}`, `{"email":`, `[]`} {
			resp, out := a.api(http.MethodPost, "/api/v1/auth/token", body)
			if resp.StatusCode != 422 || out["detail"] == "" {
				t.Errorf("%s: %d %v", body, resp.StatusCode, out)
			}
		}
	})
	t.Run("a refresh token used twice revokes its family", func(t *testing.T) {
		resp, first := a.api(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh": refresh})
		if resp.StatusCode != 200 {
			t.Fatalf("first refresh: %d %v", resp.StatusCode, first)
		}
		resp, out := a.api(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh": refresh})
		if resp.StatusCode != 401 || out["code"] != "token_reused" {
			t.Fatalf("reuse: %d %v", resp.StatusCode, out)
		}
		if resp, _ := a.api(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh": first["refresh"].(string)}); resp.StatusCode != 401 {
			t.Errorf("the rotated token of a revoked family still works: %d", resp.StatusCode)
		}
		if resp, _ := a.api(http.MethodGet, "/api/v1/me", nil, "Authorization", "Bearer "+first["access"].(string)); resp.StatusCode != 401 {
			t.Errorf("the family's access token still works: %d", resp.StatusCode)
		}
	})
	t.Run("logout", func(t *testing.T) {
		access, refresh := a.tokens("ada@example.com", goodPassword)
		if resp, _ := a.api(http.MethodPost, "/api/v1/auth/logout", map[string]string{"refresh": refresh}); resp.StatusCode != 204 {
			t.Fatalf("logout: %d", resp.StatusCode)
		}
		if resp, _ := a.api(http.MethodGet, "/api/v1/me", nil, "Authorization", "Bearer "+access); resp.StatusCode != 401 {
			t.Errorf("access after logout: %d", resp.StatusCode)
		}
	})
	t.Run("access tokens last 15 minutes", func(t *testing.T) {
		access, _ := a.tokens("ada@example.com", goodPassword)
		a.clock.Advance(15*time.Minute + time.Second)
		if resp, out := a.api(http.MethodGet, "/api/v1/me", nil, "Authorization", "Bearer "+access); resp.StatusCode != 401 || out["code"] != "token_expired" {
			t.Errorf("expired: %d %v", resp.StatusCode, out)
		}
	})
	t.Run("the session cookie is not an API credential", func(t *testing.T) {
		b := a.browser()
		b.login("ada@example.com", goodPassword)
		if resp, _ := b.get("/api/v1/me"); resp.StatusCode != 401 {
			t.Errorf("cookie-only API call: %d", resp.StatusCode)
		}
	})
}

func TestAPICredentialsDieWithThePassword(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	u := a.createUser("ada@example.com", goodPassword)
	access, refresh := a.tokens("ada@example.com", goodPassword)
	if err := a.svc.Accounts.ChangePassword(context.Background(), u.ID, goodPassword, "new passphrase 2026", "new passphrase 2026", nil); err != nil {
		t.Fatal(err)
	}
	if resp, _ := a.api(http.MethodGet, "/api/v1/me", nil, "Authorization", "Bearer "+access); resp.StatusCode != 401 {
		t.Errorf("access token after a password change: %d", resp.StatusCode)
	}
	if resp, _ := a.api(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh": refresh}); resp.StatusCode != 401 {
		t.Errorf("refresh token after a password change: %d", resp.StatusCode)
	}
}

var keyIDPattern = regexp.MustCompile(`data-testid="new-key-id"[^>]*>\s*([A-Z0-9]{20})`)
var secretPattern = regexp.MustCompile(`data-testid="new-key-secret"[^>]*>\s*([A-Za-z0-9]{40})`)

func createKey(t *testing.T, b *browser, label string) (keyID, secret string) {
	t.Helper()
	b.get("/settings/api-keys")
	resp, body := b.post("/settings/api-keys", url.Values{"label": {label}})
	if resp.StatusCode != 200 {
		t.Fatalf("create key: %d", resp.StatusCode)
	}
	id, sec := keyIDPattern.FindStringSubmatch(body), secretPattern.FindStringSubmatch(body)
	if id == nil || sec == nil {
		t.Fatalf("the new key is not shown:\n%s", body)
	}
	return id[1], sec[1]
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	ada := a.createUser("ada@example.com", goodPassword)
	a.createUser("bob@example.com", goodPassword)
	adaB, bobB := a.browser(), a.browser()
	adaB.login("ada@example.com", goodPassword)
	bobB.login("bob@example.com", goodPassword)

	keyID, secret := createKey(t, adaB, "trading bot")
	if resp, me := a.api(http.MethodGet, "/api/v1/me", nil, "APCA-API-KEY-ID", keyID, "APCA-API-SECRET-KEY", secret); resp.StatusCode != 200 || me["email"] != "ada@example.com" {
		t.Fatalf("key auth: %d %v", resp.StatusCode, me)
	}
	_, page := adaB.get("/settings/api-keys")
	if !strings.Contains(page, keyID) || strings.Contains(page, secret) {
		t.Error("the list shows the key id and never the secret again")
	}
	if n := countRows(t, a, "SELECT count(*) FROM api_keys WHERE encode(secret_hash, 'escape') LIKE ?", "%"+secret+"%"); n != 0 {
		t.Error("the secret is stored in clear")
	}

	t.Run("validation", func(t *testing.T) {
		resp, body := adaB.post("/settings/api-keys", url.Values{"label": {""}})
		if resp.StatusCode != 422 || !strings.Contains(body, `data-testid="error-label"`) {
			t.Errorf("empty label: %d", resp.StatusCode)
		}
	})
	t.Run("bob cannot see or revoke ada's key", func(t *testing.T) {
		_, bobsPage := bobB.get("/settings/api-keys")
		if strings.Contains(bobsPage, keyID) {
			t.Error("bob sees ada's key")
		}
		var id int64
		a.db.Gorm.Raw("SELECT id FROM api_keys WHERE key_id = ?", keyID).Scan(&id)
		resp, _ := bobB.post("/settings/api-keys/"+itoa(id)+"/revoke", nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("bob revoking: %d, want 404", resp.StatusCode)
		}
		if resp, _ := a.api(http.MethodGet, "/api/v1/me", nil, "APCA-API-KEY-ID", keyID, "APCA-API-SECRET-KEY", secret); resp.StatusCode != 200 {
			t.Error("ada's key stopped working")
		}
	})
	t.Run("a disabled user's key stops at once", func(t *testing.T) {
		if err := a.svc.Accounts.SetActive(context.Background(), ada.ID, false); err != nil {
			t.Fatal(err)
		}
		if resp, _ := a.api(http.MethodGet, "/api/v1/me", nil, "APCA-API-KEY-ID", keyID, "APCA-API-SECRET-KEY", secret); resp.StatusCode != 401 {
			t.Errorf("disabled user's key: %d", resp.StatusCode)
		}
		_ = a.svc.Accounts.SetActive(context.Background(), ada.ID, true)
	})
	t.Run("revoke", func(t *testing.T) {
		adaB.login("ada@example.com", goodPassword)
		var id int64
		a.db.Gorm.Raw("SELECT id FROM api_keys WHERE key_id = ?", keyID).Scan(&id)
		adaB.get("/settings/api-keys")
		if resp, _ := adaB.post("/settings/api-keys/"+itoa(id)+"/revoke", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
		if resp, _ := a.api(http.MethodGet, "/api/v1/me", nil, "APCA-API-KEY-ID", keyID, "APCA-API-SECRET-KEY", secret); resp.StatusCode != 401 {
			t.Errorf("revoked key: %d", resp.StatusCode)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestTokenRateLimit(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, map[string]string{"RATE_LIMIT_AUTH": "2/5m"})
	a.createUser("ada@example.com", goodPassword)
	for i := 0; i < 2; i++ {
		a.api(http.MethodPost, "/api/v1/auth/token", map[string]string{"email": "ada@example.com", "password": "wrong password!"})
	}
	resp, out := a.api(http.MethodPost, "/api/v1/auth/token", map[string]string{"email": "ada@example.com", "password": goodPassword})
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || out["code"] != "rate_limited" {
		t.Errorf("3rd attempt: %d %v", resp.StatusCode, out)
	}
}
