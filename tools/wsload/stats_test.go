package main

import (
	"math/rand/v2"
	"net"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestQuantile(t *testing.T) {
	t.Parallel()
	var h histogram
	// 1..100 ms: p50 is 50 ms, p99 is 99 ms, to the 100 µs bucket's upper edge.
	for i := 1; i <= 100; i++ {
		h.add(time.Duration(i) * time.Millisecond)
	}
	tests := []struct {
		q    float64
		want time.Duration
	}{
		{0.50, 50*time.Millisecond + histResolution},
		{0.99, 99*time.Millisecond + histResolution},
		{1.00, 100 * time.Millisecond}, // capped at the largest sample
		{0.00, 1*time.Millisecond + histResolution},
	}
	for _, tc := range tests {
		if got := h.quantile(tc.q); got != tc.want {
			t.Errorf("quantile(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if n := h.count(); n != 100 {
		t.Errorf("count = %d, want 100", n)
	}
}

func TestQuantileEdges(t *testing.T) {
	t.Parallel()
	var empty histogram
	if got := empty.quantile(0.99); got != 0 {
		t.Errorf("empty quantile = %v, want 0", got)
	}
	var h histogram
	h.add(-time.Second)    // clamped to zero
	h.add(time.Minute)     // overflow bucket
	h.add(3 * time.Minute) // larger overflow: max tracks it
	if got := h.quantile(0.1); got != histResolution {
		t.Errorf("p10 = %v, want %v (the zero bucket's edge)", got, histResolution)
	}
	if got := h.quantile(0.99); got != 3*time.Minute {
		t.Errorf("p99 = %v, want the largest sample 3m", got)
	}
}

func TestQuantileMatchesSort(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	var h histogram
	samples := make([]time.Duration, 10_000)
	for i := range samples {
		samples[i] = time.Duration(rng.ExpFloat64() * float64(20*time.Millisecond))
		h.add(samples[i])
	}
	slices.Sort(samples)
	for _, q := range []float64{0.5, 0.9, 0.99} {
		exact := samples[int(q*float64(len(samples)))-1]
		got := h.quantile(q)
		if got < exact || got > exact+histResolution {
			t.Errorf("quantile(%v) = %v, exact %v: must be within one bucket above", q, got, exact)
		}
	}
}

func TestCheckLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://localhost:8080/", true},
		{"http://[::1]:8080", true},
		{"ws://127.0.0.2:9000", true},
		{"http://10.0.0.1:8080", false},
		{"http://example.com", false},
		{"http://localhost.example.com", false},
		{"http://127.0.0.1.nip.io", false},
		{"https://127.0.0.1", false},
		{"ftp://127.0.0.1", false},
		{"http://[::ffff:8.8.8.8]:80", false},
		{"://bad", false},
	}
	for _, tc := range tests {
		_, err := checkLoopback(tc.url)
		if (err == nil) != tc.ok {
			t.Errorf("checkLoopback(%q) error = %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
}

func TestSourceAddr(t *testing.T) {
	t.Parallel()
	seen := map[string]int{}
	for i := range 5000 {
		ip := sourceAddr(i, 16)
		if !ip.IsLoopback() {
			t.Fatalf("sourceAddr(%d) = %v: not loopback", i, ip)
		}
		if ip.Equal(net.IPv4(127, 0, 0, 1)) {
			t.Fatalf("sourceAddr(%d) is the server's own address", i)
		}
		seen[ip.String()]++
	}
	for ip, n := range seen {
		if n > 16 {
			t.Errorf("%s carries %d clients, want at most 16", ip, n)
		}
	}
	if len(seen) != 313 {
		t.Errorf("%d addresses for 5000 clients at 16 each, want 313", len(seen))
	}
}

func TestParseFrame(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		frame string
		want  []message
		err   bool
	}{
		{"one object", `{"type":"pong"}`, []message{{Type: "pong"}}, false},
		{"array", `[{"type":"quote","symbol":"AAPL","bid":"1.00","ask":"1.01","bid_size":"3","ask_size":"4","time":"2026-01-02T15:04:05.123456789Z"},` +
			`{"type":"bar","symbol":"BTC/USD","timeframe":"5m","bucket":"2026-01-02T15:00:00Z","time":"2026-01-02T15:04:00Z"}]`,
			[]message{{"quote", "AAPL", "2026-01-02T15:04:05.123456789Z"}, {"bar", "BTC/USD", "2026-01-02T15:04:00Z"}}, false},
		{"strings with braces and escapes", `{"type":"error","message":"bad \"{x}\" here"}`, []message{{Type: "error"}}, false},
		{"spaced JSON falls back", `[ { "type" : "trade", "symbol" : "MSFT", "time" : "t" } ]`, []message{{"trade", "MSFT", "t"}}, false},
		{"html", `<span id="q-AAPL-last">1</span>`, nil, true},
		{"broken", `[{"type":"quote"`, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []message
			err := parseFrame([]byte(tc.frame), func(m message) { got = append(got, m) })
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestPickSymbols(t *testing.T) {
	t.Parallel()
	stocks := strings.Split("A,B,C,D,E,F,G,H,I,J,K,L,M,N,O,P,Q,R,S,T,U,V,W,X,Y,Z", ",")
	crypto := []string{"BTC/USD", "ETH/USD", "SOL/USD", "LTC/USD", "DOGE/USD", "AVAX/USD"}
	rng := rand.New(rand.NewPCG(1, 2))
	got := pickSymbols(rng, stocks, crypto, 20)
	if len(got) != 20 {
		t.Fatalf("got %d symbols, want 20", len(got))
	}
	seen, nc := map[string]bool{}, 0
	for _, s := range got {
		if seen[s] {
			t.Errorf("duplicate %s", s)
		}
		seen[s] = true
		if strings.Contains(s, "/") {
			nc++
		}
	}
	if nc != 5 {
		t.Errorf("%d crypto symbols, want 5 (a quarter)", nc)
	}
	if few := pickSymbols(rng, nil, crypto, 20); len(few) != len(crypto) {
		t.Errorf("crypto only: got %d, want all %d", len(few), len(crypto))
	}
}
