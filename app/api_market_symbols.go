package app

import (
	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"
)

// Symbols as API clients type them (in a path or a comma-separated list), resolved to the catalogue's.

// assetFromPath finds the asset the rest of the path names. A crypto pair may be written BTC/USD,
// BTC%2FUSD or BTCUSD, in any case, as on the watchlist API.
func (s *Server) assetFromPath(c *fiber.Ctx) (*models.Asset, error) {
	notFound := apperr.New(apperr.KindNotFound, "asset_not_found", "There is no such asset.")
	symbol, err := url.PathUnescape(c.Params("*"))
	if err != nil {
		return nil, apperr.Invalid(map[string]string{"symbol": "The symbol in the path is not validly escaped."})
	}
	symbol = strings.TrimSpace(symbol)
	if !plausibleSymbol(symbol) {
		return nil, notFound
	}
	a, err := models.WatchableAssetBySymbol(c.UserContext(), s.db, symbol)
	if errors.Is(err, models.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	return a, nil
}

// plausibleSymbol rejects what cannot be a symbol before it reaches the database.
func plausibleSymbol(s string) bool {
	n := len([]rune(s))
	return n > 0 && n <= maxSymbolRunes && strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}) < 0
}

// resolveSymbols turns a comma-separated list into catalogue symbols, in the order given without
// repeats: any case, and crypto pairs with or without their slash. Anything empty, too long or
// unknown is refused, naming the parameter. The in-memory catalogue answers (no query, so a list
// of unknown symbols costs nothing and public quotes keep answering while the database is away);
// only when it has never loaded does the database answer instead.
func (s *Server) resolveSymbols(ctx context.Context, param, raw string, limit int) ([]string, error) {
	typed, err := typedSymbols(param, raw, limit)
	if err != nil {
		return nil, err
	}
	if s.live != nil {
		if found, ok := s.live.catalog.Lookup(ctx, typed); ok {
			return resolvedFrom(param, typed, func(sym string) (string, bool) {
				e, ok := found[sym]
				return e.Symbol, ok
			})
		}
	}
	return s.resolveSymbolsInDB(ctx, param, typed)
}

// typedSymbols splits, upper-cases and checks a comma-separated list, without repeats.
func typedSymbols(param, raw string, limit int) ([]string, error) {
	var typed []string
	seen := map[string]bool{}
	for _, part := range strings.Split(raw, ",") {
		sym := strings.ToUpper(strings.TrimSpace(part))
		if sym == "" || seen[sym] {
			continue
		}
		if !plausibleSymbol(sym) {
			return nil, apperr.Invalid(map[string]string{param: fmt.Sprintf("%q is not a symbol. Symbols look like AAPL, BRK.B or BTC/USD.", sym)})
		}
		seen[sym] = true
		typed = append(typed, sym)
	}
	switch {
	case len(typed) == 0:
		return nil, apperr.Invalid(map[string]string{param: fmt.Sprintf("Name at least one symbol, as %s=AAPL,BTC/USD.", param)})
	case len(typed) > limit:
		return nil, apperr.Invalid(map[string]string{param: fmt.Sprintf("Ask for at most %d symbols at once (got %d).", limit, len(typed))})
	}
	return typed, nil
}

// resolvedFrom maps typed symbols to their stored spelling with lookup, refusing the unknown ones
// all together.
func resolvedFrom(param string, typed []string, lookup func(string) (string, bool)) ([]string, error) {
	out := make([]string, 0, len(typed))
	var unknown []string
	added := map[string]bool{}
	for _, sym := range typed {
		stored, ok := lookup(sym)
		if !ok {
			unknown = append(unknown, sym)
			continue
		}
		if !added[stored] {
			added[stored] = true
			out = append(out, stored)
		}
	}
	if len(unknown) > 0 {
		return nil, apperr.Invalid(map[string]string{param: "Unknown symbols: " + strings.Join(unknown, ", ") + "."})
	}
	return out, nil
}

// resolveSymbolsInDB is resolveSymbols from the database, for a process whose catalogue has not
// loaded yet.
func (s *Server) resolveSymbolsInDB(ctx context.Context, param string, typed []string) ([]string, error) {
	found, err := models.AssetsBySymbols(ctx, s.db, typed)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	byUpper := make(map[string]string, len(found))
	for stored := range found {
		byUpper[strings.ToUpper(stored)] = stored
	}
	var dbErr error
	out, err := resolvedFrom(param, typed, func(sym string) (string, bool) {
		if stored, ok := byUpper[sym]; ok || strings.Contains(sym, "/") || dbErr != nil {
			return stored, ok
		}
		// Rare (a pair typed without its slash), so one more lookup each is fine here.
		a, err := models.WatchableAssetBySymbol(ctx, s.db, sym)
		if err != nil {
			if !errors.Is(err, models.ErrNotFound) {
				dbErr = err
			}
			return "", false
		}
		return a.Symbol, true
	})
	if dbErr != nil {
		return nil, fmt.Errorf("app: %w", dbErr)
	}
	return out, err
}
