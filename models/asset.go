package models

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"alpacawrapper/market"
)

// Asset is one instrument of the catalogue, as last synced from the market-data provider. The
// symbol is its identity: a ticker change at the provider arrives as a new asset, and the old
// symbol is deactivated.
type Asset struct {
	ID                int64
	ProviderID        *string // nil once another symbol took the provider's id
	Symbol            string
	Name              string
	Class             market.AssetClass
	Exchange          string
	Active            bool
	Tradable          bool
	Marginable        bool
	Shortable         bool
	EasyToBorrow      bool
	Fractionable      bool
	MarginRequirement decimal.NullDecimal // maintenance margin in percent; null when unknown
	MinOrderSize      decimal.NullDecimal // crypto only
	MinTradeIncrement decimal.NullDecimal // crypto only
	PriceIncrement    decimal.NullDecimal // crypto only
	SyncedAt          time.Time           // when the provider last listed it
	CreatedAt         time.Time
	UpdatedAt         time.Time // when a field last changed, not merely re-synced
}

// MarketAsset converts the row back into the provider-neutral type; unknown numbers become zero,
// as market.Asset documents.
func (a *Asset) MarketAsset() market.Asset {
	var providerID string
	if a.ProviderID != nil {
		providerID = *a.ProviderID
	}
	return market.Asset{
		ProviderID: providerID, Symbol: a.Symbol, Name: a.Name, Class: a.Class, Exchange: a.Exchange,
		Active: a.Active, Tradable: a.Tradable, Marginable: a.Marginable, Shortable: a.Shortable,
		EasyToBorrow: a.EasyToBorrow, Fractionable: a.Fractionable,
		MarginRequirement: a.MarginRequirement.Decimal, MinOrderSize: a.MinOrderSize.Decimal,
		MinTradeIncrement: a.MinTradeIncrement.Decimal, PriceIncrement: a.PriceIncrement.Decimal,
	}
}

// assetUpsertBatch is how many assets one INSERT carries: 500 rows of 18 parameters stay far
// below PostgreSQL's 65,535-parameter limit while a 30,000-asset catalogue takes 60 statements.
const assetUpsertBatch = 500

// assetColumns are the columns UpsertAssets writes, in the order of assetRow's values.
const assetColumns = `provider_id, symbol, name, class, exchange, active, tradable, marginable, shortable,
	easy_to_borrow, fractionable, margin_requirement, min_order_size, min_trade_increment, price_increment,
	synced_at, created_at, updated_at`

// assetChanged compares every provider-owned column, so updated_at moves only when one changed.
const assetChanged = `(a.provider_id, a.name, a.class, a.exchange, a.active, a.tradable, a.marginable, a.shortable,
		a.easy_to_borrow, a.fractionable, a.margin_requirement, a.min_order_size, a.min_trade_increment, a.price_increment)
	IS DISTINCT FROM
	(EXCLUDED.provider_id, EXCLUDED.name, EXCLUDED.class, EXCLUDED.exchange, EXCLUDED.active, EXCLUDED.tradable,
		EXCLUDED.marginable, EXCLUDED.shortable, EXCLUDED.easy_to_borrow, EXCLUDED.fractionable,
		EXCLUDED.margin_requirement, EXCLUDED.min_order_size, EXCLUDED.min_trade_increment, EXCLUDED.price_increment)`

