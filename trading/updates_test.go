package trading

import (
	"context"
	"testing"
	"time"

	"alpacawrapper/database/dbtest"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
)

// events reads an account's whole trade-event log.
func (b *bundle) events(a *models.PaperAccount) []models.TradeEvent {
	b.t.Helper()
	rows, err := models.TradeEventsAfter(context.Background(), b.db, a.ID, 0, 1000)
	if err != nil {
		b.t.Fatal(err)
	}
	return rows
}

// next waits for l's next batch of updates.
func next(t *testing.T, l *Listener, want int) []TradeUpdate {
	t.Helper()
	var got []TradeUpdate
	deadline := time.After(5 * time.Second)
	for len(got) < want {
		select {
		case <-l.Ready():
		case <-deadline:
			t.Fatalf("got %d updates within 5s, want %d: %+v", len(got), want, got)
		}
		for {
			ups, more, err := l.Next(context.Background(), 100)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ups...)
			if !more {
				break
			}
		}
	}
	return got
}

func TestEveryChangeIsLoggedWithItsTransaction(t *testing.T) {
	t.Parallel()
	b := setup(t)
	st := marginSettings()
	st.Realism = "realistic" // fills capped at the displayed size
	a := b.account("100000", st)
	q := b.quote("AAPL", "99.98", "100.02")
	q.AskSize = d("30")
	b.quotes.Observe(q)
	buy := b.place(a, marketOrder("AAPL", fill.Buy, "100")) // 30 fill at once, the rest waits
	limit := b.place(a, limitOrder("AAPL", fill.Buy, "5", "90", fill.GTC))
	if _, err := b.svc.CancelOrder(context.Background(), b.user, a.ID, limit.ID); err != nil {
		t.Fatal(err)
	}
	// A refusal writes nothing.
	if _, err := b.svc.CancelOrder(context.Background(), b.user, a.ID, limit.ID); err == nil {
		t.Fatal("a second cancel was accepted")
	}

	rows := b.events(a)
	var names []string
	for _, r := range rows {
		names = append(names, r.Event)
	}
	want := []string{EventNew, EventPartialFill, EventNew, EventCanceled}
	if len(names) != len(want) {
		t.Fatalf("events = %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("events = %v, want %v", names, want)
		}
		if i > 0 && (rows[i].ID <= rows[i-1].ID || !rows[i].At.After(rows[i-1].At)) {
			t.Errorf("event %d (id %d at %s) does not follow event %d (id %d at %s)", i, rows[i].ID, rows[i].At, i-1, rows[i-1].ID, rows[i-1].At)
		}
	}
	pf := rows[1]
	if *pf.OrderID != buy.ID || !pf.Qty.Decimal.Equal(d("30")) || !pf.Price.Decimal.Equal(d("100.02")) || !pf.PositionQty.Decimal.Equal(d("30")) || pf.FillID == nil {
		t.Errorf("partial fill = qty %s price %s position %s fill %v", pf.Qty.Decimal, pf.Price.Decimal, pf.PositionQty.Decimal, pf.FillID)
	}
	o, ok, err := pf.Order()
	if err != nil || !ok || o.Status != models.OrderPartiallyFilled || !o.FilledQty.Equal(d("30")) {
		t.Errorf("the partial fill's order = %s filled %s (%v, %v), want as it was after the fill", o.Status, o.FilledQty, ok, err)
	}
	if o, _, _ := rows[3].Order(); o.Status != models.OrderCanceled || rows[3].Price.Valid {
		t.Errorf("cancel event = order %s, price %v", o.Status, rows[3].Price)
	}
}

func TestListenerResumesFromItsLastIDAndSinceATime(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	b.quote("AAPL", "99.98", "100.02")
	b.place(a, marketOrder("AAPL", fill.Buy, "1"))

	l, err := b.svc.Updates().Listen(context.Background(), a.ID, Resume{})
	if err != nil {
		t.Fatal(err)
	}
	b.place(a, marketOrder("AAPL", fill.Buy, "2"))
	live := next(t, l, 2)
	if live[0].Event != EventNew || live[1].Event != EventFill || !live[1].Qty.Equal(d("2")) {
		t.Fatalf("live = %s, %s %s", live[0].Event, live[1].Event, live[1].Qty)
	}
	last := l.Cursor()
	l.Close() // the client goes away; two more orders fill meanwhile
	b.place(a, marketOrder("AAPL", fill.Buy, "3"))
	b.place(a, marketOrder("AAPL", fill.Sell, "1"))

	again, err := b.svc.Updates().Listen(context.Background(), a.ID, Resume{AfterID: last, FromID: true})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	missed := next(t, again, 4)
	if missed[1].Event != EventFill || !missed[1].Qty.Equal(d("3")) || missed[3].Event != EventFill || !missed[3].PositionQty.Equal(d("5")) {
		t.Fatalf("resumed = %+v", missed)
	}

	since, err := b.svc.Updates().Listen(context.Background(), a.ID, Resume{Since: live[1].At})
	if err != nil {
		t.Fatal(err)
	}
	defer since.Close()
	if got := next(t, since, 5); got[0].EventID != live[1].EventID {
		t.Fatalf("since %s started at event %d, want %d", live[1].At, got[0].EventID, live[1].EventID)
	}
}

// A listener on one process hears of a fill committed by another: the second service stands for
// another process (its own Updates, the same database), told only through LISTEN/NOTIFY.
func TestAnotherProcessHearsOfCommitsThroughNotify(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t)
	b := newBundle(t, db.Gorm, tuesday10am)
	b.svc.updates = NewUpdates(UpdatesOptions{DB: db.Gorm, Pool: db.Pool, Poll: time.Hour})
	defer b.svc.updates.Close()
	if _, err := models.UpsertAssets(context.Background(), b.db, testAssets(), b.clock.Now()); err != nil {
		t.Fatal(err)
	}
	b.user = b.newUser()
	a := b.account("100000", cashSettings())

	other := NewUpdates(UpdatesOptions{DB: db.Gorm, Pool: db.Pool, Poll: time.Hour})
	defer other.Close()
	l, err := other.Listen(context.Background(), a.ID, Resume{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// other's LISTEN may not be in place yet: it reads every account listened to once it is, so
	// nothing committed in between is lost either way.
	b.quote("AAPL", "99.98", "100.02")
	b.place(a, marketOrder("AAPL", fill.Buy, "4"))
	got := next(t, l, 2)
	if got[1].Event != EventFill || !got[1].Qty.Equal(d("4")) {
		t.Fatalf("other process got %+v", got)
	}
}
