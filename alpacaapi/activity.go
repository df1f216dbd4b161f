package alpacaapi

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"alpacawrapper/models"
)

// Activity types this app has: fills, and the cash movements its ledger records (the opening
// deposit, resets and operators' adjustments as CSD or CSW, commissions and regulatory fees as FEE).
var activityTypes = []string{"FILL", "CSD", "CSW", "FEE"}

// ledgerConditions are the cash_ledger rows each non-trade activity type covers (fixed SQL).
var ledgerConditions = map[string]string{
	"CSD": "kind = 'deposit' OR (kind IN ('reset', 'adjustment') AND amount >= 0)",
	"CSW": "kind IN ('reset', 'adjustment') AND amount < 0",
	"FEE": "kind IN ('commission', 'regulatory_fee')",
}

// MaxActivityPage is the largest page_size, Alpaca's.
const MaxActivityPage = 100

// ActivitiesParams are the query parameters of GET /v2/account/activities; the by-type path
// takes the same but activity_types.
var ActivitiesParams = []string{"activity_types", "category", "date", "until", "after", "direction", "page_size", "page_token"}

// alpacaTypes are the activity types Alpaca has that this app never produces: asking for them is
// valid and finds nothing.
var alpacaTypes = []string{"TRANS", "MISC", "ACATC", "ACATS", "CFEE", "CSR", "DIV", "DIVCGL", "DIVCGS", "DIVFEE",
	"DIVFT", "DIVNRA", "DIVROC", "DIVTW", "DIVTXEX", "INT", "INTNRA", "INTTW", "JNL", "JNLC", "JNLS", "MA", "NC",
	"OPASN", "OPEXP", "OPXRC", "PTC", "PTR", "REORG", "SC", "SSO", "SSP", "SPLIT"}

// ActivitiesQuery reads the parameters into the store's query. types is the path's type (for
// /v2/account/activities/{type}), or empty.
func ActivitiesQuery(q *Query, accountID int64, pathType string, ny *time.Location) (models.ActivityQuery, error) {
	aq := models.ActivityQuery{AccountID: accountID, Limit: q.Int("page_size", MaxActivityPage, 1, MaxActivityPage),
		Ascending: q.Enum("direction", "desc", "asc", "desc") == "asc"}
	var types []string
	if pathType != "" {
		types = []string{strings.ToUpper(pathType)}
	} else if s := q.String("activity_types"); s != "" {
		for _, t := range strings.Split(s, ",") {
			types = append(types, strings.ToUpper(strings.TrimSpace(t)))
		}
	}
	switch q.Enum("category", "", "trade_activity", "non_trade_activity") {
	case "trade_activity":
		if len(types) > 0 {
			q.fail("send activity_types or category, not both")
		}
		types = []string{"FILL"}
	case "non_trade_activity":
		if len(types) > 0 {
			q.fail("send activity_types or category, not both")
		}
		types = []string{"CSD", "CSW", "FEE"}
	}
	if len(types) == 0 {
		types = activityTypes
	}
	var ledger []string
	for _, t := range types {
		switch {
		case t == "FILL":
			aq.Fills = true
		case ledgerConditions[t] != "":
			ledger = append(ledger, "("+ledgerConditions[t]+")")
		case !slices.Contains(alpacaTypes, t):
			q.fail("invalid activity type %q", t)
		}
	}
	aq.Ledger = strings.Join(ledger, " OR ")
	if q.Has("date") {
		if q.Has("after") || q.Has("until") {
			q.fail("send date, or after and until, not both")
		}
		day := dayOf(q.Time("date", ny), ny)
		if !day.IsZero() {
			aq.After, aq.Until = day, day.AddDate(0, 0, 1)
		}
	} else {
		aq.After, aq.Until = q.Time("after", ny), q.Time("until", ny)
	}
	if tok := q.String("page_token"); tok != "" {
		key, ok := activityCursor(tok)
		if !ok {
			q.fail("invalid page_token %q", tok)
		}
		aq.Cursor = &key
	}
	return aq, q.Err()
}

