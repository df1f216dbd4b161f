package trading

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"

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

// TradeUpdate is one event of an account's orders. It has the fields of Alpaca's trade_updates
// stream. The engine writes each one to the trade-event log in the transaction that made the
// change; listeners read them back from there (see Updates).
type TradeUpdate struct {
	// EventID is the event's id in the log: monotonic within the account, in commit order.
	EventID     int64
	AccountID   int64
	Event       string
	Order       models.Order // zero for account-wide events (HasOrder false)
	HasOrder    bool
	At          time.Time
	Price       decimal.Decimal // fills only
	Qty         decimal.Decimal // fills only: this fill's quantity
	PositionQty decimal.Decimal // fills only: the position after the fill
	FillID      string          // fills only
}

// record appends the transaction's updates to the trade-event log, in tx, and gives them their
// ids and times. It is the last statement of every engine transaction (see Service.transact).
func (c *changes) record(ctx context.Context, tx *gorm.DB) error {
	if len(c.updates) == 0 {
		return nil
	}
	rows := make([]models.TradeEvent, len(c.updates))
	for i := range c.updates {
		up := &c.updates[i]
		row := &rows[i]
		row.AccountID, row.Event, row.At = up.AccountID, up.Event, up.At
		if up.HasOrder {
			id := up.Order.ID
			row.OrderID = &id
			b, err := json.Marshal(&up.Order)
			if err != nil {
				return fmt.Errorf("trading: encode event order: %w", err)
			}
			row.OrderJSON = b
		}
		if up.FillID != "" {
			row.Price, row.Qty, row.PositionQty = nullable(up.Price), nullable(up.Qty), nullable(up.PositionQty)
			row.PositionQty.Valid = true // a position back to zero is zero, not absent
			if id, err := uuid.Parse(up.FillID); err == nil {
				row.FillID = &id
			}
		}
	}
	// A transaction concerns one account (it holds that account's row lock); group anyway, so a
	// future one that touches two still writes each account's events in one statement.
	for start := 0; start < len(rows); {
		end := start + 1
		for end < len(rows) && rows[end].AccountID == rows[start].AccountID {
			end++
		}
		if err := models.AppendTradeEvents(ctx, tx, rows[start:end]); err != nil {
			return fmt.Errorf("trading: %w", err)
		}
		start = end
	}
	for i := range rows {
		c.updates[i].EventID, c.updates[i].At = rows[i].ID, rows[i].At
	}
	return nil
}

// updateOf is the TradeUpdate of a row of the log.
func updateOf(e *models.TradeEvent) (TradeUpdate, error) {
	up := TradeUpdate{EventID: e.ID, AccountID: e.AccountID, Event: e.Event, At: e.At.UTC(),
		Price: e.Price.Decimal, Qty: e.Qty.Decimal, PositionQty: e.PositionQty.Decimal}
	if e.FillID != nil {
		up.FillID = e.FillID.String()
	}
	o, ok, err := e.Order()
	if err != nil {
		return up, err
	}
	up.Order, up.HasOrder = o, ok
	return up, nil
}

// UpdatesOptions are the dependencies of Updates. Zero values select the documented defaults.
type UpdatesOptions struct {
	// DB is where the trade-event log is read. Without it the engine runs with no listeners
	// (tests of the rules alone).
	DB *gorm.DB
	// Pool, when set, carries the news of committed events between processes with Postgres
	// LISTEN/NOTIFY, so that a listener on one process hears of a fill committed on another.
	// Without it only this process's commits wake listeners.
	Pool *pgxpool.Pool
	// Poll is how often the accounts being listened to are read even without news, to cover a
	// process that died between its commit and its notification. Default 5 s; only with Pool.
	Poll   time.Duration
	Logger *slog.Logger
}

// Updates delivers the trade-event log to listeners. It keeps, per account listened to, the
// newest events read (a window of recentEvents) and the id of the newest; when a commit of this
// process, or a notification from another, says an account has news, one query reads what is
// new for all such accounts and wakes their listeners, which take events from the window (or,
// when they are further behind, from the database themselves). So a thousand listeners on an
// account cost one query per commit, not a thousand.
type Updates struct {
	db     *gorm.DB
	pool   *pgxpool.Pool
	poll   time.Duration
	log    *slog.Logger
	origin string // this process, in notifications, so it can skip its own

	ctx       context.Context
	cancel    context.CancelFunc
	startOnce sync.Once
	kick      chan struct{} // wakes the reader
	notifyC   chan struct{} // wakes the notifier
	remote    chan struct{} // another process committed events (see Remote)

	mu       sync.Mutex
	accounts map[int64]*accountLog
	dirty    map[int64]struct{} // accounts with news not read yet
	toNotify map[int64]struct{} // accounts to tell other processes about
}