// UpsertAssets writes the provider's catalogue in batched multi-row upserts keyed on the symbol
// and returns how many rows were inserted or refreshed. Every listed asset gets synced_at = now;
// updated_at moves only for rows whose data changed. Run it in a transaction (the sync job holds
// an advisory lock in it) so readers never see half a catalogue.
//
// Duplicate symbols in the input keep the last one; assets of other classes than us_equity and
// crypto are skipped. A provider id that moved to another symbol is first released by its old
// row, which the caller's DeactivateAssetsMissing then retires.
func UpsertAssets(ctx context.Context, tx *gorm.DB, assets []market.Asset, now time.Time) (int, error) {
	assets = dedupeAssets(assets)
	if len(assets) == 0 {
		return 0, nil
	}
	now = now.UTC()
	db := tx.WithContext(ctx)
	var ids, idSymbols []string
	for _, a := range assets {
		if a.ProviderID != "" {
			ids, idSymbols = append(ids, a.ProviderID), append(idSymbols, a.Symbol)
		}
	}
	if len(ids) > 0 {
		err := db.Exec(`UPDATE assets AS a SET provider_id = NULL, updated_at = ?
			FROM unnest(?::text[], ?::text[]) AS n(provider_id, symbol)
			WHERE a.provider_id = n.provider_id AND a.symbol <> n.symbol`,
			now, textArray(ids), textArray(idSymbols)).Error
		if err != nil {
			return 0, fmt.Errorf("models: upsert assets: release moved provider ids: %w", err)
		}
	}

	var total int
	for start := 0; start < len(assets); start += assetUpsertBatch {
		batch := assets[start:min(start+assetUpsertBatch, len(assets))]
		var sql strings.Builder
		sql.WriteString("INSERT INTO assets AS a (" + assetColumns + ") VALUES ")
		args := make([]any, 0, len(batch)*18)
		for i, in := range batch {
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, assetRow(in, now)...)
		}
		sql.WriteString(` ON CONFLICT (symbol) DO UPDATE SET
			provider_id = EXCLUDED.provider_id, name = EXCLUDED.name, class = EXCLUDED.class,
			exchange = EXCLUDED.exchange, active = EXCLUDED.active, tradable = EXCLUDED.tradable,
			marginable = EXCLUDED.marginable, shortable = EXCLUDED.shortable,
			easy_to_borrow = EXCLUDED.easy_to_borrow, fractionable = EXCLUDED.fractionable,
			margin_requirement = EXCLUDED.margin_requirement, min_order_size = EXCLUDED.min_order_size,
			min_trade_increment = EXCLUDED.min_trade_increment, price_increment = EXCLUDED.price_increment,
			synced_at = EXCLUDED.synced_at,
			updated_at = CASE WHEN ` + assetChanged + ` THEN EXCLUDED.updated_at ELSE a.updated_at END`)
		res := db.Exec(sql.String(), args...)
		if res.Error != nil {
			return total, fmt.Errorf("models: upsert assets %d–%d: %w", start, start+len(batch), res.Error)
		}
		total += int(res.RowsAffected)
	}
	return total, nil
}

// dedupeAssets drops empty symbols, classes the app does not trade (an options contract that
// slipped into a catalogue would otherwise fail the whole sync on the class check) and repeated
// symbols (the last wins, in first-seen order), and keeps a provider id only on the first symbol
// that claims it: one statement may touch a row once, and the id is unique.
func dedupeAssets(in []market.Asset) []market.Asset {
	index := make(map[string]int, len(in))
	out := make([]market.Asset, 0, len(in))
	for _, a := range in {
		if a.Symbol == "" || (a.Class != market.USEquity && a.Class != market.Crypto) {
			continue
		}
		if i, ok := index[a.Symbol]; ok {
			out[i] = a
			continue
		}
		index[a.Symbol] = len(out)
		out = append(out, a)
	}
	claimed := make(map[string]bool, len(out))
	for i := range out {
		if id := out[i].ProviderID; id != "" {
			if claimed[id] {
				out[i].ProviderID = ""
			}
			claimed[id] = true
		}
	}
	return out
}

