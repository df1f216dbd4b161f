package trading

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/models"
	"alpacawrapper/trading/fill"
)

// benchClients is how many clients place orders at once in the order benchmarks.
const benchClients = 32

// BenchmarkPlaceAndFillMarketOrders places market orders through the service, each filled at once
// against the latest quote (one transaction: lock, checks, order, fill, position, ledger, cash),
// from 32 concurrent clients, each on an account of its own. It reports orders per second and the
// p99 latency of one placement. BenchmarkPgbenchEquivalent is its baseline.
func BenchmarkPlaceAndFillMarketOrders(b *testing.B) {
	bb, accounts := benchSetup(b)
	var next atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	b.SetParallelism((benchClients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		a := accounts[int(next.Add(1)-1)%len(accounts)]
		var mine []time.Duration
		side := fill.Buy
		for pb.Next() {
			t0 := time.Now()
			if _, err := bb.svc.PlaceOrder(context.Background(), a.UserID, a.ID, marketOrder("AAPL", side, "1"), SourceAPI); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(t0))
			if side == fill.Buy { // alternate, so positions stay small and every order fills
				side = fill.Sell
			} else {
				side = fill.Buy
			}
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	reportLatency(b, latencies, elapsed)
}

// BenchmarkPgbenchEquivalent runs pgbench, in the same run and against the same database server
// and schema, with a transaction that does the essential writes of a filled market order: lock
// the account, check the client order id, insert the order, the fill and the ledger entry, upsert
// the position, update the cash and the order. It is the baseline for
// BenchmarkPlaceAndFillMarketOrders: the same work with no application in between.
func BenchmarkPgbenchEquivalent(b *testing.B) {
	pgbench, err := exec.LookPath("pgbench")
	if err != nil {
		for _, dir := range []string{"/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"} {
			if _, serr := os.Stat(filepath.Join(dir, "pgbench")); serr == nil {
				pgbench, err = filepath.Join(dir, "pgbench"), nil
				break
			}
		}
	}
	if err != nil {
		b.Skip("pgbench not installed")
	}
	bb, accounts := benchSetup(b)
	var asset int64
	bb.db.Raw("SELECT id FROM assets WHERE symbol = 'AAPL'").Scan(&asset)
	script := filepath.Join(b.TempDir(), "order.sql")
	if err := os.WriteFile(script, []byte(pgbenchScript), 0o600); err != nil {
		b.Fatal(err)
	}
	// b.N transactions in all, split over the clients, so ns/op compares with the Go side's.
	perClient := max(1, (b.N+benchClients-1)/benchClients)
	args := []string{"-n", "-c", strconv.Itoa(benchClients), "-j", strconv.Itoa(runtime.GOMAXPROCS(0)), "-t", strconv.Itoa(perClient),
		"-r", "-f", script, "-D", fmt.Sprintf("lo=%d", accounts[0].ID), "-D", fmt.Sprintf("hi=%d", accounts[len(accounts)-1].ID),
		"-D", fmt.Sprintf("asset=%d", asset), bb.url}
	b.ResetTimer()
	out, err := exec.Command(pgbench, args...).CombinedOutput()
	b.StopTimer()
	if err != nil {
		b.Fatalf("pgbench: %v\n%s", err, out)
	}
	tps := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
	lat := regexp.MustCompile(`latency average = ([0-9.]+) ms`).FindSubmatch(out)
	if tps == nil || lat == nil {
		b.Fatalf("pgbench output not understood:\n%s", out)
	}
	t, _ := strconv.ParseFloat(string(tps[1]), 64)
	l, _ := strconv.ParseFloat(string(lat[1]), 64)
	b.ReportMetric(t, "orders/s")
	b.ReportMetric(l, "avg-ms")
}

// pgbenchScript is the equivalent transaction. Each pgbench client works on an account of its own
// (:lo + :client_id), as each Go client does, so neither side waits on the other's row locks;
// :asset is AAPL.
const pgbenchScript = `\set acct :lo + :client_id
BEGIN;
SELECT cash FROM paper_accounts WHERE id = :acct FOR UPDATE;
SELECT count(*) FROM orders WHERE account_id = :acct AND client_order_id = md5(random()::text);
INSERT INTO orders (id, account_id, period, client_order_id, asset_id, symbol, asset_class, side, type, time_in_force, qty, status, created_at, updated_at, submitted_at)
  VALUES (gen_random_uuid(), :acct, 1, md5(random()::text), :asset, 'AAPL', 'us_equity', 'buy', 'market', 'day', 1, 'new', now(), now(), now());
INSERT INTO fills (id, order_id, account_id, period, symbol, side, qty, price, partial, cum_qty, leaves_qty, position_qty, receipt, executed_at)
  SELECT gen_random_uuid(), id, :acct, 1, 'AAPL', 'buy', 1, 100.02, false, 1, 0, 1, '{}', now() FROM orders WHERE account_id = :acct ORDER BY created_at DESC LIMIT 1;
INSERT INTO positions (account_id, period, symbol, asset_id, asset_class, qty, avg_entry_price, opened_at, updated_at)
  VALUES (:acct, 1, 'AAPL', :asset, 'us_equity', 1, 100.02, now(), now())
  ON CONFLICT (account_id, period, symbol) DO UPDATE SET qty = positions.qty + 1, updated_at = now();
INSERT INTO cash_ledger (account_id, period, kind, amount, balance_after, description, created_at) VALUES (:acct, 1, 'fill', -100.02, 0, 'Bought 1 AAPL', now());
UPDATE paper_accounts SET cash = cash - 100.02, updated_at = now() WHERE id = :acct;
UPDATE orders SET status = 'filled', filled_qty = 1, filled_avg_price = 100.02 WHERE account_id = :acct AND status = 'new' AND type = 'market';
COMMIT;
`

// benchSetup is a bundle on a database of its own with one large account per client and a quote.
type benchBundle struct {
	*bundle
	url string
}

func benchSetup(b *testing.B) (*benchBundle, []*models.PaperAccount) {
	b.Helper()
	url := dbtest.URL(b)
	// The slow-query log is off: on a machine shared with other work, statements pass its 200 ms
	// threshold because the machine is busy, and formatting and writing each one (the trade
	// event's order JSON included) is work the pgbench side does not do. On a quiet machine
	// nothing is logged either way.
	db, err := database.Open(context.Background(), database.Options{URL: url, MaxConns: benchClients,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), SlowQuery: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	bb := newBundle(b, db.Gorm, tuesday10am)
	if _, err := models.UpsertAssets(context.Background(), bb.db, testAssets(), bb.clock.Now()); err != nil {
		b.Fatal(err)
	}
	bb.user = bb.newUser()
	accounts := make([]*models.PaperAccount, benchClients)
	for i := range accounts { // a person per client: an account of their own, as real clients have
		bb.user = bb.newUser()
		accounts[i] = bb.account("10000000", cashSettings())
	}
	bb.quote("AAPL", "99.98", "100.02")
	return &benchBundle{bundle: bb, url: url}, accounts
}

// reportLatency reports throughput and the p50/p99 latency of the operations.
func reportLatency(b *testing.B, lat []time.Duration, elapsed time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "orders/s")
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