// recentEvents is how many of an account's newest events Updates keeps for its listeners.
const recentEvents = 256

// readBatch bounds the events one read takes per account (and a listener per call of Next).
const readBatch = 500

// accountLog is Updates' view of one account's log. listeners is guarded by Updates.mu, the
// window by its own lock: a thousand listeners reading an event at once share a read lock and
// never queue behind each other or in front of a commit.
type accountLog struct {
	listeners map[*Listener]struct{}

	mu     sync.RWMutex
	last   int64         // newest id read
	floor  int64         // every event with an id above floor (up to last) is in recent
	recent []TradeUpdate // oldest first
}

// NewUpdates returns the delivery of the trade-event log.
func NewUpdates(o UpdatesOptions) *Updates {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Poll <= 0 {
		o.Poll = 5 * time.Second
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	ctx, cancel := context.WithCancel(context.Background())
	return &Updates{db: o.DB, pool: o.Pool, poll: o.Poll, log: o.Logger, origin: hex.EncodeToString(b[:]),
		ctx: ctx, cancel: cancel, kick: make(chan struct{}, 1), notifyC: make(chan struct{}, 1), remote: make(chan struct{}, 1),
		accounts: map[int64]*accountLog{}, dirty: map[int64]struct{}{}, toNotify: map[int64]struct{}{}}
}

// Close stops the background readers; listeners stay open but hear of nothing new.
func (u *Updates) Close() { u.cancel() }

// start runs the reader, and with a pool the notifier and the notification listener, on first use.
func (u *Updates) start() {
	u.startOnce.Do(func() {
		go u.read()
		if u.pool != nil {
			go u.notify()
			go u.listen()
		}
	})
}

// Remote is signalled (coalesced, capacity one) when another process commits trade events (an
// order placed, replaced or canceled on a web process) and when the LISTEN connection is
// (re)established, since news may have been missed before it. The matcher syncs its index on it,
// so a resting order placed on another process meets the next quote instead of waiting for the
// periodic sync. Without a Pool it never fires.
func (u *Updates) Remote() <-chan struct{} {
	u.start()
	return u.remote
}

// ErrNoLog is returned by Listen when Updates has no database to read.
var ErrNoLog = errors.New("trading: no trade-event log to listen to")

// Resume says where a listener starts in its account's log. The zero value starts at the newest
// event: the listener gets what commits from then on.
type Resume struct {
	// AfterID, with FromID, starts after that event id (Alpaca's since_id; 0 is the beginning).
	AfterID int64
	FromID  bool
	// Since, when set (and FromID is not), starts at the first event at or after it.
	Since time.Time
	// Wake, when set, is the channel the listener signals (Ready returns it), so a caller can
	// keep one channel across the listeners it opens and closes. Its capacity should be 1.
	Wake chan struct{}
}

// Listener reads one account's events from its cursor on. Use it from one goroutine; Close may
// be called from any.
type Listener struct {
	u       *Updates
	account int64
	log     *accountLog
	cursor  atomic.Int64
	wake    chan struct{}
	once    sync.Once
}

// Listen starts reading an account's events from where r says. The caller has checked that the
// account is the caller's.
func (u *Updates) Listen(ctx context.Context, accountID int64, r Resume) (*Listener, error) {
	if u == nil || u.db == nil {
		return nil, ErrNoLog
	}
	u.start()
	latest, err := models.LatestTradeEventID(ctx, u.db, accountID)
	if err != nil {
		return nil, fmt.Errorf("trading: listen: %w", err)
	}
	cursor := latest
	switch {
	case r.FromID:
		cursor = min(max(r.AfterID, 0), latest)
	case !r.Since.IsZero():
		if cursor, err = models.TradeEventIDBefore(ctx, u.db, accountID, r.Since); err != nil {
			return nil, fmt.Errorf("trading: listen: %w", err)
		}
	}
	wake := r.Wake
	if wake == nil {
		wake = make(chan struct{}, 1)
	}
	l := &Listener{u: u, account: accountID, wake: wake}
	l.cursor.Store(cursor)
	u.mu.Lock()
	defer u.mu.Unlock()
	a := u.accounts[accountID]
	if a == nil {
		// Nothing above latest has been read; what commits from now is read by the reader.
		a = &accountLog{last: latest, floor: latest, listeners: map[*Listener]struct{}{}}
		u.accounts[accountID] = a
	}
	l.log = a
	a.listeners[l] = struct{}{}
	if cursor < latest {
		l.poke() // behind already: events wait for it
	}
	return l, nil
}

// Ready delivers a value when the listener may have events to read.
func (l *Listener) Ready() <-chan struct{} { return l.wake }

// Cursor is the id of the last event the listener returned (or where it started).
func (l *Listener) Cursor() int64 { return l.cursor.Load() }

// Account is the account listened to.
func (l *Listener) Account() int64 { return l.account }

func (l *Listener) poke() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Next returns up to max events after the cursor, oldest first, and moves the cursor past
// them; none when it is level with the log. more reports that others wait already. The events
// may be shared with other listeners: read them, never change them.
func (l *Listener) Next(ctx context.Context, max int) (ups []TradeUpdate, more bool, err error) {
	if max <= 0 || max > readBatch {
		max = readBatch
	}
	u := l.u
	a := l.log
	cursor := l.cursor.Load()
	a.mu.RLock()
	if cursor >= a.floor {
		for i := range a.recent {
			if a.recent[i].EventID > cursor {
				end := min(len(a.recent), i+max)
				// Shared, not copied: a thousand listeners of an account take the same events at
				// once. The window only grows at its end (beyond this slice's capacity) or is
				// replaced by a new array, so these elements never change under a reader.
				ups = a.recent[i:end:end]
				more = end < len(a.recent)
				break
			}
		}
		a.mu.RUnlock()
		if len(ups) > 0 {
			l.cursor.Store(ups[len(ups)-1].EventID)
		}
		return ups, more, nil
	}
	a.mu.RUnlock()

	// Further behind than the window: read the log itself. Within one account ids follow commit
	// order, so what is read here is final.
	rows, err := models.TradeEventsAfter(ctx, u.db, l.account, cursor, max)
	if err != nil {
		return nil, false, fmt.Errorf("trading: read events: %w", err)
	}
	for i := range rows {
		up, err := updateOf(&rows[i])
		if err != nil {
			return nil, false, err
		}
		ups = append(ups, up)
	}
	if len(ups) > 0 {
		l.cursor.Store(ups[len(ups)-1].EventID)
	}
	return ups, len(rows) > 0, nil
}

// Close stops the listener.
func (l *Listener) Close() {
	l.once.Do(func() {
		u := l.u
		u.mu.Lock()
		defer u.mu.Unlock()
		if a := u.accounts[l.account]; a != nil {
			delete(a.listeners, l)
			if len(a.listeners) == 0 {
				delete(u.accounts, l.account)
			}
		}
	})
}

// Listeners is how many listeners an account has in this process.
func (u *Updates) Listeners(accountID int64) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	if a := u.accounts[accountID]; a != nil {
		return len(a.listeners)
	}
	return 0
}

