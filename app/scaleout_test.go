package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
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
	"alpacawrapper/feedlease"
	"alpacawrapper/market/sim"
	"alpacawrapper/models"
)

// The scale-out tests run the built binary as separate processes on one database, as the Procfile
// deploys it: web-only processes, and feed processes of which one is elected.

// cluster is the processes of one test and the database they share.
type cluster struct {
	t     *testing.T
	bin   string
	url   string
	db    *database.DB
	app   *testApp // the test's own handle on the services, to make users and keys
	procs []*proc
}

// proc is one running process of the binary.
type proc struct {
	name   string
	cmd    *exec.Cmd
	base   string // http://host:port for a web process
	logs   *syncBuffer
	exited chan struct{}
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	url := dbtest.URL(t)
	db, err := database.Open(context.Background(), database.Options{URL: url, MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	a := newTestAppWith(t, testAppOptions{db: db, vars: map[string]string{"SIM_ALWAYS_OPEN": "true"},
		provider: sim.New(sim.Options{Seed: 7, AlwaysOpen: true})})
	seedSimAssets(t, a)
	return &cluster{t: t, bin: bin, url: url, db: db, app: a}
}

// start runs the binary's serve command with the given roles.
func (c *cluster) start(name, roles string) *proc {
	c.t.Helper()
	p := &proc{name: name, logs: &syncBuffer{}, exited: make(chan struct{})}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(), "APP_ENV=test", "LOG_LEVEL=info",
		"DATABASE_URL=" + c.url, "ROLES=" + roles, "SIM_ALWAYS_OPEN=true", "SIM_SEED=7", "SHUTDOWN_TIMEOUT=5s",
		"RATE_LIMIT_BOT_API=100000/1m", "DATA_DIR=" + c.t.TempDir(), "STATUS_TOKEN=" + scaleStatusToken}
	if strings.Contains(roles, "web") {
		port := freeTCPPort(c.t)
		p.base = "http://127.0.0.1:" + strconv.Itoa(port)
		env = append(env, "PORT="+strconv.Itoa(port))
	}
	p.cmd = exec.Command(c.bin, "serve")
	p.cmd.Env = env
	stderr, _ := p.cmd.StderrPipe()
	p.cmd.Stdout = p.logs
	if err := p.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		for sc.Scan() {
			fmt.Fprintln(p.logs, sc.Text())
		}
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	c.procs = append(c.procs, p)
	c.t.Cleanup(func() {
		_ = p.cmd.Process.Signal(syscall.SIGCONT)
		_ = p.cmd.Process.Kill()
		<-p.exited
		if c.t.Failed() {
			c.t.Logf("log of %s:\n%s", p.name, p.logs.String())
		}
	})
	if p.base != "" {
		eventually(c.t, 60*time.Second, name+" ready", func() bool {
			resp, err := http.Get(p.base + "/readyz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		})
	}
	return p
}

// holder is the process holding the feed lease now, with the lease; nil while none holds it.
func (c *cluster) holder() (*proc, feedlease.Holder) {
	h, err := feedlease.Current(context.Background(), c.db.Pool)
	if err != nil || !h.Live {
		return nil, h
	}
	for _, p := range c.procs {
		if p.cmd.Process != nil && strings.HasSuffix(h.Holder, ":"+strconv.Itoa(p.cmd.Process.Pid)) {
			return p, h
		}
	}
	return nil, h
}

// user signs someone up, gives their account the easy fill preset (fills at the touch, so resting
// orders fill within the test's patience) and returns an SDK client for a new key of theirs on
// the given web process.
func (c *cluster) user(email string) (accountID int64, key botKey) {
	c.t.Helper()
	u := c.app.createUser(email, goodPassword)
	b := &botApp{testApp: c.app}
	key = b.newKey(u, 0)
	if err := c.db.Gorm.Exec("UPDATE paper_accounts SET realism = 'easy' WHERE id = ?", key.AccountID).Error; err != nil {
		c.t.Fatal(err)
	}
	return key.AccountID, key
}

// scaleStatusToken opens /statusz of the test's processes.
const scaleStatusToken = "scale-out-status-token-0123456789"

// clusterStatus reads /statusz from a web process.
func clusterStatus(t *testing.T, p *proc) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, p.base+"/statusz", nil)
	req.Header.Set("Authorization", "Bearer "+scaleStatusToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil {
		t.Fatalf("%s: /statusz answered %d", p.name, resp.StatusCode)
	}
	return out
}

func clientOn(p *proc, k botKey) *alpaca.Client {
	return alpaca.NewClient(alpaca.ClientOpts{APIKey: k.KeyID, APISecret: k.Secret, BaseURL: p.base, RetryLimit: -1, HTTPClient: &http.Client{}})
}

// marketWatcher is a browser's /ws/market connection: it keeps the latest quote per symbol and
// when each arrived.
type marketWatcher struct {
	mu     sync.Mutex
	quotes map[string]quoteSeen
}

type quoteSeen struct {
	bid, ask decimal.Decimal
	at       time.Time // when it reached the client
}

func watchMarket(t *testing.T, p *proc, symbols ...string) *marketWatcher {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	host := strings.TrimPrefix(p.base, "http://")
	conn, _, err := websocket.Dial(ctx, "ws://"+host+"/ws/market", &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {p.base}}})
	if err != nil {
		cancel()
		t.Fatalf("%s: dial /ws/market: %v", p.name, err)
	}
	conn.SetReadLimit(1 << 22)
	sub, _ := json.Marshal(map[string]any{"type": "subscribe", "symbols": symbols})
	if err := conn.Write(ctx, websocket.MessageText, sub); err != nil {
		t.Fatal(err)
	}
	w := &marketWatcher{quotes: map[string]quoteSeen{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				return
			}
			var frame []map[string]any
			if json.Unmarshal(data, &frame) != nil {
				continue // a reply, not a data frame
			}
			now := time.Now()
			for _, m := range frame {
				if m["type"] != "quote" {
					continue
				}
				bid, _ := decimal.NewFromString(fmt.Sprint(m["bid"]))
				ask, _ := decimal.NewFromString(fmt.Sprint(m["ask"]))
				w.mu.Lock()
				w.quotes[fmt.Sprint(m["symbol"])] = quoteSeen{bid: bid, ask: ask, at: now}
				w.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { cancel(); conn.CloseNow(); <-done })
	return w
}

// latest is the last quote of symbol the client received.
func (w *marketWatcher) latest(symbol string) (quoteSeen, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	q, ok := w.quotes[symbol]
	return q, ok
}

// quoteAfter waits for a quote of symbol received after since, and says when it came.
func (w *marketWatcher) quoteAfter(t *testing.T, symbol string, since time.Time, within time.Duration) time.Time {
	t.Helper()
	var at time.Time
	eventually(t, within, "a quote of "+symbol+" after "+since.Format(time.StampMilli), func() bool {
		q, ok := w.latest(symbol)
		at = q.at
		return ok && q.at.After(since)
	})
	return at
}

// orderStatus reads an order's status from the database.
func (c *cluster) orderStatus(id string) string {
	var status string
	if err := c.db.Gorm.Raw("SELECT status FROM orders WHERE id = ?", id).Scan(&status).Error; err != nil {
		c.t.Fatal(err)
	}
	return status
}

// checkClusterBooks asserts the books of every account balance: cash equals the ledger, positions
// equal the fills, and no order was filled beyond its quantity or apart from its fills.
func (c *cluster) checkClusterBooks(accounts ...int64) {
	c.t.Helper()
	db := c.db.Gorm
	for _, id := range accounts {
		var acct models.PaperAccount
		if err := db.First(&acct, id).Error; err != nil {
			c.t.Fatal(err)
		}
		var ledger decimal.Decimal
		db.Raw("SELECT coalesce(sum(amount), 0) FROM cash_ledger WHERE account_id = ?", id).Scan(&ledger)
		if !ledger.Equal(acct.Cash) {
			c.t.Errorf("account %d: cash %s, ledger sums to %s", id, acct.Cash, ledger)
		}
		var bad []string
		db.Raw(`SELECT p.symbol FROM positions p LEFT JOIN (
		          SELECT symbol, period, sum(CASE WHEN side = 'buy' THEN qty ELSE -qty END) AS q FROM fills WHERE account_id = ? GROUP BY symbol, period
		        ) f ON f.symbol = p.symbol AND f.period = p.period
		        WHERE p.account_id = ? AND p.qty IS DISTINCT FROM f.q`, id, id).Scan(&bad)
		if len(bad) > 0 {
			c.t.Errorf("account %d: positions differ from their fills: %v", id, bad)
		}
		var overfilled []string
		db.Raw(`SELECT o.id::text FROM orders o LEFT JOIN (SELECT order_id, sum(qty) AS q FROM fills GROUP BY order_id) f ON f.order_id = o.id
		        WHERE o.account_id = ? AND (o.filled_qty <> coalesce(f.q, 0) OR (o.qty IS NOT NULL AND o.filled_qty > o.qty))`, id).Scan(&overfilled)
		if len(overfilled) > 0 {
			c.t.Errorf("account %d: orders filled twice or apart from their fills: %v", id, overfilled)
		}
		var fillEvents, fills int64
		db.Raw("SELECT count(*) FROM trade_events WHERE account_id = ? AND event IN ('fill', 'partial_fill')", id).Scan(&fillEvents)
		db.Raw("SELECT count(*) FROM fills WHERE account_id = ?", id).Scan(&fills)
		if fillEvents != fills {
			c.t.Errorf("account %d: %d fills but %d fill events", id, fills, fillEvents)
		}
	}
}

// restingBuys places, through client, a GTC buy limit at the current bid of each symbol (so it
// rests: the ask is above it) and returns the ids of those still open.
func restingBuys(t *testing.T, client *alpaca.Client, w *marketWatcher) []string {
	t.Helper()
	var ids []string
	for _, sym := range scaleSymbols {
		qty := scaleQty[sym]
		q, ok := w.latest(sym)
		if !ok {
			t.Fatalf("no quote of %s yet", sym)
		}
		o, err := client.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: sym, Qty: ptrDec(qty), Side: alpaca.Buy, Type: alpaca.Limit,
			LimitPrice: &q.bid, TimeInForce: alpaca.GTC})
		if err != nil {
			t.Fatalf("resting %s: %v", sym, err)
		}
		ids = append(ids, o.ID)
	}
	return ids
}

