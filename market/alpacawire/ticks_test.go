package alpacawire

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"alpacawrapper/market"
)

// crowdedTape is a TickSource whose symbols print three times at each whole second (as real
// tapes often do within a nanosecond), with the print's rank at its instant in the ID.
type crowdedTape struct{ calls int }

func (c *crowdedTape) Trades(_ context.Context, req market.TicksRequest) ([]market.Trade, error) {
	c.calls++
	var all []market.Trade
	for t := req.Start.Truncate(time.Second); t.Before(req.End); t = t.Add(time.Second) {
		if t.Before(req.Start) {
			continue
		}
		for k := range 3 {
			all = append(all, market.Trade{Symbol: req.Symbol, ID: t.Unix()*10 + int64(k), Price: decimal.NewFromInt(100), Size: decimal.NewFromInt(1), Time: t})
		}
	}
	if req.Desc {
		slices.Reverse(all)
	}
	return all[:min(len(all), req.Limit)], nil
}

func (c *crowdedTape) Quotes(context.Context, market.TicksRequest) ([]market.Quote, error) {
	return nil, nil
}

// Every item comes exactly once, in order, whatever the page size, even when a page ends among
// items of one instant, and each page costs at most one source call per symbol.
func TestTradesPagesWalkTheTapeOnce(t *testing.T) {
	t.Parallel()
	start := time.Date(2024, 4, 9, 14, 30, 0, 0, time.UTC)
	end := start.Add(9 * time.Second) // inclusive: ten seconds, thirty prints a symbol
	for _, desc := range []bool{false, true} {
		for _, limit := range []int{1, 2, 4, 7, 30, 59, 60, 1000} {
			src := &crowdedTape{}
			var got []string
			token, pages := "", 0
			for {
				v := url.Values{"start": {start.Format(time.RFC3339)}, "end": {end.Format(time.RFC3339)}, "limit": {strconv.Itoa(limit)}}
				if desc {
					v.Set("sort", "desc")
				}
				if token != "" {
					v.Set("page_token", token)
				}
				q, apiErr := ParseRangeQuery(v, []string{"MSFT", "AAPL"}, market.USEquity, end)
				if apiErr != nil {
					t.Fatal(apiErr)
				}
				calls := src.calls
				page, next, err := TradesPage(context.Background(), src, q)
				if err != nil {
					t.Fatal(err)
				}
				if src.calls-calls > 2 {
					t.Fatalf("limit %d: a page made %d source calls", limit, src.calls-calls)
				}
				n := 0
				for _, sym := range []string{"AAPL", "MSFT"} {
					for _, tr := range page[sym] {
						got = append(got, sym+strconv.FormatInt(tr.ID, 10))
						n++
					}
				}
				pages++
				if n > limit || (next != nil && n != limit) {
					t.Fatalf("limit %d: a page of %d", limit, n)
				}
				if next == nil {
					break
				}
				token = *next
			}
			var want []string
			for _, sym := range []string{"AAPL", "MSFT"} {
				ids := make([]string, 0, 30)
				for s := range 10 {
					for k := range 3 {
						ids = append(ids, sym+strconv.FormatInt(start.Add(time.Duration(s)*time.Second).Unix()*10+int64(k), 10))
					}
				}
				if desc {
					slices.Reverse(ids)
				}
				want = append(want, ids...)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("desc %v limit %d: %d pages gave %v, want %v", desc, limit, pages, got, want)
			}
		}
	}
}

// The endpoints answer in Alpaca's shapes: multi-symbol maps, the single-symbol path's list, and
// the crypto ones, with the limits Alpaca sets.
func TestTicksEndpoints(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 4, 9, 15, 0, 0, 0, time.UTC)
	api := NewDataAPI(DataAPIOptions{Source: tickOnlySource{&crowdedTape{}}, Now: func() time.Time { return now }})
	get := func(path string) (int, map[string]json.RawMessage) {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		var body map[string]json.RawMessage
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		return rec.Code, body
	}
	status, body := get("/v2/stocks/trades?symbols=AAPL,MSFT&start=2024-04-09T14:59:50Z&limit=5")
	var trades map[string][]Trade
	if status != 200 || json.Unmarshal(body["trades"], &trades) != nil || len(trades["AAPL"]) != 5 || string(body["next_page_token"]) == "null" {
		t.Errorf("multi-symbol trades: %d %s", status, body)
	}
	status, body = get("/v2/stocks/AAPL/trades?start=2024-04-09T14:59:58Z")
	var list []Trade
	if status != 200 || string(body["symbol"]) != `"AAPL"` || json.Unmarshal(body["trades"], &list) != nil || len(list) != 9 || string(body["next_page_token"]) != "null" {
		t.Errorf("single-symbol trades: %d %s", status, body)
	}
	status, body = get("/v2/stocks/NOPE/quotes?start=2024-04-09T14:59:58Z")
	if status != 200 || string(body["quotes"]) != "[]" {
		t.Errorf("single-symbol quotes of nothing: %d %s", status, body)
	}
	status, body = get("/v1beta3/crypto/us/trades?symbols=BTC/USD&start=2024-04-09T14:59:59Z")
	var ctrades map[string][]CryptoTrade
	if status != 200 || json.Unmarshal(body["trades"], &ctrades) != nil || len(ctrades["BTC/USD"]) != 6 || ctrades["BTC/USD"][0].TakerSide != TakerSideUnknown {
		t.Errorf("crypto trades: %d %s", status, body)
	}
	if status, body = get("/v1beta3/crypto/us/quotes?symbols=BTC/USD"); status != 200 || string(body["quotes"]) != "{}" {
		t.Errorf("crypto quotes of nothing: %d %s", status, body)
	}
	for _, bad := range []string{"limit=0", "limit=10001", "sort=up", "start=yesterday", "page_token=%25%25"} {
		if status, body := get("/v2/stocks/trades?symbols=AAPL&" + bad); status != 400 || string(body["code"]) != strconv.Itoa(ErrCodeInvalidRequest) {
			t.Errorf("%s: %d %s", bad, status, body)
		}
	}
}

// tickOnlySource is a DataSource with a tape and nothing else.
type tickOnlySource struct{ *crowdedTape }

func (tickOnlySource) Bars(context.Context, market.BarsRequest) ([]market.Bar, error) {
	return nil, nil
}
func (tickOnlySource) LatestQuotes(context.Context, []string) (map[string]market.Quote, error) {
	return nil, nil
}
func (tickOnlySource) Snapshots(context.Context, []string) (map[string]market.Snapshot, error) {
	return nil, nil
}
