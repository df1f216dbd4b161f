package trading

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
)

// TestCrashRecovery runs the engine in a child process that places, cancels and fills orders as
// fast as it can, printing each order it has acknowledged, and kills it with SIGKILL at a random
// moment, several times over. After every kill: every acknowledged order is in the database, the
// books balance (no fill lost half-way, none duplicated, no order filled beyond its quantity), and
// a fresh engine rebuilds its index with exactly the resting orders and fills them when the
// market reaches them.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	t.Parallel()
	url := dbtest.URL(t)
	db, err := database.Open(context.Background(), database.Options{URL: url, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	b := newBundle(t, db.Gorm, tuesday10am)
	if _, err := models.UpsertAssets(context.Background(), b.db, testAssets(), b.clock.Now()); err != nil {
		t.Fatal(err)
	}
	b.user = b.newUser()
	accounts := []*models.PaperAccount{b.account("50000", cashSettings()), b.account("50000", marginSettings())}

	acked := map[uuid.UUID]bool{}
	// At least six kills, and more (up to 24) until 50 orders were acknowledged: a loaded machine
	// acknowledges fewer per round, and the test must still exercise enough.
	const minRounds, maxRounds, minAcked = 6, 24, 50
	rounds := 0
	r := rand.New(rand.NewPCG(7, 7))
	for round := 0; round < maxRounds && (round < minRounds || len(acked) < minAcked); round++ {
		rounds++
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "CRASH_CHILD_URL="+url,
			fmt.Sprintf("CRASH_CHILD_ARGS=%d,%d,%d,%d", b.user, accounts[0].ID, accounts[1].ID, round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Wait until it works, then let it run a random while and kill it.
		var ready bool
		for !ready {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("round %d: child exited before it was ready", round)
				}
				ready = l == "READY"
			case <-time.After(30 * time.Second):
				t.Fatalf("round %d: child never became ready", round)
			}
		}
		// Not synchronisation: a random moment to kill the child at, mid-work, is what the test is about.
		time.Sleep(time.Duration(200+r.IntN(800)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		n := 0
		for l := range lines {
			if id, ok := strings.CutPrefix(l, "ACK "); ok {
				acked[uuid.MustParse(id)] = true
				n++
			}
		}
		_ = cmd.Wait()
		t.Logf("round %d: %d orders acknowledged before the kill", round, n)

		var found int64
		ids := make([]uuid.UUID, 0, len(acked))
		for id := range acked {
			ids = append(ids, id)
		}
		b.db.Model(&models.Order{}).Where("id IN ?", ids).Count(&found)
		if int(found) != len(acked) {
			t.Fatalf("round %d: %d acknowledged orders, %d in the database", round, len(acked), found)
		}
		for _, a := range accounts {
			checkBooks(t, b.db, a.ID)
		}
	}
	if len(acked) < minAcked {
		t.Fatalf("only %d orders acknowledged over %d rounds: the test exercised too little", len(acked), rounds)
	}

	// A fresh engine finds every resting order and fills them when the market gets there. One
	// resting buy is placed here, so there is at least one whatever the kills left.
	b.clock.Set(tuesday10am.Add(time.Hour))
	b.quote("AAPL", "99.98", "100.02")
	b.place(accounts[0], limitOrder("AAPL", fill.Buy, "1", "50", fill.GTC))
	fresh := newBundle(t, db.Gorm, tuesday10am.Add(time.Hour))
	if _, err := fresh.svc.sync(context.Background(), time.Time{}); err != nil {
		t.Fatal(err)
	}
	var working int64
	b.db.Model(&models.Order{}).Where("status IN ?", []string{models.OrderNew, models.OrderAccepted, models.OrderPartiallyFilled}).Count(&working)
	if int64(fresh.svc.index.Len()) != working || working == 0 {
		t.Fatalf("rebuilt index holds %d orders, the database %d working ones", fresh.svc.index.Len(), working)
	}
	var restingBuys int64
	b.db.Model(&models.Order{}).Where("status IN ? AND symbol = 'AAPL' AND side = 'buy' AND type = 'limit'",
		[]string{models.OrderNew, models.OrderPartiallyFilled}).Count(&restingBuys)
	q := market.Quote{Symbol: "AAPL", BidPrice: d("1.00"), AskPrice: d("1.01"), BidSize: d("1000000"), AskSize: d("1000000"), Time: fresh.clock.Now()}
	if _, err := fresh.svc.Match(context.Background(), q, nil); err != nil {
		t.Fatal(err)
	}
	var stillOpen int64
	b.db.Model(&models.Order{}).Where("status IN ? AND symbol = 'AAPL' AND side = 'buy' AND type = 'limit'",
		[]string{models.OrderNew, models.OrderPartiallyFilled}).Count(&stillOpen)
	if restingBuys == 0 || stillOpen != 0 {
		t.Fatalf("%d resting AAPL buy limits before the crossing quote, %d still open after it", restingBuys, stillOpen)
	}
	for _, a := range accounts {
		checkBooks(t, b.db, a.ID)
	}
}

// TestCrashChild is the child process of TestCrashRecovery; it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	url := os.Getenv("CRASH_CHILD_URL")
	if url == "" {
		t.Skip("only run by TestCrashRecovery")
	}
	var user, a1, a2, round int64
	if _, err := fmt.Sscanf(os.Getenv("CRASH_CHILD_ARGS"), "%d,%d,%d,%d", &user, &a1, &a2, &round); err != nil {
		t.Fatal(err)
	}
	db, err := database.Open(context.Background(), database.Options{URL: url, MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	b := newBundle(t, db.Gorm, tuesday10am.Add(time.Duration(round)*time.Minute))
	b.user = user
	ctx := context.Background()
	if _, err := b.svc.sync(ctx, time.Time{}); err != nil { // the restart: rebuild the index
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(uint64(round), 99))
	price := map[string]float64{"AAPL": 100, "MSFT": 50}
	quote := func(sym string) market.Quote {
		price[sym] *= 1 + (r.Float64()-0.5)*0.004
		c := decimal.NewFromFloat(price[sym]).Round(2)
		q := market.Quote{Symbol: sym, BidPrice: c.Sub(d("0.01")), AskPrice: c.Add(d("0.01")), BidSize: d("300"), AskSize: d("300"),
			Time: b.clock.Add(time.Millisecond)}
		b.quotes.Observe(q)
		return q
	}
	quote("AAPL")
	quote("MSFT")
	fmt.Println("READY")
	accounts := []int64{a1, a2}
	for {
		acct := accounts[r.IntN(2)]
		sym := []string{"AAPL", "MSFT"}[r.IntN(2)]
		switch k := r.IntN(10); {
		case k < 5:
			side := fill.Buy
			if r.IntN(3) == 0 {
				side = fill.Sell
			}
			req := marketOrder(sym, side, strconv.Itoa(r.IntN(10)+1))
			if r.IntN(2) == 0 {
				off := decimal.NewFromFloat(price[sym] * (r.Float64() - 0.7) * 0.02).Round(2)
				req = limitOrder(sym, side, strconv.Itoa(r.IntN(10)+1), decimal.NewFromFloat(price[sym]).Add(off).StringFixed(2), fill.GTC)
			}
			o, err := b.svc.PlaceOrder(ctx, user, acct, req, SourceAPI)
			if err == nil {
				fmt.Println("ACK " + o.ID.String())
			} else if _, ok := apperr.As(err); !ok {
				t.Fatal(err)
			}
		case k < 6:
			open, err := models.ListOrders(ctx, b.db, models.OrderQuery{AccountID: acct, Period: 1, Status: "open", Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(open) > 0 {
				if _, err := b.svc.CancelOrder(ctx, user, acct, open[r.IntN(len(open))].ID); err != nil {
					if _, ok := apperr.As(err); !ok {
						t.Fatal(err)
					}
				}
			}
		default:
			q := quote(sym)
			if _, err := b.svc.Match(ctx, q, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
}
