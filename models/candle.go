package models

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// Candle sources: which path last changed a row.
const (
	CandleSourceLive     = "live"
	CandleSourceBackfill = "backfill"
	// CandleSourceDaily marks a 1D row stored from the provider's daily bar, for a day older than
	// the minutes loaded (see package candles).
	CandleSourceDaily = "daily"
)

// Candle is one OHLCV row of any timeframe. The '1m' rows are the source of truth; coarser rows
// are recomputed from them (see package candles).
type Candle struct {
	AssetID     int64     `gorm:"primaryKey;autoIncrement:false"`
	Timeframe   string    `gorm:"primaryKey"`
	BucketStart time.Time `gorm:"primaryKey"`
	Open        decimal.Decimal
	High        decimal.Decimal
	Low         decimal.Decimal
	Close       decimal.Decimal
	Volume      decimal.Decimal
	TradeCount  int64
	VWAP        decimal.Decimal `gorm:"column:vwap"`
	Source      string
	UpdatedAt   time.Time
}

// TableName is the table's name in the migrations.
func (Candle) TableName() string { return "candles" }

// upsertCandlesSQL writes rows passed as parallel arrays. One statement text whatever the number
// of rows (no parameter limit, one cached plan). Unchanged rows are left alone, so a replayed
// minute rewrites nothing. Decimals travel as text and are cast, so no float ever touches them.
const upsertCandlesSQL = `
INSERT INTO candles (asset_id, timeframe, bucket_start, open, high, low, close, volume, trade_count, vwap, source, updated_at)
SELECT u.asset_id, u.timeframe, u.bucket_start, u.open, u.high, u.low, u.close, u.volume, u.trade_count, u.vwap, u.source, now()
FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[]::numeric[], $5::text[]::numeric[],
            $6::text[]::numeric[], $7::text[]::numeric[], $8::text[]::numeric[], $9::bigint[],
            $10::text[]::numeric[], $11::text[])
     AS u(asset_id, timeframe, bucket_start, open, high, low, close, volume, trade_count, vwap, source)
ON CONFLICT (asset_id, timeframe, bucket_start) DO UPDATE SET
    open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
    volume = excluded.volume, trade_count = excluded.trade_count, vwap = excluded.vwap,
    source = excluded.source, updated_at = excluded.updated_at
WHERE (candles.open, candles.high, candles.low, candles.close, candles.volume, candles.trade_count, candles.vwap)
      IS DISTINCT FROM
      (excluded.open, excluded.high, excluded.low, excluded.close, excluded.volume, excluded.trade_count, excluded.vwap)`

// upsertBatch bounds the arrays of one statement, and so the memory of one round trip.
const upsertBatch = 5000

// UpsertCandles inserts rows or replaces the stored row of the same asset, timeframe and bucket.
// Of several rows for one key, the last wins (PostgreSQL refuses to update a row twice in one
// statement). UpdatedAt is set by the database; the field is ignored.
func UpsertCandles(ctx context.Context, db *gorm.DB, rows []Candle) error {
	rows = lastPerKey(rows)
	pool := db.WithContext(ctx).Statement.ConnPool
	for len(rows) > 0 {
		n := min(len(rows), upsertBatch)
		batch := rows[:n]
		rows = rows[n:]
		var (
			assets     = make([]int64, n)
			timeframes = make([]string, n)
			starts     = make([]time.Time, n)
			opens      = make([]string, n)
			highs      = make([]string, n)
			lows       = make([]string, n)
			closes     = make([]string, n)
			volumes    = make([]string, n)
			counts     = make([]int64, n)
			vwaps      = make([]string, n)
			sources    = make([]string, n)
		)
		for i, r := range batch {
			assets[i], timeframes[i], starts[i] = r.AssetID, r.Timeframe, r.BucketStart.UTC()
			opens[i], highs[i], lows[i], closes[i] = r.Open.String(), r.High.String(), r.Low.String(), r.Close.String()
			volumes[i], counts[i], vwaps[i], sources[i] = r.Volume.String(), r.TradeCount, r.VWAP.String(), r.Source
		}
		_, err := pool.ExecContext(ctx, upsertCandlesSQL,
			assets, timeframes, starts, opens, highs, lows, closes, volumes, counts, vwaps, sources)
		if err != nil {
			return fmt.Errorf("models: upsert %d candles: %w", n, err)
		}
	}
	return nil
}