// assetRow is one asset's values in assetColumns order. Zero decimals mean "unknown" or "not
// applicable" in market.Asset, so they are stored as NULL.
func assetRow(a market.Asset, now time.Time) []any {
	var providerID *string
	if a.ProviderID != "" {
		providerID = &a.ProviderID
	}
	return []any{providerID, a.Symbol, a.Name, string(a.Class), a.Exchange, a.Active, a.Tradable, a.Marginable,
		a.Shortable, a.EasyToBorrow, a.Fractionable, nullIfZero(a.MarginRequirement), nullIfZero(a.MinOrderSize),
		nullIfZero(a.MinTradeIncrement), nullIfZero(a.PriceIncrement), now, now, now}
}

func nullIfZero(d decimal.Decimal) decimal.NullDecimal {
	return decimal.NullDecimal{Decimal: d, Valid: !d.IsZero()}
}

// DeactivateAssetsMissing retires every active or tradable asset whose symbol is not in seen (the
// provider's latest catalogue): it is no longer listed, so it is neither active nor tradable. It
// returns how many assets it retired. An empty seen retires everything: callers must refuse an
// empty catalogue before calling it.
func DeactivateAssetsMissing(ctx context.Context, tx *gorm.DB, seen []string, now time.Time) (int, error) {
	res := tx.WithContext(ctx).Exec(`UPDATE assets SET active = false, tradable = false, updated_at = ?
		WHERE (active OR tradable) AND NOT (symbol = ANY(?::text[]))`, now.UTC(), textArray(seen))
	if res.Error != nil {
		return 0, fmt.Errorf("models: deactivate missing assets: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}

// FlushAssetSearchIndexes moves the entries a sync left in the trigram indexes' pending lists
// into the indexes proper. Until that happens (autovacuum does it eventually) every search scans
// the whole pending list, which after a full catalogue load makes a search take a second instead
// of milliseconds. Run it after the sync commits; it needs to own the indexes, as the role that
// ran the migrations does.
func FlushAssetSearchIndexes(ctx context.Context, db *gorm.DB) error {
	err := db.WithContext(ctx).Exec(`SELECT gin_clean_pending_list('assets_name_trgm'::regclass),
		gin_clean_pending_list('assets_symbol_trgm'::regclass)`).Error
	if err != nil {
		return fmt.Errorf("models: flush asset search indexes: %w", err)
	}
	return nil
}

// AssetBySymbol loads an asset, active or not, by its symbol in any case.
func AssetBySymbol(ctx context.Context, db *gorm.DB, symbol string) (*Asset, error) {
	var a Asset
	err := db.WithContext(ctx).Where("upper(symbol) = ?", strings.ToUpper(strings.TrimSpace(symbol))).First(&a).Error
	if err != nil {
		return nil, fmt.Errorf("models: asset %q: %w", symbol, notFound(err))
	}
	return &a, nil
}

// AssetsBySymbols loads the assets, active or not, with the given symbols in any case, keyed by
// their stored symbol. Symbols not in the catalogue are absent from the map.
func AssetsBySymbols(ctx context.Context, db *gorm.DB, symbols []string) (map[string]Asset, error) {
	out := make(map[string]Asset, len(symbols))
	if len(symbols) == 0 {
		return out, nil
	}
	upper := make([]string, len(symbols))
	for i, s := range symbols {
		upper[i] = strings.ToUpper(strings.TrimSpace(s))
	}
	var rows []Asset
	if err := db.WithContext(ctx).Where("upper(symbol) = ANY(?::text[])", textArray(upper)).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("models: assets by symbols: %w", err)
	}
	for _, a := range rows {
		out[a.Symbol] = a
	}
	return out, nil
}

// Page sizes of SearchAssets.
const (
	DefaultAssetLimit = 50
	MaxAssetLimit     = 1000
)

// maxSearchRunes bounds the text a search compares, so a pasted essay costs no more than a name.
const maxSearchRunes = 100

// minFuzzyRunes is the shortest text matched inside names and by trigram similarity. Shorter
// text starts a word in, or shares a trigram with, half the catalogue: noise rather than a typo,
// and a scan of every name that no index can shorten. It still matches symbol and name prefixes.
const minFuzzyRunes = 3

// AssetQuery is a catalogue search. The zero value lists active assets alphabetically.
type AssetQuery struct {
	// Text matches symbols and names; see SearchAssets for the ranking. Empty: no text filter.
	Text string
	// Class and Exchange keep only assets of that class ("us_equity", "crypto") or exchange
	// ("NASDAQ"); empty: any.
	Class    string
	Exchange string
	// Classes and Exchanges are multiple choices: an asset of any of them matches. Each,
	// when set, is used instead of Class or Exchange.
	Classes   []string
	Exchanges []string
	// Sort orders the results by a column instead of by relevance (AssetSorts lists them; "-"
	// before a name reverses it). Empty: relevance with text, symbol without.
	Sort string
	// Flag filters: nil ignores the flag, otherwise the asset's flag must equal it.
	Tradable     *bool
	Marginable   *bool
	Shortable    *bool
	Fractionable *bool
	// IncludeInactive also lists assets the provider no longer lists. The default (false) is
	// "active only", so a caller that forgets the field never offers a delisted asset.
	IncludeInactive bool
	// Limit is the page size: DefaultAssetLimit when zero or less, at most MaxAssetLimit.
	Limit  int
	Offset int
}

// assetSearch is the cleaned-up text of a query, in the forms each match needs.
type assetSearch struct {
	text         string // trimmed, valid UTF-8, bounded
	upper        string // for symbol equality
	symbolPrefix string // LIKE pattern on upper(symbol)
	namePrefix   string // LIKE pattern on lower(name)
	wordStart    string // case-insensitive regular expression: a word of the name starts with the text
	fuzzy        bool   // long enough for word starts and similarity to mean something
}

func newAssetSearch(text string) (assetSearch, bool) {
	text = strings.TrimSpace(strings.ReplaceAll(strings.ToValidUTF8(text, ""), "\x00", ""))
	if utf8.RuneCountInString(text) > maxSearchRunes {
		text = strings.TrimSpace(string([]rune(text)[:maxSearchRunes]))
	}
	if text == "" {
		return assetSearch{}, false
	}
	escaped := assetLikeEscaper.Replace(text)
	return assetSearch{
		text:         text,
		upper:        strings.ToUpper(text),
		symbolPrefix: strings.ToUpper(escaped) + "%",
		namePrefix:   strings.ToLower(escaped) + "%",
		// QuoteMeta backslash-escapes only punctuation, which PostgreSQL's regular expressions
		// read as the literal character, so the text is matched as typed.
		wordStart: `\m` + regexp.QuoteMeta(text),
		fuzzy:     utf8.RuneCountInString(text) >= minFuzzyRunes,
	}, true
}

// assetLikeEscaper makes LIKE's wildcards (and its escape character) literal, so "BRK_B" or "100%"
// match those characters rather than any.
var assetLikeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// minSymbolSimilarity is how alike a symbol must be to the text to match by trigrams. It keeps
// tickers typed without their punctuation ("BRKB" for BRK.B: 0.43, "BTCUSD" for BTC/USD: 0.5)
// and drops short symbols that merely share a letter or two ("AA" for "AAPL": 0.33).
const minSymbolSimilarity = 0.4

// match is the condition an asset must meet to be found by the text. The name is compared by
// word similarity (pg_trgm's <% at its default 0.6), which measures the text against the
// best-matching stretch of the name, so "microsft" finds "Microsoft Corporation" however long the
// rest of the name is. Symbols use the % operator (which the trigram index serves) refined by
// minSymbolSimilarity. Typos of tickers ("APPL") are mostly caught through the name.
func (s assetSearch) match() clause.Expr {
	if !s.fuzzy {
		return clause.Expr{SQL: `(upper(symbol) LIKE ? ESCAPE '\' OR lower(name) LIKE ? ESCAPE '\')`,
			Vars: []any{s.symbolPrefix, s.namePrefix}}
	}
	return clause.Expr{SQL: `(upper(symbol) LIKE ? ESCAPE '\' OR lower(name) LIKE ? ESCAPE '\' OR name ~* ?
		OR ? <% name OR (symbol % ? AND similarity(symbol, ?) >= ?))`,
		Vars: []any{s.symbolPrefix, s.namePrefix, s.wordStart, s.text, s.text, s.text, minSymbolSimilarity}}
}

// order ranks the matches: exact symbol, symbol prefix, name prefix, a word of the name starting
// with the text, then the merely similar by similarity (of symbol and name together, so "APPL"
// puts Apple Inc. before other "Appl…" names). Ties go alphabetically by symbol.
func (s assetSearch) order() clause.Expr {
	if !s.fuzzy {
		return clause.Expr{SQL: `CASE WHEN upper(symbol) = ? THEN 0 WHEN upper(symbol) LIKE ? ESCAPE '\' THEN 1 ELSE 2 END, symbol`,
			Vars: []any{s.upper, s.symbolPrefix}}
	}
	return clause.Expr{SQL: `CASE
			WHEN upper(symbol) = ? THEN 0
			WHEN upper(symbol) LIKE ? ESCAPE '\' THEN 1
			WHEN lower(name) LIKE ? ESCAPE '\' THEN 2
			WHEN name ~* ? THEN 3
			ELSE 4 END,
		CASE WHEN upper(symbol) LIKE ? ESCAPE '\' OR lower(name) LIKE ? ESCAPE '\' OR name ~* ? THEN 0
			ELSE word_similarity(?, name) + similarity(?, symbol) + similarity(?, name) END DESC,
		symbol`,
		Vars: []any{s.upper, s.symbolPrefix, s.namePrefix, s.wordStart,
			s.symbolPrefix, s.namePrefix, s.wordStart, s.text, s.text, s.text}}
}

// assetFacet names a filter that a facet count leaves out.
type assetFacet int

const (
	noFacet assetFacet = iota
	classFacet
	exchangeFacet
)

// scope applies the query's filters except the one a facet counts.
func (q AssetQuery) scope(db *gorm.DB, skip assetFacet) *gorm.DB {
	db = db.Model(&Asset{})
	if !q.IncludeInactive {
		db = db.Where("active")
	}
	switch {
	case skip == classFacet:
	case len(q.Classes) > 0:
		db = db.Where("class = ANY(?::text[])", textArray(q.Classes))
	case q.Class != "":
		db = db.Where("class = ?", q.Class)
	}
	switch {
	case skip == exchangeFacet:
	case len(q.Exchanges) > 0:
		db = db.Where("exchange = ANY(?::text[])", textArray(q.Exchanges))
	case q.Exchange != "":
		db = db.Where("exchange = ?", q.Exchange)
	}
	flags := []struct {
		column string
		want   *bool
	}{{"tradable", q.Tradable}, {"marginable", q.Marginable}, {"shortable", q.Shortable}, {"fractionable", q.Fractionable}}
	for _, f := range flags {
		if f.want != nil {
			db = db.Where(clause.Eq{Column: clause.Column{Name: f.column}, Value: *f.want})
		}
	}
	if s, ok := newAssetSearch(q.Text); ok {
		db = db.Where(s.match())
	}
	// A new session makes db a base that Count and Find each copy, rather than one statement the
	// first call would leave its count(*) in.
	return db.Session(&gorm.Session{})
}

// SearchAssets returns one page of the assets matching q, best first, and how many match in all.
//
// With text, an asset matches when its symbol or name starts with the text, in any case ("apple"
// finds "Apple Inc."), and, for three characters or more, also when a word of its name starts
// with the text ("motors" finds "General Motors") or it is similar by trigrams (typos: "APPL",
// "microsft"). Results rank exact symbol, then symbol prefix, then name prefix, then word prefix,
// then similarity; ties by symbol. Without text, assets are listed by symbol. Wildcards in the
// text are matched literally.
func SearchAssets(ctx context.Context, db *gorm.DB, q AssetQuery) ([]Asset, int64, error) {
	base := q.scope(db.WithContext(ctx), noFacet)
	var total int64
	if err := base.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("models: count assets: %w", err)
	}
	assets := []Asset{}
	limit, offset := q.Limit, max(q.Offset, 0)
	if limit <= 0 {
		limit = DefaultAssetLimit
	}
	limit = min(limit, MaxAssetLimit)
	if total == 0 || int64(offset) >= total {
		return assets, total, nil
	}
	page := base.Limit(limit).Offset(offset)
	if by, ok := assetSortOrder[q.Sort]; ok {
		page = page.Order(by)
	} else if s, ok := newAssetSearch(q.Text); ok {
		page = page.Order(clause.OrderBy{Expression: s.order()})
	} else {
		page = page.Order("symbol")
	}
	if err := page.Find(&assets).Error; err != nil {
		return nil, 0, fmt.Errorf("models: search assets: %w", err)
	}
	return assets, total, nil
}

// assetSortOrder is the ORDER BY of each column an asset search may be sorted by; every order
// ends in the symbol, so pages never overlap.
var assetSortOrder = map[string]string{
	"symbol": "symbol", "-symbol": "symbol DESC",
	"name": "lower(name), symbol", "-name": "lower(name) DESC, symbol",
	"exchange": "exchange, symbol", "-exchange": "exchange DESC, symbol",
	"class": "class, symbol", "-class": "class DESC, symbol",
}

// AssetSortable reports whether an asset search can be sorted by sort ("symbol", "-name", …).
func AssetSortable(sort string) bool {
	_, ok := assetSortOrder[sort]
	return ok
}

// AssetSearchPage is one page of a search with the facet counts that go beside it.
type AssetSearchPage struct {
	Assets     []Asset
	Total      int64
	ByClass    map[string]int64
	ByExchange map[string]int64
}

// SearchAssetsWithFacets runs SearchAssets and AssetCounts for the same query: what every search
// screen and the search API show together.
func SearchAssetsWithFacets(ctx context.Context, db *gorm.DB, q AssetQuery) (AssetSearchPage, error) {
	var p AssetSearchPage
	var err error
	if p.Assets, p.Total, err = SearchAssets(ctx, db, q); err != nil {
		return p, err
	}
	p.ByClass, p.ByExchange, err = AssetCounts(ctx, db, q)
	return p, err
}

// AssetCounts counts the assets matching q by class and by exchange, for the facets beside search
// results: each count honours every filter of q except its own, so the other classes (or
// exchanges) stay visible with what choosing them would give.
func AssetCounts(ctx context.Context, db *gorm.DB, q AssetQuery) (byClass, byExchange map[string]int64, err error) {
	count := func(skip assetFacet, column string) (map[string]int64, error) {
		var rows []struct {
			Key   string
			Count int64
		}
		err := q.scope(db.WithContext(ctx), skip).Select(column + " AS key, count(*) AS count").
			Group(column).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("models: count assets by %s: %w", column, err)
		}
		out := make(map[string]int64, len(rows))
		for _, r := range rows {
			out[r.Key] = r.Count
		}
		return out, nil
	}
	if byClass, err = count(classFacet, "class"); err != nil {
		return nil, nil, err
	}
	if byExchange, err = count(exchangeFacet, "exchange"); err != nil {
		return nil, nil, err
	}
	return byClass, byExchange, nil
}

