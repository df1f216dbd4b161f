package app

import (
	"net/http"
	"regexp"
	"testing"
)

// suggestedSymbols are the symbols of a suggestion list's options, in order.
var suggestedSymbols = regexp.MustCompile(`role="option"[^>]*data-symbol="([^"]+)"`)

func TestSymbolSuggest(t *testing.T) {
	a := newTestApp(t, nil)
	seedSimAssets(t, a)
	b := a.browser()

	t.Run("ranked as the search page: symbol prefix first", func(t *testing.T) {
		res, body := b.get("/search/suggest?q=msf")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		m := suggestedSymbols.FindAllStringSubmatch(body, -1)
		if len(m) == 0 || m[0][1] != "MSFT" {
			t.Fatalf("suggestions for msf: %v", m)
		}
		if len(m) > suggestLimit {
			t.Errorf("%d suggestions, want at most %d", len(m), suggestLimit)
		}
	})
	t.Run("by name, an exact symbol marked", func(t *testing.T) {
		_, body := b.get("/search/suggest?q=btcusd")
		m := suggestedSymbols.FindAllStringSubmatch(body, -1)
		if len(m) == 0 || m[0][1] != "BTC/USD" {
			t.Fatalf("suggestions for btcusd: %v", m)
		}
		if !regexp.MustCompile(`data-symbol="BTC/USD"[^>]*data-exact`).MatchString(body) {
			t.Error("BTC/USD is not marked as the exact symbol")
		}
	})
	t.Run("nothing typed, nothing suggested", func(t *testing.T) {
		res, body := b.get("/search/suggest?q=%20")
		if res.StatusCode != http.StatusOK || suggestedSymbols.MatchString(body) {
			t.Fatalf("status %d, body %q", res.StatusCode, body)
		}
	})
	t.Run("an exact symbol opens its instrument", func(t *testing.T) {
		res, _ := b.get("/search?q=msft")
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/instruments/MSFT" {
			t.Fatalf("status %d, location %q", res.StatusCode, res.Header.Get("Location"))
		}
	})
	t.Run("other text opens the results", func(t *testing.T) {
		res, _ := b.get("/search?q=micro")
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/instruments?q=micro" {
			t.Fatalf("status %d, location %q", res.StatusCode, res.Header.Get("Location"))
		}
	})
}
