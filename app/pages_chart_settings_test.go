package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"alpacawrapper/models"
)

// TestChartSettings: a signed-in person's chart indicators are remembered by POST /settings/chart
// (JSON, with the CSRF header) and start their next chart when its URL names none; a URL's ind=
// still wins; bad input is refused with a message, never stored.
func TestChartSettings(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	seedSimAssets(t, a)
	u := a.createUser("charts@example.com", goodPassword)
	b := a.browser()
	b.login("charts@example.com", goodPassword)
	b.get("/chart/AAPL")
	const saved = "sma:20,sma:200;c=f59e0b,rsi:21;lv=25-75;n=My%20RSI"

	save := func(t *testing.T, body, token string) (*http.Response, string) {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, "/settings/chart", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		if token != "" {
			req.Header.Set("X-CSRF-Token", token)
		}
		return b.send(req)
	}
	stored := func(t *testing.T) string {
		t.Helper()
		ind, err := models.ChartIndicatorsOf(context.Background(), a.db.Gorm, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return ind
	}
	indAttr := func(body string) string {
		const key = `data-ind="`
		i := strings.Index(body, key)
		if i < 0 {
			return "<missing>"
		}
		rest := body[i+len(key):]
		return rest[:strings.IndexByte(rest, '"')]
	}

	t.Run("without the CSRF token", func(t *testing.T) {
		if resp, _ := save(t, `{"indicators":"sma:5"}`, ""); resp.StatusCode != http.StatusForbidden {
			t.Errorf("status %d, want 403", resp.StatusCode)
		}
		if got := stored(t); got != "" {
			t.Errorf("stored %q", got)
		}
	})
	t.Run("saved", func(t *testing.T) {
		body, _ := json.Marshal(chartSettingsJSON{Indicators: saved})
		resp, text := save(t, string(body), b.csrf)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, text)
		}
		if got := stored(t); got != saved {
			t.Errorf("stored %q", got)
		}
	})
	t.Run("the next chart starts with them", func(t *testing.T) {
		_, body := b.get("/chart/MSFT")
		if got := indAttr(body); got != strings.ReplaceAll(saved, "&", "&amp;") {
			t.Errorf("data-ind = %q", got)
		}
		if !strings.Contains(body, `data-save-url="/settings/chart"`) {
			t.Error("no save URL for a signed-in person")
		}
	})
	t.Run("a URL's ind= wins", func(t *testing.T) {
		for path, want := range map[string]string{"/chart/MSFT?ind=ema:9": "ema:9", "/chart/MSFT?ind=": ""} {
			if _, body := b.get(path); indAttr(body) != want {
				t.Errorf("%s: data-ind = %q, want %q", path, indAttr(body), want)
			}
		}
	})
	t.Run("bad input", func(t *testing.T) {
		for name, body := range map[string]string{
			"too long":          `{"indicators":"` + strings.Repeat("sma:20,", 600) + `"}`,
			"control character": `{"indicators":"sma:20\u0007"}`,
			"not a string":      `{"indicators":42}`,
			"not JSON":          `indicators=sma`,
		} {
			resp, text := save(t, body, b.csrf)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text, "indicators") && !strings.Contains(text, "JSON") {
				t.Errorf("%s: status %d: %s", name, resp.StatusCode, text)
			}
		}
		if got := stored(t); got != saved {
			t.Errorf("stored %q after refusals", got)
		}
	})
	t.Run("a guest has nothing to save to", func(t *testing.T) {
		_, body := a.browser().get("/chart/MSFT")
		if indAttr(body) != "" || strings.Contains(body, `data-save-url="/`) {
			t.Errorf("a guest's chart: data-ind %q, save URL shown %v", indAttr(body), strings.Contains(body, `data-save-url="/`))
		}
	})
}