type candleKey struct {
	asset     int64
	timeframe string
	start     int64
}

// lastPerKey drops every row that a later row of the same key replaces, keeping the order.
func lastPerKey(rows []Candle) []Candle {
	last := make(map[candleKey]int, len(rows))
	for i, r := range rows {
		last[candleKey{r.AssetID, r.Timeframe, r.BucketStart.UnixMicro()}] = i
	}
	if len(last) == len(rows) {
		return rows
	}
	out := make([]Candle, 0, len(last))
	for i, r := range rows {
		if last[candleKey{r.AssetID, r.Timeframe, r.BucketStart.UnixMicro()}] == i {
			out = append(out, r)
		}
	}
	return out
}

// MinuteCandles returns an asset's 1-minute rows with bucket_start in [from, to), oldest first,
// with the columns that candle arithmetic needs (not Source or UpdatedAt). It sits on the write
// path of every minute, so it scans rows directly rather than through GORM's reflection, which
// takes three times as long.
func MinuteCandles(ctx context.Context, db *gorm.DB, assetID int64, from, to time.Time) ([]Candle, error) {
	rows, err := db.WithContext(ctx).Statement.ConnPool.QueryContext(ctx, `
		SELECT bucket_start, open, high, low, close, volume, trade_count, vwap FROM candles
		WHERE asset_id = $1 AND timeframe = '1m' AND bucket_start >= $2 AND bucket_start < $3
		ORDER BY bucket_start`, assetID, from.UTC(), to.UTC())
	if err != nil {
		return nil, fmt.Errorf("models: minute candles of asset %d: %w", assetID, err)
	}
	defer rows.Close()
	var out []Candle
	for rows.Next() {
		c := Candle{AssetID: assetID, Timeframe: "1m"}
		if err := rows.Scan(&c.BucketStart, &c.Open, &c.High, &c.Low, &c.Close, &c.Volume, &c.TradeCount, &c.VWAP); err != nil {
			return nil, fmt.Errorf("models: minute candles of asset %d: %w", assetID, err)
		}
		c.BucketStart = c.BucketStart.UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("models: minute candles of asset %d: %w", assetID, err)
	}
	return out, nil
}

// MinuteStarts returns the starts of an asset's stored minutes in [from, to), oldest first: what
// a gap search needs, without the prices.
func MinuteStarts(ctx context.Context, db *gorm.DB, assetID int64, from, to time.Time) ([]time.Time, error) {
	var starts []time.Time
	err := db.WithContext(ctx).Raw(`SELECT bucket_start FROM candles
		WHERE asset_id = ? AND timeframe = '1m' AND bucket_start >= ? AND bucket_start < ?
		ORDER BY bucket_start`, assetID, from.UTC(), to.UTC()).Scan(&starts).Error
	if err != nil {
		return nil, fmt.Errorf("models: minute starts of asset %d: %w", assetID, err)
	}
	for i := range starts {
		starts[i] = starts[i].UTC()
	}
	return starts, nil
}

// CandleRange bounds a page of candles. A zero After or Before is no bound.
type CandleRange struct {
	AssetID   int64
	Timeframe string
	After     time.Time // exclusive
	Before    time.Time // exclusive
}

func (r CandleRange) where(db *gorm.DB) *gorm.DB {
	q := db.Model(&Candle{}).Where("asset_id = ? AND timeframe = ?", r.AssetID, r.Timeframe)
	if !r.After.IsZero() {
		q = q.Where("bucket_start > ?", r.After.UTC())
	}
	if !r.Before.IsZero() {
		q = q.Where("bucket_start < ?", r.Before.UTC())
	}
	return q
}

// CandlesNewest returns up to limit rows of the range, the newest first.
func CandlesNewest(ctx context.Context, db *gorm.DB, r CandleRange, limit int) ([]Candle, error) {
	return candlesPage(ctx, db, r, limit, "bucket_start DESC")
}