// activityStamp is the time part of an activity id: Alpaca's yyyyMMddHHmmss and milliseconds,
// here with microseconds, so the id alone is an exact paging cursor.
const activityStamp = "20060102150405.000000"

// activityID is an activity's id, "<time>::<uuid>" as Alpaca writes it.
func activityID(k models.ActivityKey, id uuid.UUID) string {
	return strings.Replace(k.At.UTC().Format(activityStamp), ".", "", 1) + "::" + id.String()
}

// activityCursor reads a page_token (the id of the last activity of the previous page).
func activityCursor(tok string) (models.ActivityKey, bool) {
	stamp, idText, ok := strings.Cut(tok, "::")
	if !ok || len(stamp) != 20 {
		return models.ActivityKey{}, false
	}
	at, err := time.Parse(activityStamp, stamp[:14]+"."+stamp[14:])
	if err != nil {
		return models.ActivityKey{}, false
	}
	if n, ok := decodeID(kindLedger, idText); ok {
		return models.ActivityKey{At: at, Key: fmt.Sprintf("L:%020d", n)}, true
	}
	id, err := uuid.Parse(idText)
	if err != nil {
		return models.ActivityKey{}, false
	}
	return models.ActivityKey{At: at, Key: "F:" + id.String()}, true
}

// Activity is Alpaca's account activity: a fill (activity_type FILL) or a cash movement.
type Activity struct {
	ID              string     `json:"id"`
	ActivityType    string     `json:"activity_type"`
	TransactionTime *time.Time `json:"transaction_time,omitempty"`
	Type            string     `json:"type,omitempty"`
	Price           string     `json:"price,omitempty"`
	Qty             string     `json:"qty,omitempty"`
	Side            string     `json:"side,omitempty"`
	Symbol          string     `json:"symbol,omitempty"`
	LeavesQty       string     `json:"leaves_qty,omitempty"`
	CumQty          string     `json:"cum_qty,omitempty"`
	OrderID         string     `json:"order_id,omitempty"`
	OrderStatus     string     `json:"order_status,omitempty"`
	Date            string     `json:"date,omitempty"`
	NetAmount       string     `json:"net_amount,omitempty"`
	Description     string     `json:"description,omitempty"`
	Status          string     `json:"status,omitempty"`
	// Beyond Alpaca: a fill's receipt (how its price was reached), at /v2/orders/{order_id}/fills.
	FillID string `json:"fill_id,omitempty"`
}

// EncodeActivities shows a page of activities.
func EncodeActivities(acts []models.Activity, ny *time.Location) []Activity {
	out := make([]Activity, 0, len(acts))
	for _, a := range acts {
		switch {
		case a.Fill != nil:
			f := a.Fill
			at := f.ExecutedAt.UTC()
			typ, status := "fill", "filled"
			if f.Partial {
				typ, status = "partial_fill", "partially_filled"
			}
			out = append(out, Activity{ID: activityID(models.FillKey(f), f.ID), ActivityType: "FILL", TransactionTime: &at,
				Type: typ, Price: f.Price.String(), Qty: f.Qty.String(), Side: f.Side, Symbol: f.Symbol,
				LeavesQty: f.LeavesQty.String(), CumQty: f.CumQty.String(), OrderID: f.OrderID.String(), OrderStatus: status,
				FillID: f.ID.String()})
		case a.Entry != nil:
			e := a.Entry
			typ := "FEE"
			switch e.Kind {
			case models.LedgerDeposit:
				typ = "CSD"
			case models.LedgerReset, models.LedgerAdjustment:
				typ = "CSD"
				if e.Amount.IsNegative() {
					typ = "CSW"
				}
			}
			at := e.CreatedAt.UTC()
			act := Activity{ID: activityID(models.LedgerKey(e), encodeID(kindLedger, e.ID)), ActivityType: typ,
				TransactionTime: &at, Date: e.CreatedAt.In(ny).Format(time.DateOnly), NetAmount: money(e.Amount),
				Description: e.Description, Status: "executed"}
			if e.OrderID != nil {
				act.OrderID = e.OrderID.String()
			}
			out = append(out, act)
		}
	}
	return out
}
