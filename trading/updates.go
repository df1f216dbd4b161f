package trading

import (
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/models"
)

// Trade update events, Alpaca's names.
const (
	EventNew         = "new"
	EventAccepted    = "accepted"
	EventFill        = "fill"
	EventPartialFill = "partial_fill"
	EventCanceled    = "canceled"
	EventExpired     = "expired"
	EventReplaced    = "replaced"
	EventRejected    = "rejected"
	EventTriggered   = "triggered" // ours: a stop triggered (Alpaca sends no event for it)
	EventReset       = "account_reset"
)

// TradeUpdate is one event of an account's orders, sent to its listeners after the change has
// committed. It has the fields of Alpaca's trade_updates stream.
type TradeUpdate struct {
	AccountID   int64
	Event       string
	Order       models.Order
	At          time.Time
	Price       decimal.Decimal // fills only
	Qty         decimal.Decimal // fills only: this fill's quantity
	PositionQty decimal.Decimal // fills only: the position after the fill
	FillID      string          // fills only
}

// Updates fans trade updates out to listeners per account. A listener that does not keep up loses
// updates rather than slowing the engine: each listener has a small buffer and a full buffer
// drops the update (a page then reloads its lists on the next one, which carry the full state).
type Updates struct {
	mu        sync.Mutex
	listeners map[int64]map[*Listener]struct{}
}

// Listener receives an account's trade updates on C until Close.
type Listener struct {
	C       <-chan TradeUpdate
	c       chan TradeUpdate
	account int64
	u       *Updates
	once    sync.Once
}

// NewUpdates returns an empty fan-out.
func NewUpdates() *Updates { return &Updates{listeners: map[int64]map[*Listener]struct{}{}} }

// Listen starts receiving an account's updates.
func (u *Updates) Listen(accountID int64) *Listener {
	c := make(chan TradeUpdate, 64)
	l := &Listener{C: c, c: c, account: accountID, u: u}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.listeners[accountID] == nil {
		u.listeners[accountID] = map[*Listener]struct{}{}
	}
	u.listeners[accountID][l] = struct{}{}
	return l
}

// Close stops the listener; C is closed.
func (l *Listener) Close() {
	l.once.Do(func() {
		l.u.mu.Lock()
		delete(l.u.listeners[l.account], l)
		if len(l.u.listeners[l.account]) == 0 {
			delete(l.u.listeners, l.account)
		}
		l.u.mu.Unlock()
		close(l.c)
	})
}

// publish sends updates to their accounts' listeners without blocking.
func (u *Updates) publish(ups []TradeUpdate) {
	if u == nil || len(ups) == 0 {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, up := range ups {
		for l := range u.listeners[up.AccountID] {
			select {
			case l.c <- up:
			default:
			}
		}
	}
}
