package order

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
)

// Every number a person or a program sends (a form field or a JSON value) is read here, and
// nowhere else, because decimal.NewFromString is quadratic in its input's length: one form post
// with a quantity of a few million nines cost about 100 s of CPU. ParseAmount bounds the text
// before it parses it, and the value after: a price of 1e9999 is not a price.

// MaxAmountLength is the longest number, in characters, that ParseAmount reads: enough for any
// price or quantity written out in full (a billion with nine decimal places is 20), far too short
// to cost anything to parse.
const MaxAmountLength = 32

// maxTypedLength bounds a form field before its formatting ("$", ",", "%", spaces) is removed,
// so the removal too is bounded.
const maxTypedLength = 2 * MaxAmountLength

// maxExponent bounds the exponent of a number written as 1.5e-5 (how many JSON encoders write
// small floats), so a short text cannot stand for a number with millions of digits.
const maxExponent = 30

// AmountKind says what an amount measures, which decides its largest accepted value.
type AmountKind int

// The kinds of amount. Each bound is far above anything real and far below anything that could
// strain the arithmetic done with it.
const (
	// Price is a limit, stop or trail price, or a take-profit or stop-loss price: at most
	// 10,000,000 (the dearest share trades below a million dollars).
	Price AmountKind = iota + 1
	// Quantity is a number of shares or coins: at most 1,000,000,000,000 (cheap coins trade in
	// billions).
	Quantity
	// Dollars is a notional or a cash amount: at most 1,000,000,000,000. The services refuse
	// smaller amounts with their own limits (an account's starting cash).
	Dollars
	// Percent is a percentage such as trail_percent: at most 100.
	Percent
)

// limit is the largest value of the kind, and an example to show a person.
func (k AmountKind) limit() (most decimal.Decimal, example string) {
	switch k {
	case Price:
		return decimal.New(1, 7), "a price, such as 187.50"
	case Quantity:
		return decimal.New(1, 12), "a number, such as 10 or 187.50"
	case Percent:
		return decimal.New(1, 2), "a percentage, such as 2.5"
	default:
		return decimal.New(1, 12), "an amount in dollars, such as 2500"
	}
}

// ParseAmount reads one number of an order or an account (a JSON value's text, or a form field
// after ParseTypedAmount has removed its formatting) for the field named field, as Alpaca names
// it ("qty", "limit_price", "take_profit.limit_price"). It is the one way the app turns text into
// a decimal that came from outside: forms and the JSON APIs alike.
//
// The text is plain decimal notation, optionally signed, optionally with an exponent of at most
// two digits ("10", "187.50", "-3", ".5", "1.5e-5"). Empty text is an absent value (Valid false)
// and no error. Anything longer than MaxAmountLength characters is refused before it is parsed,
// and a value whose size is beyond kind's bound is refused after; signs, ticks and decimal places
// are left to Validate, which knows the asset.
//
// A refusal is an *apperr.Error of KindInvalid with Code CodeMalformed, whose Message (also in
// Fields[field]) names the field and says what to write instead, in Alpaca's lower-case style
// ("qty must be a number, such as 10 or 187.50").
func ParseAmount(field, raw string, kind AmountKind) (decimal.NullDecimal, error) {
	if raw == "" {
		return decimal.NullDecimal{}, nil
	}
	most, example := kind.limit()
	if len(raw) > MaxAmountLength {
		return decimal.NullDecimal{}, amountRefused(field,
			fmt.Sprintf("%s must be %s, written in at most %d characters", field, example, MaxAmountLength))
	}
	if !plainNumber(raw) {
		return decimal.NullDecimal{}, amountRefused(field, field+" must be "+example)
	}
	d, err := decimal.NewFromString(raw)
	if err != nil {
		return decimal.NullDecimal{}, amountRefused(field, field+" must be "+example)
	}
	if d.Abs().GreaterThan(most) {
		return decimal.NullDecimal{}, amountRefused(field, field+" must be at most "+most.String())
	}
	return decimal.NullDecimal{Decimal: d, Valid: true}, nil
}

// ParseTypedAmount is ParseAmount for a form field, read as people write numbers: spaces around
// it, a dollar sign, thousands separators and a per cent sign are ignored ("$1,234.50", "2 %").
func ParseTypedAmount(field, raw string, kind AmountKind) (decimal.NullDecimal, error) {
	if len(raw) > maxTypedLength {
		_, example := kind.limit()
		return decimal.NullDecimal{}, amountRefused(field,
			fmt.Sprintf("%s must be %s, written in at most %d characters", field, example, MaxAmountLength))
	}
	s := strings.NewReplacer("$", "", ",", "", "%", "", " ", "", "_", "").Replace(strings.TrimSpace(raw))
	return ParseAmount(field, s, kind)
}

func amountRefused(field, msg string) error {
	return &apperr.Error{Kind: apperr.KindInvalid, Code: CodeMalformed, Message: msg, Fields: map[string]string{field: msg}}
}

