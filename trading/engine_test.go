package trading

import (
	"context"
	"slices"
	"testing"
	"time"

	"alpacawrapper/database/dbtest"
	"alpacawrapper/internal/testwait"
	"alpacawrapper/market"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
)

// TestEngineFillsRestingOrdersFromTheHub runs the engine loop as the feed role does: an order
// placed before it starts is rebuilt into the index, its symbol is wanted upstream at order
// priority, a quote published on the hub fills it, and the trade update reaches a listener.
func TestEngineFillsRestingOrdersFromTheHub(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	b.quote("AAPL", "99.98", "100.02")
	before := b.place(a, limitOrder("AAPL", fill.Buy, "3", "99", fill.GTC))
	b.svc.index.Remove(before.ID) // as if the process had restarted: the index starts empty

	hub := market.NewHub(market.HubOptions{Grace: -1})
	defer hub.Close()
	listener, err := b.svc.Updates().Listen(context.Background(), a.ID, Resume{})
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.svc.Run(ctx, hub) }()

	waitFor(t, "the rebuilt order's symbol to be wanted", func() bool {
		for _, s := range hub.Wanted(0) {
			if s == "AAPL" {
				return true
			}
		}
		return false
	})
	b.clock.Add(time.Second)
	hub.Quote(market.Quote{Symbol: "AAPL", BidPrice: d("98.90"), BidSize: d("100"), AskPrice: d("98.95"), AskSize: d("100"), Time: b.clock.Now()})
	select {
	case <-listener.Ready():
		ups, _, err := listener.Next(context.Background(), 10)
		if err != nil || len(ups) != 1 {
			t.Fatalf("updates = %v, %v; want the fill", ups, err)
		}
		up := ups[0]
		if up.Event != EventFill || up.Order.ID != before.ID || !up.Price.Equal(d("99")) || !up.PositionQty.Equal(d("3")) {
			t.Fatalf("update = %s %s @ %s position %s", up.Event, up.Order.ID, up.Price, up.PositionQty)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no fill update within 5s")
	}
	waitFor(t, "the filled order's symbol to be released", func() bool { return len(hub.Wanted(0)) == 0 })

	// An order placed while the engine runs is evaluated by it too.
	r := order.Request{Symbol: "AAPL", Qty: nd("2"), Side: fill.Sell, Type: fill.Limit, TimeInForce: fill.GTC, LimitPrice: nd("101")}
	sell := b.place(a, r)
	b.clock.Add(time.Second)
	hub.Quote(market.Quote{Symbol: "AAPL", BidPrice: d("101.10"), BidSize: d("100"), AskPrice: d("101.12"), AskSize: d("100"), Time: b.clock.Now()})
	waitFor(t, "the sell limit to fill", func() bool { return b.reload(sell).Status == models.OrderFilled })

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v", err)
	}
	b.checkBooks(a)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testwait.Until(t, 5*time.Second, what, cond)
}

// TestMatcherHearsOfOrdersPlacedByAnotherProcessAtOnce: in a split deployment orders are placed on
// web processes and matched on the feed process. The feed's matcher syncs its index when another
// process's trade-event notification arrives, so a resting order placed elsewhere is matched long
// before the periodic sync (syncEvery) would have found it.
func TestMatcherHearsOfOrdersPlacedByAnotherProcessAtOnce(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t)
	web := newBundle(t, db.Gorm, tuesday10am)
	web.svc.updates = NewUpdates(UpdatesOptions{DB: db.Gorm, Pool: db.Pool, Poll: time.Hour})
	defer web.svc.updates.Close()
	if _, err := models.UpsertAssets(context.Background(), web.db, testAssets(), web.clock.Now()); err != nil {
		t.Fatal(err)
	}
	web.user = web.newUser()
	a := web.account("100000", cashSettings())

	feed := newBundle(t, db.Gorm, tuesday10am)
	feed.svc.updates = NewUpdates(UpdatesOptions{DB: db.Gorm, Pool: db.Pool, Poll: time.Hour})
	defer feed.svc.updates.Close()
	hub := market.NewHub(market.HubOptions{Grace: -1})
	defer hub.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- feed.svc.Run(ctx, hub) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v", err)
		}
	}()

	for i, limit := range []string{"99", "98"} {
		web.quote("AAPL", "99.98", "100.02")
		placed := time.Now()
		o := web.place(a, limitOrder("AAPL", fill.Buy, "1", limit, fill.GTC))
		// Well under syncEvery: only the notification can have brought it this soon.
		testwait.Until(t, syncEvery/2, "the feed's matcher to index the order placed on the web process", func() bool {
			return feed.svc.index.Len() == i+1
		})
		t.Logf("order %d indexed by the other process %s after placement", i+1, time.Since(placed).Round(time.Millisecond))
		if o.Status != models.OrderNew {
			t.Fatalf("order placed as %s, want it resting (new)", o.Status)
		}
	}
	waitFor(t, "the resting orders' symbol to be wanted upstream by the feed", func() bool {
		return slices.Contains(hub.Wanted(0), "AAPL")
	})
}
