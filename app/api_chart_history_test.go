package app

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestAPIHistory: opening a chart asks for the symbol's history; a second symbol beyond the
// person's bound is refused with a 429 that says why, and the progress is readable by anyone.
func TestAPIHistory(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, map[string]string{"BACKFILL_MAX_PER_PERSON": "1", "BACKFILL_MAX_TOTAL": "5"})
	seedSimAssets(t, a)
	post := func(path string) (*http.Response, map[string]any) {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, path, nil)
		req.Header.Set("Accept", "application/json")
		resp, body := a.do(req)
		out := map[string]any{}
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("POST %s: %d %s", path, resp.StatusCode, body)
		}
		return resp, out
	}

	_, _, before := a.get("/api/v1/assets/BTC%2FUSD/history")
	if before["status"] != "none" || before["loading"] != false || before["percent"] != float64(0) {
		t.Errorf("a symbol never loaded: %v", before)
	}
	resp, out := post("/api/v1/assets/BTC%2FUSD/history")
	if resp.StatusCode != http.StatusAccepted || out["status"] != "pending" || out["loading"] != true || out["symbol"] != "BTC/USD" {
		t.Errorf("first request: %d %v", resp.StatusCode, out)
	}
	if resp, out := post("/api/v1/assets/BTC%2FUSD/history"); resp.StatusCode != http.StatusAccepted || out["loading"] != true {
		t.Errorf("the same symbol again: %d %v", resp.StatusCode, out)
	}
	resp, out = post("/api/v1/assets/ETH%2FUSD/history")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || out["code"] != "backfill_limit_person" ||
		out["detail"] != "You are already loading the history of 1 symbol, the most one person may at once. Open this chart again when one of them has finished." {
		t.Errorf("beyond the person's bound: %d %v", resp.StatusCode, out)
	}
	if resp, _ := post("/api/v1/assets/NOSUCH/history"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown symbol: %d", resp.StatusCode)
	}
	_, _, after := a.get("/api/v1/assets/BTC%2FUSD/history")
	if after["status"] != "pending" || after["loading"] != true {
		t.Errorf("progress once queued: %v", after)
	}
}
