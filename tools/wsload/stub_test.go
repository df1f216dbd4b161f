package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// stubMarket is a tiny stand-in for the application's /ws/market and asset list, following the
// JSON contract: it acknowledges a subscription, then sends every subscribed symbol's quote, stamped
// now, in one array frame every 50 ms. It counts the distinct source addresses it saw.
func stubMarket(t *testing.T, origins *atomic.Int64) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/assets", func(w http.ResponseWriter, r *http.Request) {
		assets := []map[string]any{}
		if r.URL.Query().Get("class") == "crypto" {
			for _, s := range []string{"BTC/USD", "ETH/USD", "SOL/USD"} {
				assets = append(assets, map[string]any{"symbol": s, "active": true})
			}
		} else {
			for _, s := range []string{"AAPL", "MSFT", "NVDA", "AMZN", "META", "TSLA", "OLD"} {
				assets = append(assets, map[string]any{"symbol": s, "active": s != "OLD"})
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"assets": assets, "total": len(assets)})
	})
	mux.HandleFunc("GET /ws/market", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Origin") == "" {
			http.Error(w, "origin", http.StatusForbidden)
			return
		}
		origins.Add(1)
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := r.Context()
		_, data, err := c.Read(ctx)
		if err != nil {
			return
		}
		var sub struct {
			Type    string   `json:"type"`
			Symbols []string `json:"symbols"`
		}
		if json.Unmarshal(data, &sub) != nil || sub.Type != "subscribe" {
			_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"error","message":"expected subscribe"}`))
			return
		}
		ack, _ := json.Marshal(map[string]any{"type": "subscribed", "symbols": sub.Symbols})
		if c.Write(ctx, websocket.MessageText, ack) != nil {
			return
		}
		readCtx := c.CloseRead(ctx)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-readCtx.Done():
				return
			case <-tick.C:
			}
			now := time.Now().UTC().Format(time.RFC3339Nano)
			msgs := make([]map[string]string, 0, len(sub.Symbols))
			for _, s := range sub.Symbols {
				msgs = append(msgs, map[string]string{"type": "quote", "symbol": s, "bid": "1.00", "ask": "1.01",
					"bid_size": "1", "ask_size": "1", "time": now})
			}
			frame, _ := json.Marshal(msgs)
			if c.Write(readCtx, websocket.MessageText, frame) != nil {
				return
			}
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestRunAgainstStub drives the whole client side (-url mode) against the stub: every client
// connects from its own spread of loopback addresses, subscribes, receives, and none is starved.
func TestRunAgainstStub(t *testing.T) {
	t.Parallel()
	var conns atomic.Int64
	srv := stubMarket(t, &conns)
	cfg, err := parseConfig([]string{"-url", srv.URL, "-clients", "40", "-symbols", "6", "-per-ip", "4",
		"-warmup", "200ms", "-duration", "1s", "-rate", "0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.connected != 40 || res.heldAtEnd != 40 || res.subscribed != 40 {
		t.Errorf("connected %d, held %d, subscribed %d; want 40 each (errors: %v)", res.connected, res.heldAtEnd, res.subscribed, res.errors)
	}
	if res.starved != 0 {
		t.Errorf("%d starved clients", res.starved)
	}
	// 40 clients × 20 frames/s × 6 quotes for about a second.
	if res.quotes < 40*6*10 || res.frames < 40*10 {
		t.Errorf("quotes %d, frames %d: far fewer than the stub sent", res.quotes, res.frames)
	}
	if res.samples != res.quotes || res.rawP99 <= 0 || res.rawP99 > time.Second {
		t.Errorf("latency samples %d for %d quotes, p99 %v", res.samples, res.quotes, res.rawP99)
	}
	if res.badFrames != 0 || res.errorMsgs != 0 {
		t.Errorf("bad frames %d, error messages %d: %v", res.badFrames, res.errorMsgs, res.errors)
	}
	if !res.pass(cfg) {
		t.Errorf("stub run did not pass the targets: %+v", res)
	}
}

func TestParseConfigRefusesRemote(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-url", "http://192.168.1.10:8080"},
		{"-per-ip", "21"},
		{"-symbols", "51"},
		{"-clients", "0"},
		{"-duration", "1h"},
	} {
		if _, err := parseConfig(args); err == nil {
			t.Errorf("parseConfig(%q) accepted", args)
		}
	}
}

// TestRunSpreadsClientsOverSeveralServers: with several -url servers (the web processes of a
// scaled-out deployment) the clients are spread evenly and each server's share is reported.
func TestRunSpreadsClientsOverSeveralServers(t *testing.T) {
	t.Parallel()
	var connsA, connsB atomic.Int64
	a, b := stubMarket(t, &connsA), stubMarket(t, &connsB)
	cfg, err := parseConfig([]string{"-url", a.URL + "," + b.URL + "/", "-clients", "30", "-symbols", "4", "-per-ip", "4",
		"-warmup", "200ms", "-duration", "1s", "-rate", "0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if connsA.Load() != 15 || connsB.Load() != 15 {
		t.Errorf("connections per server = %d and %d, want 15 each", connsA.Load(), connsB.Load())
	}
	if len(res.groups) != 2 {
		t.Fatalf("%d per-server results, want 2", len(res.groups))
	}
	for i, g := range res.groups {
		if g.clients != 15 || g.held != 15 || g.starved != 0 || g.rawP99 <= 0 {
			t.Errorf("server %d (%s): %+v, want 15 clients held, none starved, latencies measured", i, g.base, g)
		}
	}
	if res.heldAtEnd != 30 || res.starved != 0 {
		t.Errorf("held %d, starved %d; want 30 and 0", res.heldAtEnd, res.starved)
	}
}

func TestParseConfigWeb(t *testing.T) {
	t.Parallel()
	if _, err := parseConfig([]string{"-web", "3", "-url", "http://127.0.0.1:1"}); err == nil {
		t.Error("-web with -url accepted")
	}
	for _, n := range []string{"-1", "17"} {
		if _, err := parseConfig([]string{"-web", n}); err == nil {
			t.Errorf("-web %s accepted", n)
		}
	}
	cfg, err := parseConfig([]string{"-url", "http://127.0.0.1:1,http://[::1]:2/"})
	if err != nil || len(cfg.webURLs) != 2 || cfg.webURLs[1] != "http://[::1]:2" {
		t.Errorf("two URLs parsed as %q (%v)", cfg.webURLs, err)
	}
	if _, err := parseConfig([]string{"-url", "http://127.0.0.1:1,http://10.0.0.1:2"}); err == nil {
		t.Error("a remote second URL accepted")
	}
}
