package watchlist

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"alpacawrapper/apperr"
)

// maxSymbolLength is longer than any Alpaca symbol (options aside); anything longer is not one.
const maxSymbolLength = 24

// cleanName trims a list's name and checks it, so what is stored is what the person meant.
func cleanName(raw string) (string, error) {
	name := strings.TrimSpace(raw)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return "", apperr.Invalid(map[string]string{"name": "Give the watchlist a name."})
	case n > MaxNameLength:
		return "", apperr.Invalid(map[string]string{"name": fmt.Sprintf(
			"Keep the name to %d characters or fewer (this one has %d).", MaxNameLength, n)})
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", apperr.Invalid(map[string]string{"name": "The name cannot contain line breaks, tabs or other control characters."})
	}
	return name, nil
}

// cleanDescription trims a list's description and checks its length; line breaks are kept.
func cleanDescription(raw string) (string, error) {
	d := strings.TrimSpace(strings.ReplaceAll(raw, "\r\n", "\n"))
	if n := utf8.RuneCountInString(d); n > MaxDescription {
		return "", apperr.Invalid(map[string]string{"description": fmt.Sprintf(
			"Keep the description to %d characters or fewer (this one has %d).", MaxDescription, n)})
	}
	if strings.IndexFunc(d, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }) >= 0 {
		return "", apperr.Invalid(map[string]string{"description": "The description cannot contain tabs or other control characters."})
	}
	return d, nil
}

// cleanSymbol trims and upper-cases a symbol as Alpaca writes them ("aapl" → "AAPL").
func cleanSymbol(raw string) (string, error) {
	symbol := strings.ToUpper(strings.TrimSpace(raw))
	switch {
	case symbol == "":
		return "", apperr.Invalid(map[string]string{"symbol": "Enter a symbol, such as AAPL or BTC/USD."})
	case utf8.RuneCountInString(symbol) > maxSymbolLength || strings.IndexFunc(symbol, unicode.IsSpace) >= 0:
		return "", apperr.Invalid(map[string]string{"symbol": fmt.Sprintf(
			"“%s” is not a symbol. Symbols look like AAPL, BRK.B or BTC/USD.", symbol)})
	}
	return symbol, nil
}

// sameSymbol reports whether a symbol as typed names the asset listed as stored; a crypto pair
// may be typed without its slash ("BTCUSD" for "BTC/USD"), as Alpaca's own API accepts.
func sameSymbol(typed, stored string) bool {
	return typed == stored || (strings.Contains(stored, "/") && typed == strings.ReplaceAll(stored, "/", ""))
}
