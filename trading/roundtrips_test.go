package trading

import (
	"context"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
)

// statementLog records the SQL statements GORM sends on a db, to count round trips.
type statementLog struct {
	mu   sync.Mutex
	sqls []string
}

func logStatements(t *testing.T, db *gorm.DB) *statementLog {
	t.Helper()
	l := &statementLog{}
	rec := func(tx *gorm.DB) {
		l.mu.Lock()
		l.sqls = append(l.sqls, tx.Statement.SQL.String())
		l.mu.Unlock()
	}
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("test:count_create", rec),
		cb.Query().After("gorm:query").Register("test:count_query", rec),
		cb.Update().After("gorm:update").Register("test:count_update", rec),
		cb.Delete().After("gorm:delete").Register("test:count_delete", rec),
		cb.Row().After("gorm:row").Register("test:count_row", rec),
		cb.Raw().After("gorm:raw").Register("test:count_raw", rec),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func (l *statementLog) reset() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.sqls
	l.sqls = nil
	return out
}

// maxMarketOrderStatements is how many statements placing a market order that fills at once may
// send besides BEGIN and COMMIT: the asset, the account lock, the placement read (the account's
// positions, what its working orders hold, and whether the client_order_id is taken), the booking
// (the order as filled, its fill, the position, the ledger and the cash in one statement) and the
// trade events. Each is a round trip,
// and round trips are what BenchmarkPlaceAndFillMarketOrders pays for against pgbench.
const maxMarketOrderStatements = 5

func TestMarketOrderRoundTrips(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.account("100000", cashSettings())
	b.quote("AAPL", "99.98", "100.02")
	log := logStatements(t, b.db)
	// Opening, closing and opening again: a position inserted, deleted and inserted.
	for i, side := range []fill.Side{fill.Buy, fill.Sell, fill.Buy} {
		log.reset()
		o, err := b.svc.PlaceOrder(context.Background(), b.user, a.ID, marketOrder("AAPL", side, "1"), SourceAPI)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != models.OrderFilled {
			t.Fatalf("order %d: status %s, want filled", i, o.Status)
		}
		if sqls := log.reset(); len(sqls) > maxMarketOrderStatements {
			t.Errorf("order %d (%s): %d statements, want at most %d:\n%s", i, side, len(sqls), maxMarketOrderStatements, strings.Join(sqls, "\n"))
		}
	}
	b.checkBooks(a)
}
