package alpacaapi

import (
	"time"

	"alpacawrapper/models"
)

// OrdersQueryParams are the query parameters GET /v2/orders knows.
var OrdersQueryParams = []string{"status", "limit", "after", "until", "direction", "nested", "side", "symbols"}

// MaxOrdersLimit is the most orders one GET /v2/orders returns, as at Alpaca.
const MaxOrdersLimit = 500

// OrdersQuery reads GET /v2/orders's parameters (Alpaca's defaults: open orders, 50, newest
// first) into the store's query for account a, and whether legs are to be nested.
func OrdersQuery(q *Query, a *models.PaperAccount) (models.OrderQuery, bool, error) {
	oq := models.OrderQuery{
		AccountID: a.ID, Period: a.Period,
		Status:    q.Enum("status", "open", "open", "closed", "all"),
		Limit:     q.Int("limit", 50, 1, MaxOrdersLimit),
		After:     q.Time("after", time.UTC),
		Until:     q.Time("until", time.UTC),
		Ascending: q.Enum("direction", "desc", "asc", "desc") == "asc",
		Side:      q.Enum("side", "", "buy", "sell"),
		Symbols:   q.Symbols("symbols", 1000),
	}
	nested := q.Bool("nested", false)
	return oq, nested, q.Err()
}

// Canceled is one entry of DELETE /v2/orders's 207 answer.
type Canceled struct {
	ID     string `json:"id"`
	Status int    `json:"status"`
	Body   Order  `json:"body"`
}

// EncodeCanceled shows the orders cancel-all canceled, each with status 200.
func EncodeCanceled(orders []models.Order) []Canceled {
	out := make([]Canceled, len(orders))
	for i := range orders {
		out[i] = Canceled{ID: orders[i].ID.String(), Status: 200, Body: EncodeOrder(&orders[i])}
	}
	return out
}