// committed is told of a commit's updates: the accounts' listeners here are woken through the
// reader, and other processes through a notification.
func (u *Updates) committed(ups []TradeUpdate) {
	if u == nil || len(ups) == 0 {
		return
	}
	u.mu.Lock()
	local := false
	for i := range ups {
		id := ups[i].AccountID
		if _, ok := u.accounts[id]; ok {
			u.dirty[id] = struct{}{}
			local = true
		}
		if u.pool != nil {
			u.toNotify[id] = struct{}{}
		}
	}
	u.mu.Unlock()
	if local {
		signal(u.kick)
	}
	if u.pool != nil {
		u.start()
		signal(u.notifyC)
	}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// read is the reader: whenever accounts have news it reads their new events in one query, keeps
// them in the accounts' windows and wakes their listeners.
func (u *Updates) read() {
	var tick <-chan time.Time
	if u.pool != nil {
		t := time.NewTicker(u.poll)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-u.ctx.Done():
			return
		case <-u.kick:
		case <-tick:
			u.markAll()
		}
		for u.readOnce() {
		}
	}
}

// markAll marks every account listened to as having news.
func (u *Updates) markAll() {
	u.mu.Lock()
	for id := range u.accounts {
		u.dirty[id] = struct{}{}
	}
	u.mu.Unlock()
}

