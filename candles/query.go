package candles

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"alpacawrapper/apperr"
	"alpacawrapper/market"
	"alpacawrapper/models"
)

// Page sizes of Query.
const (
	DefaultLimit = 500
	MaxLimit     = 5000
)

// CandleQuery asks for one page of an asset's candles.
type CandleQuery struct {
	// AssetID names the asset; when zero, Symbol does.
	AssetID int64
	Symbol  string
	// Timeframe is required.
	Timeframe market.Timeframe
	// Before asks for the newest candles older than the cursor (a page's NextCursor): scrolling a
	// chart back in time. After asks for the oldest candles newer than the cursor (a page's
	// PrevCursor). With neither, the newest candles. With both, the candles between them, from
	// After onwards.
	Before string
	After  string
	// Limit is the page size: DefaultLimit when zero or less, at most MaxLimit (larger asks are cut).
	Limit int
}

// CandlePage is one page of candles.
type CandlePage struct {
	AssetID   int64
	Symbol    string
	Timeframe market.Timeframe
	// Candles are oldest first, ready for a chart series; Symbol is set on each.
	Candles []market.Bar
	// NextCursor, passed as Before, loads the page of older candles; empty when there are none.
	NextCursor string
	// PrevCursor, passed as After, loads the candles newer than this page. Newer candles appear as
	// time passes, so it is set whenever the page is not empty.
	PrevCursor string
}

// Query returns one page of an asset's candles. Refusals (unknown asset, bad timeframe or
// cursor) are apperr values.
func (s *Store) Query(ctx context.Context, q CandleQuery) (CandlePage, error) {
	bad := apperr.Fields{}
	tf, ok := market.ParseTimeframe(string(q.Timeframe))
	if !ok {
		bad.Add("timeframe", "Choose one of 1m, 5m, 15m, 30m, 1h, 4h, 1D.")
	}
	var before, after time.Time
	if q.Before != "" {
		var err error
		if before, err = decodeCursor(q.Before, tf); err != nil {
			bad.Add("before", "This cursor is not valid for this chart.")
		}
	}
	if q.After != "" {
		var err error
		if after, err = decodeCursor(q.After, tf); err != nil {
			bad.Add("after", "This cursor is not valid for this chart.")
		}
	}
	if err := bad.Err(); err != nil {
		return CandlePage{}, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)

	asset, err := s.asset(ctx, q.AssetID, q.Symbol)
	if err != nil {
		return CandlePage{}, err
	}
	page := CandlePage{AssetID: asset.ID, Symbol: asset.Symbol, Timeframe: tf}
	r := models.CandleRange{AssetID: asset.ID, Timeframe: string(tf), After: after, Before: before}

	var rows []models.Candle
	moreOlder := false
	if q.After != "" {
		// Oldest first from the cursor; anything at or before it is older by construction.
		if rows, err = models.CandlesOldest(ctx, s.db, r, limit); err != nil {
			return CandlePage{}, fmt.Errorf("candles: %w", err)
		}
		if len(rows) > 0 {
			older := models.CandleRange{AssetID: asset.ID, Timeframe: string(tf), Before: rows[0].BucketStart}
			if moreOlder, err = models.AnyCandles(ctx, s.db, older); err != nil {
				return CandlePage{}, fmt.Errorf("candles: %w", err)
			}
		}
	} else {
		// One extra row tells whether an older page exists.
		if rows, err = models.CandlesNewest(ctx, s.db, r, limit+1); err != nil {
			return CandlePage{}, fmt.Errorf("candles: %w", err)
		}
		if len(rows) > limit {
			rows, moreOlder = rows[:limit], true
		}
		slices.Reverse(rows)
	}
	page.Candles = make([]market.Bar, len(rows))
	for i, c := range rows {
		page.Candles[i] = toBar(c, asset.Symbol)
	}
	if len(rows) > 0 {
		if moreOlder {
			page.NextCursor = encodeCursor(tf, rows[0].BucketStart)
		}
		page.PrevCursor = encodeCursor(tf, rows[len(rows)-1].BucketStart)
	}
	return page, nil
}

// asset resolves the asset a query names.
func (s *Store) asset(ctx context.Context, id int64, symbol string) (*models.CandleAsset, error) {
	var (
		a   *models.CandleAsset
		err error
	)
	switch {
	case id != 0:
		a, err = models.CandleAssetByID(ctx, s.db, id)
	case strings.TrimSpace(symbol) != "":
		a, err = models.CandleAssetBySymbol(ctx, s.db, strings.ToUpper(strings.TrimSpace(symbol)))
	default:
		return nil, apperr.Invalid(map[string]string{"symbol": "Say which asset."})
	}
	if errors.Is(err, models.ErrNotFound) {
		return nil, apperr.New(apperr.KindNotFound, "asset_not_found", "There is no such asset.")
	}
	if err != nil {
		return nil, fmt.Errorf("candles: %w", err)
	}
	return a, nil
}

// Cursors are opaque to clients: base64 of the timeframe and the bucket start in microseconds
// (PostgreSQL's precision), so a cursor of one chart is refused by another.
func encodeCursor(tf market.Timeframe, start time.Time) string {
	return base64.RawURLEncoding.EncodeToString([]byte(string(tf) + ":" + strconv.FormatInt(start.UnixMicro(), 10)))
}

var errBadCursor = errors.New("candles: bad cursor")

func decodeCursor(cursor string, tf market.Timeframe) (time.Time, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return time.Time{}, errBadCursor
	}
	name, micros, ok := strings.Cut(string(raw), ":")
	if !ok || name != string(tf) {
		return time.Time{}, errBadCursor
	}
	us, err := strconv.ParseInt(micros, 10, 64)
	if err != nil {
		return time.Time{}, errBadCursor
	}
	return time.UnixMicro(us).UTC(), nil
}
