package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/coder/websocket"
	"github.com/shopspring/decimal"

	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
)

// procfileLines reads the repository's Procfile: process type → command line.
func procfileLines(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "Procfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, cmd, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("Procfile line %q has no process type", line)
		}
		lines[strings.TrimSpace(name)] = strings.TrimSpace(cmd)
	}
	return lines
}

// procfileEnv is the environment the README documents for a Procfile platform: the database, a
// secret key, a mail server, the status token, the binary on PATH, and the name the platform
// gives each process. PORT is added per web process, as platforms do.
func procfileEnv(t *testing.T, dbURL, name string) []string {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	return []string{"PATH=" + filepath.Dir(bin) + ":" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"DATABASE_URL=" + dbURL, "SECRET_KEY=Zq8vN3kR7wT1yB5mC9xL2pH6dF4sGa0J-eUi", "SMTP_HOST=smtp.invalid",
		"STATUS_TOKEN=" + testStatusToken, "PROCESS_NAME=" + name}
}

// TestProcfileRunsAsWritten is issue 15's item 5: every line of the Procfile, started as a
// platform starts it (sh -c LINE, the documented environment, the built binary), scaled to
// web=3 worker=2 feed=2 on one PostgreSQL, forms a working system: release migrates an empty
// database; every process shows on the status; each web process's browsers get live prices; and a
// resting order placed through one web process fills and is seen filled through another.
func TestProcfileRunsAsWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("starts eight processes")
	}
	t.Parallel()
	lines := procfileLines(t)
	for _, want := range []string{"release", "web", "worker", "feed"} {
		if lines[want] == "" {
			t.Fatalf("the Procfile has no %s line: %v", want, lines)
		}
	}
	if _, err := binary(); err != nil {
		t.Fatal(err)
	}
	// The binary must be found as the Procfile names it.
	bin, _ := binary()
	if filepath.Base(bin) != "alpacawrapper" {
		t.Fatalf("the built binary is %s, the Procfile runs alpacawrapper", bin)
	}

	// An empty database, so the release line has everything to do.
	url := dbtest.URL(t)
	if r := run(t, []string{"APP_ENV=test", "DATABASE_URL=" + url, "LOG_LEVEL=error"}, "migrate", "down", "--all"); r.code != 0 {
		t.Fatalf("emptying the database: %s", r.stderr)
	}
	release := startShellLine(t, "release.1", false, procfileEnv(t, url, "release.1"), lines["release"])
	select {
	case err := <-release.exited:
		if err != nil {
			t.Fatalf("release: %v\n%s", err, release.logs.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("release did not finish within 60s")
	}

	var webs []*binProc
	all := map[string]bool{}
	for i := 1; i <= 2; i++ {
		for _, kind := range []string{"worker", "feed"} {
			name := fmt.Sprintf("%s.%d", kind, i)
			startShellLine(t, name, false, procfileEnv(t, url, name), lines[kind])
			all[name] = true
		}
	}
	for i := 1; i <= 3; i++ {
		name := fmt.Sprintf("web.%d", i)
		webs = append(webs, startShellLine(t, name, true, procfileEnv(t, url, name), lines["web"]))
		all[name] = true
	}

	// Every process reports on the status, with the roles its line gives it.
	roles := map[string]string{"web": "web", "worker": "worker", "feed": "feed"}
	eventually(t, 20*time.Second, "all seven processes on /statusz", func() bool {
		_, st := getStatus(t, webs[0], testStatusToken)
		seen := 0
		for _, p := range st.Processes {
			kind, _, _ := strings.Cut(p.Name, ".")
			if all[p.Name] && p.Alive && strings.Join(p.Roles, ",") == roles[kind] {
				seen++
			}
		}
		return seen == len(all)
	})

	// The catalogue arrives through a worker's sync at start; the API key is made as a person
	// makes one, on the shared database.
	db, err := database.Open(context.Background(), database.Options{URL: url, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	eventually(t, 60*time.Second, "the catalogue synced by a worker", func() bool {
		var n int64
		db.Gorm.Raw(`SELECT count(*) FROM assets WHERE symbol = 'BTC/USD'`).Scan(&n)
		return n == 1
	})
	a := newTestAppWith(t, testAppOptions{db: db})
	alice := a.createUser("alice@example.com", goodPassword)
	key, err := a.svc.APIKeys.CreateFor(context.Background(), alice.ID, 0, "bot")
	if err != nil {
		t.Fatal(err)
	}

	// Live prices on every web process: a browser's /ws/market gets quotes of BTC/USD.
	watchers := make([]*procfileWatcher, len(webs))
	for i, w := range webs {
		watchers[i] = watchPrices(t, w, "BTC/USD")
	}
	for i, w := range watchers {
		eventually(t, 30*time.Second, "a live quote on "+webs[i].name, func() bool { _, ok := w.latest(); return ok })
	}
	holder := feedHolderName(t, webs[0])
	t.Logf("the feed is held by %s", holder)

	// A resting order: a GTC buy limit halfway between the bid and the ask (whole dollars, BTC/USD's
	// price increment), so it rests until the ask comes down to it; placed through web.1, seen
	// filled through web.3.
	client := func(p *binProc) *alpaca.Client {
		return alpaca.NewClient(alpaca.ClientOpts{APIKey: key.KeyID, APISecret: key.Secret, BaseURL: p.url, RetryLimit: -1,
			HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	}
	q, _ := watchers[0].latest()
	limit := q.bid.Add(q.ask.Sub(q.bid).Div(decimal.NewFromInt(2)).Floor())
	qty := decimal.RequireFromString("0.01")
	o, err := client(webs[0]).PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "BTC/USD", Qty: &qty, Side: alpaca.Buy,
		Type: alpaca.Limit, LimitPrice: &limit, TimeInForce: alpaca.GTC})
	if err != nil {
		t.Fatalf("placing the resting order on %s: %v", webs[0].name, err)
	}
	if o.Status == "filled" {
		t.Logf("the order filled at placement (the ask had fallen to it already); it still proves the fill path")
	}
	var filled *alpaca.Order
	eventually(t, 180*time.Second, "the resting order filled, seen through "+webs[2].name, func() bool {
		got, err := client(webs[2]).GetOrder(o.ID)
		filled = got
		return err == nil && got.Status == "filled"
	})
	t.Logf("the resting order (buy at %s; bid %s, ask %s at placement) filled at %s, %s after it was placed", limit, q.bid, q.ask,
		filled.FilledAvgPrice, filled.FilledAt.Sub(o.CreatedAt).Round(time.Millisecond))

	// Stopping as a platform does (SIGTERM to every process of the group: the shell the line runs
	// in, and the server) drains each web process.
	for _, w := range webs {
		_ = w.signal(syscall.SIGTERM)
	}
	for _, w := range webs {
		select {
		case <-w.exited:
		case <-time.After(30 * time.Second):
			t.Errorf("%s did not stop within 30s of SIGTERM", w.name)
		}
		if !strings.Contains(w.logs.String(), `"msg":"stopped"`) {
			t.Errorf("%s did not drain after SIGTERM:\n%s", w.name, w.logs.String())
		}
	}
}

// feedHolderName is the holder /statusz names; it waits for one to be elected.
func feedHolderName(t *testing.T, p *binProc) string {
	t.Helper()
	var holder string
	eventually(t, 20*time.Second, "an elected feed on /statusz", func() bool {
		_, st := getStatus(t, p, testStatusToken)
		for _, pr := range st.Processes {
			if pr.HoldsFeed {
				holder = pr.Name
				return true
			}
		}
		return false
	})
	return holder
}

// procfileWatcher is a browser's /ws/market connection following one symbol: the latest quote.
type procfileWatcher struct {
	mu       sync.Mutex
	bid, ask decimal.Decimal
	at       time.Time
}

type seenQuote struct {
	bid, ask decimal.Decimal
	at       time.Time
}

func (w *procfileWatcher) latest() (seenQuote, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return seenQuote{w.bid, w.ask, w.at}, !w.at.IsZero()
}

func watchPrices(t *testing.T, p *binProc, symbol string) *procfileWatcher {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	conn, _, err := websocket.Dial(ctx, "ws://"+p.host()+"/ws/market", nil)
	if err != nil {
		cancel()
		t.Fatalf("%s: /ws/market: %v", p.name, err)
	}
	conn.SetReadLimit(1 << 22)
	sub, _ := json.Marshal(map[string]any{"type": "subscribe", "symbols": []string{symbol}})
	if err := conn.Write(ctx, websocket.MessageText, sub); err != nil {
		t.Fatal(err)
	}
	w := &procfileWatcher{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				return
			}
			var frame []struct {
				Type, Symbol, Bid, Ask string
			}
			if json.Unmarshal(data, &frame) != nil {
				continue // a reply, not a data frame
			}
			for _, m := range frame {
				if m.Type == "quote" && m.Symbol == symbol {
					bid, err1 := decimal.NewFromString(m.Bid)
					ask, err2 := decimal.NewFromString(m.Ask)
					if err1 != nil || err2 != nil {
						continue
					}
					w.mu.Lock()
					w.bid, w.ask, w.at = bid, ask, time.Now()
					w.mu.Unlock()
				}
			}
		}
	}()
	t.Cleanup(func() { cancel(); _ = conn.CloseNow(); <-done })
	return w
}
