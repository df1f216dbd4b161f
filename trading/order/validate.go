package order

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"alpacawrapper/trading/fill"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// MaxClientOrderIDLength is Alpaca's limit on client_order_id, in characters.
const MaxClientOrderIDLength = 48

// maxDecimals is how many decimal places Alpaca accepts in qty and notional.
const maxDecimals = 9

// subPennyMessage is Alpaca's own wording for a price off the tick.
const subPennyMessage = "sub-penny increment does not fulfill minimum pricing criteria"

// Validate checks r for asset a the way Alpaca would and returns it with its defaults applied.
// A refusal is an *apperr.Error of KindInvalid whose Code is CodeMalformed or CodeUnprocessable,
// whose Message is the first problem found, and whose Fields name every field at fault by its
// Alpaca JSON name (legs as "take_profit.limit_price", "stop_loss.stop_price", …).
func Validate(r Request, a AssetInfo, opts Options) (Normalized, error) {
	if err := checkAmounts(r); err != nil {
		return Normalized{}, err
	}
	var p problems
	symbol := strings.ToUpper(strings.TrimSpace(r.Symbol))
	switch {
	case symbol == "":
		p.add("symbol", CodeMalformed, "symbol is required")
	case !a.Tradable:
		p.add("symbol", CodeUnprocessable, fmt.Sprintf("asset %s is not tradable", symbol))
	}
	class := r.OrderClass
	if class == "" {
		class = Simple
	}
	v := validation{r: r, a: a, p: &p, class: class, market: opts.MarketPrice}
	v.enums()
	v.size()
	v.prices()
	v.timeInForce()
	v.extendedHours()
	if utf8.RuneCountInString(r.ClientOrderID) > MaxClientOrderIDLength {
		p.add("client_order_id", CodeUnprocessable,
			fmt.Sprintf("client_order_id must be %d characters or fewer", MaxClientOrderIDLength))
	}
	v.legs()
	if err := p.err(); err != nil {
		return Normalized{}, err
	}
	return normalize(r, symbol, class, opts), nil
}

// validation carries one Validate call's inputs and what it has learned so far, so later rules
// can skip checks that an earlier refusal already makes meaningless.
type validation struct {
	r     Request
	a     AssetInfo
	p     *problems
	class Class
	// market is the base price of a market entry (Options.MarketPrice), zero when unknown.
	market decimal.Decimal
	// typeClass is true when type and class are recognised values (which prices an order needs
	// depends on them alone); known when side and time in force are too.
	typeClass, known bool
}

func (v *validation) enums() {
	r, p := v.r, v.p
	sideOK := enum(p, "side", string(r.Side), "buy or sell", "buy", "sell")
	typeOK := enum(p, "type", string(r.Type), "market, limit, stop, stop_limit or trailing_stop",
		"market", "limit", "stop", "stop_limit", "trailing_stop")
	tifOK := enum(p, "time_in_force", string(r.TimeInForce), "day, gtc, opg, cls, ioc or fok",
		"day", "gtc", "opg", "cls", "ioc", "fok")
	classOK := enum(p, "order_class", string(v.class), "simple, bracket, oco or oto",
		"simple", "bracket", "oco", "oto")
	v.typeClass = typeOK && classOK
	v.known = sideOK && tifOK && v.typeClass
}

// enum checks that value is one of allowed; it reports whether it is.
func enum(p *problems, field, value, list string, allowed ...string) bool {
	if value == "" {
		p.add(field, CodeMalformed, field+" is required")
		return false
	}
	for _, a := range allowed {
		if value == a {
			return true
		}
	}
	p.add(field, CodeMalformed, fmt.Sprintf("%s must be %s, not %q", field, list, value))
	return false
}