// CandlesOldest returns up to limit rows of the range, the oldest first.
func CandlesOldest(ctx context.Context, db *gorm.DB, r CandleRange, limit int) ([]Candle, error) {
	return candlesPage(ctx, db, r, limit, "bucket_start")
}

func candlesPage(ctx context.Context, db *gorm.DB, r CandleRange, limit int, order string) ([]Candle, error) {
	var rows []Candle
	if err := r.where(db.WithContext(ctx)).Order(order).Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("models: candles of asset %d: %w", r.AssetID, err)
	}
	return utcCandles(rows), nil
}

// AnyCandles reports whether the range holds at least one row.
func AnyCandles(ctx context.Context, db *gorm.DB, r CandleRange) (bool, error) {
	var found []int
	if err := r.where(db.WithContext(ctx)).Select("1").Limit(1).Scan(&found).Error; err != nil {
		return false, fmt.Errorf("models: candles of asset %d: %w", r.AssetID, err)
	}
	return len(found) > 0, nil
}

// LockAssetCandles serialises writers of one asset's candles until tx ends. Two transactions
// that each insert a minute and then recompute a shared bucket would otherwise each miss the
// other's uncommitted minute, and the later commit would store a bucket short of one. The
// two-key advisory lock space is separate from the one-key space goose and the tests use.
func LockAssetCandles(ctx context.Context, tx *gorm.DB, assetID int64) error {
	const candlesLockSpace = 0x63616e64 // "cand"
	err := tx.WithContext(ctx).Exec(`SELECT pg_advisory_xact_lock(?::int, (?::bigint % 2147483647)::int)`,
		candlesLockSpace, assetID).Error
	if err != nil {
		return fmt.Errorf("models: lock candles of asset %d: %w", assetID, err)
	}
	return nil
}

func utcCandles(rows []Candle) []Candle {
	for i := range rows {
		rows[i].BucketStart = rows[i].BucketStart.UTC()
		rows[i].UpdatedAt = rows[i].UpdatedAt.UTC()
	}
	return rows
}

// CandleAsset is what candle code needs to know of an asset. The assets table belongs to the
// catalogue; this reads three of its columns.
type CandleAsset struct {
	ID     int64
	Symbol string
	Class  string // "us_equity" or "crypto"
}

// CandleAssetByID loads an asset's id, symbol and class.
func CandleAssetByID(ctx context.Context, db *gorm.DB, id int64) (*CandleAsset, error) {
	var a CandleAsset
	err := db.WithContext(ctx).Table("assets").Select("id, symbol, class").Where("id = ?", id).Take(&a).Error
	if err != nil {
		return nil, fmt.Errorf("models: asset %d: %w", id, notFound(err))
	}
	return &a, nil
}

// CandleAssetBySymbol loads an asset's id, symbol and class by its exact symbol.
func CandleAssetBySymbol(ctx context.Context, db *gorm.DB, symbol string) (*CandleAsset, error) {
	var a CandleAsset
	err := db.WithContext(ctx).Table("assets").Select("id, symbol, class").Where("symbol = ?", symbol).Take(&a).Error
	if err != nil {
		return nil, fmt.Errorf("models: asset %q: %w", symbol, notFound(err))
	}
	return &a, nil
}

// BackfillStatus is where an asset's candle backfill stands.
type BackfillStatus string

// The backfill statuses.
const (
	BackfillPending BackfillStatus = "pending" // queued, not started
	BackfillRunning BackfillStatus = "running"
	BackfillDone    BackfillStatus = "done"
	BackfillFailed  BackfillStatus = "failed" // the last attempt failed; River may still retry
)

