package matcher_test

import (
	"slices"
	"testing"
	"time"

	"alpacawrapper/market"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/matcher"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// t0 is 10:00 ET on a regular trading day.
var t0 = time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// quote is bid/ask on symbol at t0; an empty side is zero.
func quote(symbol, bid, ask string) market.Quote {
	q := market.Quote{Symbol: symbol, BidSize: dec("100"), AskSize: dec("100"), Time: t0}
	if bid != "" {
		q.BidPrice = dec(bid)
	}
	if ask != "" {
		q.AskPrice = dec(ask)
	}
	return q
}

// usual is 100.00 / 100.10 on AAPL.
func usual() market.Quote { return quote("AAPL", "100.00", "100.10") }

func id(n int) uuid.UUID {
	return uuid.UUID{0: byte(n >> 24), 1: byte(n >> 16), 2: byte(n >> 8), 3: byte(n)}
}

func order(side fill.Side, typ fill.OrderType) fill.Order {
	return fill.Order{Side: side, Type: typ, TimeInForce: fill.GTC, Qty: dec("10"), RestedAt: t0}
}

func marketOrder(side fill.Side) fill.Order { return order(side, fill.Market) }

func limit(side fill.Side, price string) fill.Order {
	o := order(side, fill.Limit)
	o.LimitPrice = dec(price)
	return o
}

func stop(side fill.Side, price string) fill.Order {
	o := order(side, fill.Stop)
	o.StopPrice = dec(price)
	return o
}

func stopLimit(side fill.Side, stopPrice, limitPrice string) fill.Order {
	o := order(side, fill.StopLimit)
	o.StopPrice, o.LimitPrice = dec(stopPrice), dec(limitPrice)
	return o
}

// trailing is a trailing stop by price or by percent, with an optional state.
func trailing(side fill.Side, byPrice, byPercent, waterMark, stopPrice string) fill.Order {
	o := order(side, fill.TrailingStop)
	for _, f := range []struct {
		dst *decimal.Decimal
		s   string
	}{{&o.TrailPrice, byPrice}, {&o.TrailPercent, byPercent}, {&o.WaterMark, waterMark}, {&o.StopPrice, stopPrice}} {
		if f.s != "" {
			*f.dst = dec(f.s)
		}
	}
	return o
}

func triggered(o fill.Order) fill.Order { o.Triggered = true; return o }

func extended(o fill.Order) fill.Order { o.ExtendedHours = true; return o }

func withTIF(o fill.Order, tif fill.TimeInForce) fill.Order { o.TimeInForce = tif; return o }

func stock(n int, o fill.Order) matcher.Entry {
	return matcher.Entry{OrderID: id(n), AccountID: 1, Symbol: "AAPL", Order: o}
}

func crypto(n int, o fill.Order) matcher.Entry {
	return matcher.Entry{OrderID: id(n), AccountID: 1, Symbol: "BTC/USD", Crypto: true, Order: o}
}

// ids is the sorted order ids of entries.
func ids(entries []matcher.Entry) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.OrderID)
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return out
}

func mustGet(t *testing.T, x *matcher.Index, n int) matcher.Entry {
	t.Helper()
	e, ok := x.Get(id(n))
	if !ok {
		t.Fatalf("order %d is not indexed", n)
	}
	return e
}

// session is the SessionInfo fill.Evaluate gets for an entry when the caller says open.
func session(e matcher.Entry, open bool) fill.SessionInfo {
	s := fill.SessionInfo{Crypto: e.Crypto, Session: market.SessionClosed, Source: "sim",
		Open: time.Date(2026, 3, 10, 13, 30, 0, 0, time.UTC), Close: time.Date(2026, 3, 10, 20, 0, 0, 0, time.UTC)}
	if open {
		s.Session = market.SessionRegular
	}
	return s
}