// size checks qty and notional, and fractional eligibility.
func (v *validation) size() {
	r, a, p := v.r, v.a, v.p
	switch {
	case !r.Qty.Valid && !r.Notional.Valid:
		p.add("qty", CodeMalformed, "qty or notional is required")
		return
	case r.Qty.Valid && r.Notional.Valid:
		p.add("notional", CodeMalformed, "qty and notional cannot both be set; send only one")
		return
	}
	if r.Qty.Valid {
		q := r.Qty.Decimal
		switch {
		case !q.IsPositive():
			p.add("qty", CodeMalformed, "qty must be > 0")
			return
		case tooPrecise(q):
			p.add("qty", CodeMalformed, fmt.Sprintf("qty must have at most %d decimal places", maxDecimals))
			return
		}
		if a.crypto() {
			v.cryptoQty(q)
			return
		}
		if q.IsInteger() {
			return
		}
		if !a.Fractionable {
			p.add("qty", CodeUnprocessable, "requested asset is not fractionable")
			return
		}
		if v.known && !(isMarketOrLimit(r.Type) && r.TimeInForce == fill.Day) {
			p.add("qty", CodeUnprocessable, "fractional orders must be market or limit orders with time_in_force day")
			return
		}
		v.fractionalOnlySimple("fractional")
		return
	}
	n := r.Notional.Decimal
	switch {
	case !n.IsPositive():
		p.add("notional", CodeMalformed, "notional must be > 0")
		return
	case tooPrecise(n):
		p.add("notional", CodeMalformed, fmt.Sprintf("notional must have at most %d decimal places", maxDecimals))
		return
	}
	if a.crypto() {
		if v.known && r.Type != fill.Market {
			p.add("notional", CodeUnprocessable, "notional crypto orders must be market orders")
		}
		return
	}
	if !a.Fractionable {
		p.add("notional", CodeUnprocessable, "requested asset is not fractionable")
		return
	}
	if n.LessThan(decimal.NewFromInt(1)) {
		p.add("notional", CodeUnprocessable, "notional must be at least $1.00")
		return
	}
	if v.known && !(r.Type == fill.Market && r.TimeInForce == fill.Day) {
		p.add("notional", CodeUnprocessable, "notional orders must be market orders with time_in_force day")
		return
	}
	v.fractionalOnlySimple("notional")
}

// fractionalOnlySimple refuses a fractional or notional order that is not simple or asks for
// extended hours: legs need whole shares, and fractional trading is regular-hours only
// (alpaca.md §4 "Fractional/notional", §5).
func (v *validation) fractionalOnlySimple(what string) {
	if v.known && v.class != Simple {
		v.p.add("order_class", CodeUnprocessable, what+" orders must be simple orders")
	}
	if v.r.ExtendedHours {
		v.p.add("extended_hours", CodeUnprocessable, what+" orders cannot be placed with extended_hours")
	}
}

// cryptoQty applies a crypto pair's minimum order size and trade increment.
func (v *validation) cryptoQty(q decimal.Decimal) {
	a := v.a
	if a.MinOrderSize.IsPositive() && q.LessThan(a.MinOrderSize) {
		v.p.add("qty", CodeUnprocessable, "qty must be at least "+a.MinOrderSize.String()+" for this asset")
		return
	}
	if a.MinTradeIncrement.IsPositive() && !q.Mod(a.MinTradeIncrement).IsZero() {
		v.p.add("qty", CodeUnprocessable, "qty must be a multiple of "+a.MinTradeIncrement.String()+" for this asset")
	}
}

func tooPrecise(d decimal.Decimal) bool { return !d.Equal(d.Truncate(maxDecimals)) }

func isMarketOrLimit(t fill.OrderType) bool { return t == fill.Market || t == fill.Limit }

// prices checks limit, stop and trail prices against the order type.
func (v *validation) prices() {
	r, p := v.r, v.p
	if !v.typeClass {
		// Which prices are required depends on the type and class; still reject bad numbers.
		v.price("limit_price", r.LimitPrice)
		v.price("stop_price", r.StopPrice)
		v.price("trail_price", r.TrailPrice)
		return
	}
	needsLimit := (r.Type == fill.Limit || r.Type == fill.StopLimit) && v.class != OCO
	switch {
	case needsLimit && !r.LimitPrice.Valid:
		p.add("limit_price", CodeMalformed, "limit_price is required for limit and stop_limit orders")
	case !needsLimit && r.LimitPrice.Valid && v.class == OCO:
		p.add("limit_price", CodeUnprocessable, "oco orders take their limit price from take_profit.limit_price; leave limit_price out")
	case !needsLimit && r.LimitPrice.Valid:
		p.add("limit_price", CodeUnprocessable, "limit_price is only allowed for limit and stop_limit orders")
	default:
		v.price("limit_price", r.LimitPrice)
	}
	needsStop := r.Type == fill.Stop || r.Type == fill.StopLimit
	switch {
	case needsStop && !r.StopPrice.Valid:
		p.add("stop_price", CodeMalformed, "stop_price is required for stop and stop_limit orders")
	case !needsStop && r.StopPrice.Valid:
		p.add("stop_price", CodeUnprocessable, "stop_price is only allowed for stop and stop_limit orders")
	default:
		v.price("stop_price", r.StopPrice)
	}
	if r.Type != fill.TrailingStop {
		if r.TrailPrice.Valid {
			p.add("trail_price", CodeUnprocessable, "trail_price is only allowed for trailing_stop orders")
		}
		if r.TrailPercent.Valid {
			p.add("trail_percent", CodeUnprocessable, "trail_percent is only allowed for trailing_stop orders")
		}
		return
	}
	if r.TrailPrice.Valid == r.TrailPercent.Valid {
		p.add("trail_price", CodeMalformed, "trailing_stop orders need exactly one of trail_price or trail_percent")
		return
	}
	v.price("trail_price", r.TrailPrice)
	if r.TrailPercent.Valid {
		pct := r.TrailPercent.Decimal
		if !pct.IsPositive() || pct.GreaterThanOrEqual(decimal.NewFromInt(100)) {
			p.add("trail_percent", CodeMalformed, "trail_percent must be > 0 and < 100")
		}
	}
}

