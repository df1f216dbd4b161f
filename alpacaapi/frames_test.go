package alpacaapi

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/uuid"

	"alpacawrapper/models"
	"alpacawrapper/trading"
)

func TestEventFramesEncodeEachEventOnceAndForgetTheOldest(t *testing.T) {
	t.Parallel()
	update := func(id int64) *trading.TradeUpdate {
		return &trading.TradeUpdate{EventID: id, AccountID: 1, Event: "new", HasOrder: true, At: time.Unix(1_800_000_000, 0),
			Order: models.Order{ID: uuid.New(), Symbol: "AAPL", Side: "buy", Type: "market", TimeInForce: "day", Status: "new"}}
	}
	f := NewEventFrames(2)
	first := update(1)
	a, b := f.SSE(first), f.SSE(first)
	if len(a) == 0 || &a[0] != &b[0] {
		t.Fatal("the second stream's frame was encoded again instead of shared")
	}
	tu, _ := EncodeTradeUpdate(first)
	if want := AppendSSE(nil, &tu); !bytes.Equal(a, want) {
		t.Errorf("frame %q, want %q", a, want)
	}
	f.SSE(update(2))
	f.SSE(update(3)) // the cache holds two: event 1 is forgotten
	if c := f.SSE(first); &c[0] == &a[0] || !bytes.Equal(c, a) {
		t.Error("an evicted event should be encoded afresh, to the same bytes")
	}
	if got := (*EventFrames)(nil).SSE(first); !bytes.Equal(got, a) {
		t.Error("without a cache each stream encodes for itself")
	}
}