// textArray passes a list of strings as one PostgreSQL text[] parameter (cast it: ?::text[]),
// encoded by pgx. GORM would otherwise expand a slice into one parameter per element, which a
// 30,000-symbol list cannot afford; a struct is passed through to the driver untouched.
func textArray(s []string) pgtype.Array[string] {
	a := pgtype.Array[string]{Elements: s, Valid: true}
	if len(s) > 0 {
		a.Dims = []pgtype.ArrayDimension{{Length: int32(len(s)), LowerBound: 1}}
	}
	return a
}

// SyncKind is what a sync run refreshed.
type SyncKind string

// The kinds of sync.
const (
	SyncAssets   SyncKind = "assets"
	SyncCalendar SyncKind = "calendar"
)

// SyncRun is one sync of the catalogue or the calendar. FinishedAt nil: still running, or its
// process died (River will have retried it as another run).
type SyncRun struct {
	ID          int64
	Kind        SyncKind
	JobID       *int64
	StartedAt   time.Time
	FinishedAt  *time.Time
	Upserted    int
	Deactivated int // assets retired, or calendar days withdrawn
	Error       *string
}

// Succeeded reports whether the run finished without error.
func (r *SyncRun) Succeeded() bool { return r.FinishedAt != nil && r.Error == nil }