// price checks that a price, when present, is positive and on the asset's tick.
func (v *validation) price(field string, d decimal.NullDecimal) {
	if !d.Valid {
		return
	}
	if !d.Decimal.IsPositive() {
		v.p.add(field, CodeMalformed, field+" must be > 0")
		return
	}
	if v.a.crypto() {
		inc := v.a.PriceIncrement
		if inc.IsPositive() && !d.Decimal.Mod(inc).IsZero() {
			v.p.add(field, CodeUnprocessable, field+" must be a multiple of "+inc.String()+" for this asset")
		}
		return
	}
	if !fill.OnTick(d.Decimal) {
		v.p.add(field, CodeUnprocessable, subPennyMessage)
	}
}

// timeInForce applies the rules that tie time in force to asset class and order type.
func (v *validation) timeInForce() {
	r, p := v.r, v.p
	if !v.known {
		return
	}
	if v.a.crypto() {
		if r.TimeInForce != fill.GTC && r.TimeInForce != fill.IOC {
			p.add("time_in_force", CodeUnprocessable, "crypto orders must use time_in_force gtc or ioc")
		}
		if !isMarketOrLimit(r.Type) && r.Type != fill.StopLimit {
			p.add("type", CodeUnprocessable, "crypto orders must be market, limit or stop_limit orders")
		}
		if v.class != Simple {
			p.add("order_class", CodeUnprocessable, "crypto orders must be simple orders")
		}
		return
	}
	if (r.TimeInForce == fill.OPG || r.TimeInForce == fill.CLS) && !isMarketOrLimit(r.Type) {
		p.add("time_in_force", CodeUnprocessable, "opg and cls orders must be market or limit orders")
	}
	if r.Type == fill.TrailingStop {
		if r.TimeInForce != fill.Day && r.TimeInForce != fill.GTC {
			p.add("time_in_force", CodeUnprocessable, "trailing_stop orders must use time_in_force day or gtc")
		}
		if v.class != Simple {
			p.add("order_class", CodeUnprocessable, "trailing_stop orders must be simple orders")
		}
	}
}

// extendedHours allows extended_hours only on day limit orders of stocks.
func (v *validation) extendedHours() {
	r := v.r
	if !r.ExtendedHours {
		return
	}
	if v.a.crypto() {
		v.p.add("extended_hours", CodeUnprocessable, "crypto trades around the clock; leave extended_hours out")
		return
	}
	if v.known && !(r.Type == fill.Limit && r.TimeInForce == fill.Day) {
		// Alpaca's own wording.
		v.p.add("extended_hours", CodeUnprocessable, "extended hours order must be DAY limit orders")
	}
}

func normalize(r Request, symbol string, class Class, opts Options) Normalized {
	n := Normalized{
		Symbol:        symbol,
		Qty:           value(r.Qty),
		Notional:      value(r.Notional),
		Side:          r.Side,
		Type:          r.Type,
		TimeInForce:   r.TimeInForce,
		LimitPrice:    value(r.LimitPrice),
		StopPrice:     value(r.StopPrice),
		TrailPrice:    value(r.TrailPrice),
		TrailPercent:  value(r.TrailPercent),
		ExtendedHours: r.ExtendedHours,
		ClientOrderID: r.ClientOrderID,
		OrderClass:    class,
		Fractional:    r.Notional.Valid || !value(r.Qty).IsInteger(),
	}
	if n.ClientOrderID == "" {
		gen := opts.NewClientOrderID
		if gen == nil {
			gen = uuid.NewString
		}
		n.ClientOrderID = gen()
	}
	if class != Simple && r.TakeProfit != nil {
		n.TakeProfit = &NormalizedTakeProfit{LimitPrice: value(r.TakeProfit.LimitPrice)}
	}
	if class != Simple && r.StopLoss != nil {
		n.StopLoss = &NormalizedStopLoss{StopPrice: value(r.StopLoss.StopPrice), LimitPrice: value(r.StopLoss.LimitPrice)}
	}
	return n
}

// value is d's decimal when present, zero when absent (a NullDecimal may carry a stale value).
func value(d decimal.NullDecimal) decimal.Decimal {
	if !d.Valid {
		return decimal.Zero
	}
	return d.Decimal
}