// readOnce reads what is new for the dirty accounts; it reports true when an account had more
// than one read takes (read again).
func (u *Updates) readOnce() bool {
	u.mu.Lock()
	cursors := make([]models.TradeEventCursor, 0, len(u.dirty))
	for id := range u.dirty {
		if a := u.accounts[id]; a != nil {
			a.mu.RLock()
			cursors = append(cursors, models.TradeEventCursor{AccountID: id, After: a.last})
			a.mu.RUnlock()
		}
	}
	clear(u.dirty)
	u.mu.Unlock()
	if len(cursors) == 0 {
		return false
	}
	ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
	rows, err := models.TradeEventsAfterEach(ctx, u.db, cursors, readBatch)
	cancel()
	if err != nil {
		if u.ctx.Err() == nil {
			u.log.Warn("trading: reading trade events", "error", err)
			// Read them again with the next news or poll.
			u.mu.Lock()
			for _, c := range cursors {
				u.dirty[c.AccountID] = struct{}{}
			}
			u.mu.Unlock()
		}
		return false
	}
	again := false
	var wake []*Listener
	u.mu.Lock()
	for start := 0; start < len(rows); {
		id := rows[start].AccountID
		end := start
		for end < len(rows) && rows[end].AccountID == id {
			end++
		}
		if end-start == readBatch {
			u.dirty[id] = struct{}{}
			again = true
		}
		a := u.accounts[id]
		if a != nil {
			a.mu.Lock()
			for i := start; i < end; i++ {
				if rows[i].ID <= a.last {
					continue // read already (a listener raced the reader)
				}
				up, err := updateOf(&rows[i])
				if err != nil {
					u.log.Warn("trading: decoding a trade event", "id", rows[i].ID, "error", err)
				}
				a.recent = append(a.recent, up)
				a.last = rows[i].ID
			}
			if n := len(a.recent) - recentEvents; n > 0 {
				a.floor = a.recent[n-1].EventID
				a.recent = append(a.recent[:0:0], a.recent[n:]...) // a new array: readers may hold the old one
			}
			a.mu.Unlock()
			for l := range a.listeners {
				wake = append(wake, l)
			}
		}
		start = end
	}
	u.mu.Unlock()
	for _, l := range wake {
		l.poke()
	}
	return again
}

// notifyChannel is the Postgres channel of trade-event news.
const notifyChannel = "trade_events"

// maxPayload keeps a notification under Postgres' 8000-byte limit.
const maxPayload = 7000

// notify sends the news of this process's commits to the others, coalesced: one NOTIFY carries
// every account that had commits since the previous one. It is sent after commit, not inside
// the transaction: a NOTIFY in a transaction takes a database-wide lock at commit, which would
// serialise every order placement on the server.
func (u *Updates) notify() {
	for {
		select {
		case <-u.ctx.Done():
			return
		case <-u.notifyC:
		}
		u.mu.Lock()
		ids := make([]int64, 0, len(u.toNotify))
		for id := range u.toNotify {
			ids = append(ids, id)
		}
		clear(u.toNotify)
		u.mu.Unlock()
		for len(ids) > 0 {
			var b strings.Builder
			b.WriteString(u.origin)
			b.WriteByte(':')
			n := 0
			for n < len(ids) && b.Len() < maxPayload {
				if n > 0 {
					b.WriteByte(',')
				}
				b.WriteString(strconv.FormatInt(ids[n], 10))
				n++
			}
			ids = ids[n:]
			ctx, cancel := context.WithTimeout(u.ctx, 5*time.Second)
			_, err := u.pool.Exec(ctx, "SELECT pg_notify($1, $2)", notifyChannel, b.String())
			cancel()
			if err != nil && u.ctx.Err() == nil {
				// The other processes' poll reads the events anyway, a little later.
				u.log.Warn("trading: notifying trade events", "error", err)
			}
		}
	}
}

// listen holds a connection taken from the pool that LISTENs for other processes' news, and
// marks their accounts for the reader. After a lost connection it reconnects and reads every
// account listened to, as news may have been missed meanwhile.
func (u *Updates) listen() {
	const retry = time.Second
	for u.ctx.Err() == nil {
		err := u.listenOnce()
		if u.ctx.Err() != nil {
			return
		}
		u.log.Warn("trading: listening for trade events", "error", err)
		select {
		case <-u.ctx.Done():
			return
		case <-time.After(retry): // a back-off before reconnecting, not a synchronisation
		}
	}
}

func (u *Updates) listenOnce() error {
	pc, err := u.pool.Acquire(u.ctx)
	if err != nil {
		return err
	}
	// Hijacked, the connection leaves the pool for good: it waits on notifications and must not
	// be handed to a query, nor hold one of the pool's slots.
	conn := pc.Hijack()
	defer conn.Close(context.Background())
	if _, err := conn.Exec(u.ctx, "LISTEN "+notifyChannel); err != nil {
		return err
	}
	u.markAll()
	signal(u.kick)
	signal(u.remote)
	for {
		n, err := conn.WaitForNotification(u.ctx)
		if err != nil {
			return err
		}
		origin, list, ok := strings.Cut(n.Payload, ":")
		if !ok || origin == u.origin {
			continue
		}
		signal(u.remote)
		marked := false
		u.mu.Lock()
		for _, s := range strings.Split(list, ",") {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				continue
			}
			if _, ok := u.accounts[id]; ok {
				u.dirty[id] = struct{}{}
				marked = true
			}
		}
		u.mu.Unlock()
		if marked {
			signal(u.kick)
		}
	}
}