// maxSyncErrorBytes bounds a recorded error message.
const maxSyncErrorBytes = 2000

// StartSyncRun records that a sync began, outside the sync's own transaction so the admin pages
// see it running, and returns its id. jobID 0 means no River job.
func StartSyncRun(ctx context.Context, db *gorm.DB, kind SyncKind, jobID int64, at time.Time) (int64, error) {
	run := SyncRun{Kind: kind, StartedAt: at.UTC()}
	if jobID != 0 {
		run.JobID = &jobID
	}
	if err := db.WithContext(ctx).Create(&run).Error; err != nil {
		return 0, fmt.Errorf("models: start %s sync run: %w", kind, err)
	}
	return run.ID, nil
}

// FinishSyncRun records a sync's end: its counts, and runErr's message when it failed. Call it in
// the sync's transaction on success, so the record commits with the data, and on its own after a
// failure.
func FinishSyncRun(ctx context.Context, db *gorm.DB, id int64, at time.Time, upserted, deactivated int, runErr error) error {
	var msg *string
	if runErr != nil {
		s := strings.ToValidUTF8(runErr.Error(), "")
		if len(s) > maxSyncErrorBytes {
			s = strings.ToValidUTF8(s[:maxSyncErrorBytes], "") + "…"
		}
		msg = &s
	}
	err := db.WithContext(ctx).Model(&SyncRun{}).Where("id = ?", id).Updates(map[string]any{
		"finished_at": at.UTC(), "upserted": upserted, "deactivated": deactivated, "error": msg,
	}).Error
	if err != nil {
		return fmt.Errorf("models: finish sync run %d: %w", id, err)
	}
	return nil
}

// RecentSyncRuns lists the latest runs of a kind (all kinds when empty), newest first.
func RecentSyncRuns(ctx context.Context, db *gorm.DB, kind SyncKind, limit int) ([]SyncRun, error) {
	q := db.WithContext(ctx).Order("started_at DESC, id DESC").Limit(max(limit, 1))
	if kind != "" {
		q = q.Where("kind = ?", kind)
	}
	runs := []SyncRun{}
	if err := q.Find(&runs).Error; err != nil {
		return nil, fmt.Errorf("models: recent sync runs: %w", err)
	}
	return runs, nil
}

// LastSuccessfulSyncRun is the latest run of the kind that finished without error, or ErrNotFound.
func LastSuccessfulSyncRun(ctx context.Context, db *gorm.DB, kind SyncKind) (*SyncRun, error) {
	var run SyncRun
	err := db.WithContext(ctx).Where("kind = ? AND finished_at IS NOT NULL AND error IS NULL", kind).
		Order("finished_at DESC, id DESC").First(&run).Error
	if err != nil {
		return nil, fmt.Errorf("models: last %s sync: %w", kind, notFound(err))
	}
	return &run, nil
}
