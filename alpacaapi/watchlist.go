package alpacaapi

import (
	"time"

	"alpacawrapper/models"
)

// Watchlist is Alpaca's watchlist object, mapped onto a person's own watchlist in this app (the
// same lists the pages show; an Alpaca watchlist belongs to an account, these to the person).
type Watchlist struct {
	ID        string    `json:"id"`
	AccountID string    `json:"account_id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Name      string    `json:"name"`
	Assets    []Asset   `json:"assets"`
}

// EncodeWatchlist shows a list; assets are its entries in order (nil: the listing, which Alpaca
// shows without them).
func EncodeWatchlist(w *models.Watchlist, accountID int64, assets []models.Asset) Watchlist {
	out := Watchlist{ID: WatchlistID(w.ID), AccountID: AccountID(accountID), CreatedAt: w.CreatedAt.UTC(),
		UpdatedAt: w.UpdatedAt.UTC(), Name: w.Name}
	if assets != nil {
		out.Assets = make([]Asset, len(assets))
		for i := range assets {
			out.Assets[i] = EncodeAsset(&assets[i])
		}
	}
	return out
}

// WatchlistRequest is the body of POST /v2/watchlists and PUT /v2/watchlists/{id}.
type WatchlistRequest struct {
	Name    string   `json:"name"`
	Symbols []string `json:"symbols"`
}

// SymbolRequest is the body of POST /v2/watchlists/{id}.
type SymbolRequest struct {
	Symbol string `json:"symbol"`
}

// MaxWatchlistSymbols bounds the symbols one request may set.
const MaxWatchlistSymbols = 1000