// plainNumber reports whether s is [+-]digits[.digits][e[+-]d[d]] with at least one digit in the
// mantissa. decimal.NewFromString accepts more than this, and its exponent has no bound.
func plainNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && isDigit(s[i]); i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp, n := 0, 0
		for ; i < len(s) && isDigit(s[i]); i++ {
			exp = exp*10 + int(s[i]-'0')
			n++
			if n > 2 {
				return false
			}
		}
		if n == 0 || exp > maxExponent {
			return false
		}
	}
	return i == len(s)
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// checkAmounts refuses a request whose numbers are beyond their kind's bound, however it was
// built (a caller that made its decimals without ParseAmount): Validate runs it first, so its
// later arithmetic (ticks, decimal places) never sees a number with millions of digits. The size
// is judged from the digit count and exponent before any comparison, because comparing decimals
// rescales them and 1e999999999 rescaled is a billion digits.
func checkAmounts(r Request) error {
	var p problems
	check := func(field string, d decimal.NullDecimal, kind AmountKind) {
		if !d.Valid {
			return
		}
		most, _ := kind.limit()
		exp := int64(d.Decimal.Exponent())
		intDigits := int64(d.Decimal.NumDigits()) + exp
		switch {
		case exp < -MaxAmountLength:
			p.add(field, CodeMalformed, fmt.Sprintf("%s must have at most %d decimal places", field, maxDecimals))
		case intDigits > int64(most.NumDigits())+int64(most.Exponent()) || d.Decimal.Abs().GreaterThan(most):
			p.add(field, CodeMalformed, field+" must be at most "+most.String())
		}
	}
	check("qty", r.Qty, Quantity)
	check("notional", r.Notional, Dollars)
	check("limit_price", r.LimitPrice, Price)
	check("stop_price", r.StopPrice, Price)
	check("trail_price", r.TrailPrice, Price)
	check("trail_percent", r.TrailPercent, Percent)
	if r.TakeProfit != nil {
		check("take_profit.limit_price", r.TakeProfit.LimitPrice, Price)
	}
	if r.StopLoss != nil {
		check("stop_loss.stop_price", r.StopLoss.StopPrice, Price)
		check("stop_loss.limit_price", r.StopLoss.LimitPrice, Price)
	}
	return p.err()
}

// UnmarshalJSON decodes an Alpaca-shaped order body with every amount read by ParseAmount, as a
// JSON string ("10.5") or number (10.5); null or "" is absent. A refusal is ParseAmount's
// *apperr.Error, which the API answers as Alpaca does (422 with code 40010001).
//
// The other fields decode as usual. A decimal field added to Request must be added here too, or
// it would be parsed by decimal's own decoder, which has no length bound.
func (r *Request) UnmarshalJSON(b []byte) error {
	type plain Request // Request without this method; the raw fields below shadow its amounts
	type rawLeg struct {
		StopPrice  json.RawMessage `json:"stop_price"`
		LimitPrice json.RawMessage `json:"limit_price"`
	}
	var in struct {
		plain
		Qty          json.RawMessage `json:"qty"`
		Notional     json.RawMessage `json:"notional"`
		LimitPrice   json.RawMessage `json:"limit_price"`
		StopPrice    json.RawMessage `json:"stop_price"`
		TrailPrice   json.RawMessage `json:"trail_price"`
		TrailPercent json.RawMessage `json:"trail_percent"`
		TakeProfit   *rawLeg         `json:"take_profit"`
		StopLoss     *rawLeg         `json:"stop_loss"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("order: request: %w", err)
	}
	out := Request(in.plain)
	var err error
	amount := func(field string, raw json.RawMessage, kind AmountKind) decimal.NullDecimal {
		if err != nil {
			return decimal.NullDecimal{}
		}
		var d decimal.NullDecimal
		d, err = jsonAmount(field, raw, kind)
		return d
	}
	out.Qty = amount("qty", in.Qty, Quantity)
	out.Notional = amount("notional", in.Notional, Dollars)
	out.LimitPrice = amount("limit_price", in.LimitPrice, Price)
	out.StopPrice = amount("stop_price", in.StopPrice, Price)
	out.TrailPrice = amount("trail_price", in.TrailPrice, Price)
	out.TrailPercent = amount("trail_percent", in.TrailPercent, Percent)
	out.TakeProfit, out.StopLoss = nil, nil
	if in.TakeProfit != nil {
		out.TakeProfit = &TakeProfit{LimitPrice: amount("take_profit.limit_price", in.TakeProfit.LimitPrice, Price)}
	}
	if in.StopLoss != nil {
		out.StopLoss = &StopLoss{
			StopPrice:  amount("stop_loss.stop_price", in.StopLoss.StopPrice, Price),
			LimitPrice: amount("stop_loss.limit_price", in.StopLoss.LimitPrice, Price),
		}
	}
	if err != nil {
		return err
	}
	*r = out
	return nil
}

// jsonAmount reads one JSON value (a string or a number, or null) with ParseAmount. The length is
// checked on the raw JSON first, so not even unquoting touches a long value.
func jsonAmount(field string, raw json.RawMessage, kind AmountKind) (decimal.NullDecimal, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return decimal.NullDecimal{}, nil
	}
	if len(s) > MaxAmountLength+2 {
		return ParseAmount(field, s, kind) // refused for its length
	}
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return decimal.NullDecimal{}, amountRefused(field, field+" must be a number")
		}
	}
	return ParseAmount(field, s, kind)
}