func ptrDec(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }

var scaleSymbols = []string{"BTC/USD", "ETH/USD", "SOL/USD", "LTC/USD", "DOGE/USD", "AVAX/USD"}

// scaleQty is a small quantity of each, above its minimum order size.
var scaleQty = map[string]string{"BTC/USD": "0.01", "ETH/USD": "0.1", "SOL/USD": "1", "LTC/USD": "1", "DOGE/USD": "100", "AVAX/USD": "1"}

// TestScaledOutProcessesFailOverTheFeed is issue 15's acceptance: two web-only processes, two feed
// processes (one elected). A browser client on each web process receives quotes relayed from
// the feed; orders placed through each web process fill; SIGKILL of the elected feed makes the
// standby take over within 5 s, quotes resume on both web processes, a resting order placed
// before the kill fills after it, and the books balance.
func TestScaledOutProcessesFailOverTheFeed(t *testing.T) {
	if testing.Short() {
		t.Skip("starts five processes")
	}
	t.Parallel()
	c := newCluster(t)
	aliceAcct, aliceKey := c.user("alice@example.com")
	bobAcct, bobKey := c.user("bob@example.com")

	feedA := c.start("feed-a", "feed")
	eventually(t, 30*time.Second, "feed-a elected", func() bool { p, _ := c.holder(); return p == feedA })
	feedB := c.start("feed-b", "feed")
	web1 := c.start("web-1", "web")
	web2 := c.start("web-2", "web")

	w1 := watchMarket(t, web1, scaleSymbols...)
	w2 := watchMarket(t, web2, scaleSymbols...)
	began := time.Now()
	for _, sym := range scaleSymbols {
		w1.quoteAfter(t, sym, time.Time{}, 30*time.Second)
		w2.quoteAfter(t, sym, time.Time{}, 30*time.Second)
	}
	t.Logf("both web processes receive relayed quotes (%s after their clients subscribed)", time.Since(began).Round(time.Millisecond))
	// The feed badge of a web-only process reports the relay, not its own (idle) stream.
	for _, p := range []*proc{web1, web2} {
		var st struct {
			Stream struct {
				Connected     bool    `json:"connected"`
				LastMessageAt *string `json:"last_message_at"`
			} `json:"stream"`
		}
		resp, err := http.Get(p.base + "/api/v1/market/status")
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if err != nil || !st.Stream.Connected || st.Stream.LastMessageAt == nil {
			t.Errorf("%s: market status %+v (%v), want the relay connected with a last message", p.name, st, err)
		}
	}

	// Orders placed through each web process fill.
	alice, bob := clientOn(web1, aliceKey), clientOn(web2, bobKey)
	for _, cl := range []*alpaca.Client{alice, bob} {
		o, err := cl.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "BTC/USD", Qty: ptrDec("0.01"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.GTC})
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, "market order "+o.ID+" filled", func() bool { return c.orderStatus(o.ID) == models.OrderFilled })
	}

	// Resting orders placed before the kill, through both processes.
	resting := append(restingBuys(t, alice, w1), restingBuys(t, bob, w2)...)
	var open []string
	for _, id := range resting {
		if c.orderStatus(id) == models.OrderNew {
			open = append(open, id)
		}
	}
	if len(open) == 0 {
		t.Fatal("every resting order filled before the kill; nothing left to test")
	}

	killed := time.Now()
	if err := feedA.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var took time.Duration
	eventually(t, 10*time.Second, "feed-b takes over", func() bool {
		p, _ := c.holder()
		took = time.Since(killed)
		return p == feedB
	})
	t.Logf("standby took over %s after SIGKILL of the elected feed", took.Round(time.Millisecond))
	if took >= 5*time.Second {
		t.Errorf("takeover took %s, want under 5s", took)
	}
	// The status of any web process names the new holder and the relay's lag.
	eventually(t, 15*time.Second, "/statusz names the new holder and web-2's relay lag", func() bool {
		st := clusterStatus(t, web1)
		feed, _ := st["feed"].(map[string]any)
		if feed == nil || !strings.HasSuffix(fmt.Sprint(feed["holder"]), ":"+strconv.Itoa(feedB.cmd.Process.Pid)) {
			return false
		}
		procs, _ := st["processes"].([]any)
		for _, raw := range procs {
			pr, _ := raw.(map[string]any)
			if strings.HasSuffix(fmt.Sprint(pr["name"]), ":"+strconv.Itoa(web2.cmd.Process.Pid)) && pr["relay_lag_ms"] != nil {
				t.Logf("web-2's relay lag on the status: %v ms", pr["relay_lag_ms"])
				return true
			}
		}
		return false
	})
	// Quotes resume on both web processes: a quote received after the takeover, for every
	// symbol (the relay's quotes of feed-a can no longer arrive by then).
	takenOver := time.Now()
	for _, w := range []*marketWatcher{w1, w2} {
		at := w.quoteAfter(t, "BTC/USD", takenOver, 15*time.Second)
		t.Logf("quotes resumed %s after the kill", at.Sub(killed).Round(time.Millisecond))
	}

	// A resting order placed before the kill fills after it. The market usually reaches one of
	// them within seconds; so that the test does not depend on the market's path, the last one
	// still open then has its limit raised above the ask (in the database, as a replace would
	// not: the order stays the one placed before the kill), which the new holder picks up.
	filledAfter := func() (n int, stillOpen string) {
		for _, id := range open {
			switch c.orderStatus(id) {
			case models.OrderFilled:
				n++
			case models.OrderNew:
				stillOpen = id
			}
		}
		return n, stillOpen
	}
	natural := time.Now().Add(20 * time.Second)
	for n, _ := filledAfter(); n == 0 && time.Now().Before(natural); n, _ = filledAfter() {
		time.Sleep(250 * time.Millisecond) // polling the database for the market's own fills; the deadline above bounds it
	}
	if n, stillOpen := filledAfter(); n == 0 && stillOpen != "" {
		var sym string
		c.db.Gorm.Raw("SELECT symbol FROM orders WHERE id = ?", stillOpen).Scan(&sym)
		q, _ := w1.latest(sym)
		if err := c.db.Gorm.Exec("UPDATE orders SET limit_price = ?, updated_at = now() WHERE id = ?",
			q.ask.Mul(decimal.RequireFromString("1.05")).RoundCeil(2), stillOpen).Error; err != nil {
			t.Fatal(err)
		}
		t.Logf("no resting order filled on its own within 20 s; raised the limit of %s (%s)", stillOpen, sym)
	}
	eventually(t, 60*time.Second, "a resting order placed before the kill fills after it", func() bool {
		n, _ := filledAfter()
		return n > 0
	})
	n, _ := filledAfter()
	t.Logf("%d of %d resting orders open at the kill filled after it", n, len(open))

	// New orders still fill through both processes.
	for _, cl := range []*alpaca.Client{alice, bob} {
		o, err := cl.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "ETH/USD", Qty: ptrDec("0.1"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.GTC})
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, "market order after the takeover filled", func() bool { return c.orderStatus(o.ID) == models.OrderFilled })
	}
	c.checkClusterBooks(aliceAcct, bobAcct)
}