// BackfillState is the progress of an asset's candle backfill, shown on admin pages and read by
// a retried job to resume where the last attempt stopped.
type BackfillState struct {
	AssetID int64 `gorm:"primaryKey;autoIncrement:false"`
	Status  BackfillStatus
	// [BackfilledFrom, BackfilledTo) is the contiguous span already loaded; nil before any chunk.
	BackfilledFrom *time.Time
	BackfilledTo   *time.Time
	BarsLoaded     int64
	// DailyFrom is how far back the provider's daily bars are loaded (they reach up to the minute
	// span's start); nil before they are. DailyBars counts the daily bars stored (days the minutes
	// later reached are rebuilt from them, so it can exceed the daily rows left).
	DailyFrom  *time.Time
	DailyBars  int64
	LastError  string
	StartedAt  *time.Time
	FinishedAt *time.Time
	UpdatedAt  time.Time
}

// TableName is the table's name in the migrations.
func (BackfillState) TableName() string { return "backfill_state" }

// BackfillStateOf loads an asset's backfill progress; ErrNotFound when it was never queued.
func BackfillStateOf(ctx context.Context, db *gorm.DB, assetID int64) (*BackfillState, error) {
	var s BackfillState
	if err := db.WithContext(ctx).Where("asset_id = ?", assetID).Take(&s).Error; err != nil {
		return nil, fmt.Errorf("models: backfill state of asset %d: %w", assetID, notFound(err))
	}
	return &s, nil
}

// SaveBackfillState writes the whole row, creating it when absent.
func SaveBackfillState(ctx context.Context, db *gorm.DB, s *BackfillState) error {
	s.UpdatedAt = time.Now().UTC()
	if err := db.WithContext(ctx).Save(s).Error; err != nil {
		return fmt.Errorf("models: save backfill state of asset %d: %w", s.AssetID, err)
	}
	return nil
}

// MarkBackfillQueued records that a backfill was queued. An asset already known keeps its
// progress (a new run resumes from it); only a failed one goes back to pending.
func MarkBackfillQueued(ctx context.Context, db *gorm.DB, assetID int64) error {
	err := db.WithContext(ctx).Exec(`INSERT INTO backfill_state (asset_id, status) VALUES (?, 'pending')
		ON CONFLICT (asset_id) DO UPDATE SET status = 'pending', updated_at = now()
		WHERE backfill_state.status = 'failed'`, assetID).Error
	if err != nil {
		return fmt.Errorf("models: mark backfill of asset %d queued: %w", assetID, err)
	}
	return nil
}

// BackfillProgress is a backfill state with its asset's symbol, for admin pages.
type BackfillProgress struct {
	BackfillState
	Symbol string
}

// BackfillProgressList lists every asset's backfill state, the most recently changed first.
func BackfillProgressList(ctx context.Context, db *gorm.DB) ([]BackfillProgress, error) {
	var rows []BackfillProgress
	err := db.WithContext(ctx).Table("backfill_state b").
		Select("b.*, a.symbol").Joins("JOIN assets a ON a.id = b.asset_id").
		Order("b.updated_at DESC, b.asset_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: backfill progress: %w", err)
	}
	return rows, nil
}

// BackfilledAssets lists the active assets whose backfill has completed: the ones whose candles
// are kept complete by the gap filler.
func BackfilledAssets(ctx context.Context, db *gorm.DB) ([]CandleAsset, error) {
	var rows []CandleAsset
	err := db.WithContext(ctx).Table("assets a").Select("a.id, a.symbol, a.class").
		Joins("JOIN backfill_state b ON b.asset_id = a.id").
		Where("b.status = ? AND a.active", BackfillDone).Order("a.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: backfilled assets: %w", err)
	}
	return rows, nil
}

// ActiveJob is a queued or running job's asset and requester, read from River's table.
type ActiveJob struct {
	AssetID     int64
	RequestedBy string
}

// ActiveJobsOfKind lists the jobs of a kind that are queued, scheduled, retrying or running, with
// the asset_id and requested_by of their arguments: what bounds on concurrent backfills count.
func ActiveJobsOfKind(ctx context.Context, db *gorm.DB, kind string) ([]ActiveJob, error) {
	var rows []ActiveJob
	err := db.WithContext(ctx).Raw(`SELECT coalesce((args->>'asset_id')::bigint, 0) AS asset_id,
			coalesce(args->>'requested_by', '') AS requested_by
		FROM river_job WHERE kind = ? AND state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`,
		kind).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: active %s jobs: %w", kind, err)
	}
	return rows, nil
}