// TestPausedFeedAppliesNoFill is the fencing test: the elected feed is paused (SIGSTOP) past its
// lease while a resting order becomes fillable, then resumed (SIGCONT). It must apply no fill
// until it has been elected again under a new epoch: every fill is stamped after that election.
func TestPausedFeedAppliesNoFill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three processes")
	}
	t.Parallel()
	c := newCluster(t)
	acct, key := c.user("carol@example.com")
	feed := c.start("feed", "feed")
	eventually(t, 30*time.Second, "feed elected", func() bool { p, _ := c.holder(); return p == feed })
	web := c.start("web", "web")
	w := watchMarket(t, web, "BTC/USD")
	w.quoteAfter(t, "BTC/USD", time.Time{}, 30*time.Second)

	// A resting buy far below the market: it stays open until the test moves its limit.
	cl := clientOn(web, key)
	o, err := cl.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "BTC/USD", Qty: ptrDec("0.01"), Side: alpaca.Buy, Type: alpaca.Limit,
		LimitPrice: ptrDec("1"), TimeInForce: alpaca.GTC})
	if err != nil {
		t.Fatal(err)
	}
	_, before := c.holder()
	if err := feed.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	paused := time.Now()
	// The order becomes fillable while the feed sleeps: a limit 5% above the ask is crossed by
	// any quote of the next minutes (a resting limit fills at its limit, which stays affordable).
	q, _ := w.latest("BTC/USD")
	limit := q.ask.Mul(decimal.RequireFromString("1.05")).Round(0)
	if err := c.db.Gorm.Exec("UPDATE orders SET limit_price = ?, updated_at = now() WHERE id = ?", limit, o.ID).Error; err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "the paused feed's lease expires", func() bool {
		h, err := feedlease.Current(context.Background(), c.db.Pool)
		return err == nil && !h.Live
	})
	if err := feed.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	t.Logf("paused for %s", time.Since(paused).Round(time.Millisecond))

	eventually(t, 60*time.Second, "the order fills once the feed is elected again", func() bool {
		return c.orderStatus(o.ID) == models.OrderFilled
	})
	_, after := c.holder()
	if after.Epoch <= before.Epoch {
		t.Fatalf("epoch %d after the pause, want above %d", after.Epoch, before.Epoch)
	}
	var executed time.Time
	if err := c.db.Gorm.Raw("SELECT executed_at FROM fills WHERE order_id = ?", o.ID).Scan(&executed).Error; err != nil {
		t.Fatal(err)
	}
	if executed.Before(after.AcquiredAt) {
		t.Errorf("the fill was applied at %s, before the feed was elected again at %s: a fenced holder filled",
			executed.Format(time.StampMicro), after.AcquiredAt.Format(time.StampMicro))
	}
	t.Logf("fills the resumed feed tried and its fence refused: %d", strings.Count(feed.logs.String(), feedlease.ErrFenced.Error()))
	if !strings.Contains(feed.logs.String(), "lease lost") {
		t.Errorf("the resumed feed did not report losing its lease:\n%s", feed.logs.String())
	}
	c.checkClusterBooks(acct)
}
