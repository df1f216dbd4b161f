package app

import (
	"regexp"
	"strings"

	"github.com/shopspring/decimal"

	"alpacawrapper/apperr"
	"alpacawrapper/trading"
	"alpacawrapper/trading/fill"
	"alpacawrapper/trading/order"
	"alpacawrapper/views"
)

// The order forms of the trade pages (the ticket and the inline replace form) read into the
// trading service's Alpaca-shaped requests here. The ticket shows every field without JavaScript,
// so fields that do not apply to the chosen type are ignored rather than refused: someone who
// typed a limit price and then chose a market order meant a market order.

// ticketInput is what the ticket's form fields hold.
type ticketInput struct {
	values map[string]string // as typed, to show again
	fields apperr.Fields     // what could not be read (numbers that are not numbers)
	req    order.Request
}

// ticketValueNames are the ticket fields shown again after a submission.
func ticketValueNames() []string {
	return append(views.TicketFieldNames(), "size_by")
}

// parseTicket reads the ticket form (form returns a field's value) into an order request.
func parseTicket(form func(string) string) ticketInput {
	in := ticketInput{values: map[string]string{}, fields: apperr.Fields{}}
	for _, n := range ticketValueNames() {
		in.values[n] = strings.TrimSpace(form(n))
	}
	v := in.values
	r := order.Request{
		Symbol:        strings.ToUpper(v["symbol"]),
		Side:          fill.Side(strings.ToLower(v["side"])),
		Type:          fill.OrderType(strings.ToLower(v["type"])),
		TimeInForce:   fill.TimeInForce(strings.ToLower(v["time_in_force"])),
		ExtendedHours: v["extended_hours"] == "true" || v["extended_hours"] == "on",
		ClientOrderID: v["client_order_id"],
		OrderClass:    order.Class(strings.ToLower(v["order_class"])),
	}
	if r.OrderClass == "" {
		r.OrderClass = order.Simple
	}
	// Size: the one the toggle chose; the other when the chosen one is empty (without
	// JavaScript both boxes are shown, and a filled box says more than a radio left alone).
	qty, notional := v["qty"], v["notional"]
	useNotional := v["size_by"] == "notional" && notional != "" || qty == "" && notional != ""
	if useNotional {
		r.Notional = in.number("notional", notional, order.Dollars)
	} else {
		r.Qty = in.number("qty", qty, order.Quantity)
	}
	switch r.Type {
	case fill.Limit:
		r.LimitPrice = in.number("limit_price", v["limit_price"], order.Price)
	case fill.Stop:
		r.StopPrice = in.number("stop_price", v["stop_price"], order.Price)
	case fill.StopLimit:
		r.LimitPrice = in.number("limit_price", v["limit_price"], order.Price)
		r.StopPrice = in.number("stop_price", v["stop_price"], order.Price)
	case fill.TrailingStop:
		r.TrailPrice = in.number("trail_price", v["trail_price"], order.Price)
		r.TrailPercent = in.number("trail_percent", v["trail_percent"], order.Percent)
	}
	if r.OrderClass != order.Simple {
		if tp := in.number("tp_limit_price", v["tp_limit_price"], order.Price); tp.Valid {
			r.TakeProfit = &order.TakeProfit{LimitPrice: tp}
		}
		stop, limit := in.number("sl_stop_price", v["sl_stop_price"], order.Price), in.number("sl_limit_price", v["sl_limit_price"], order.Price)
		if stop.Valid || limit.Valid {
			r.StopLoss = &order.StopLoss{StopPrice: stop, LimitPrice: limit}
		}
	}
	in.req = r
	return in
}

// number reads a decimal field with the one bounded parser: "" is absent; "$1,234.50" and "2%"
// are read as people write them.
func (in *ticketInput) number(field, raw string, kind order.AmountKind) decimal.NullDecimal {
	d, msg := typedAmount(alpacaField(field), raw, kind)
	if msg != "" {
		in.fields.Add(field, msg)
	}
	return d
}

// typedAmount reads a number typed into a form field (named as the API names it, for the
// message) with order.ParseTypedAmount; msg is its refusal as a sentence for the page.
func typedAmount(name, raw string, kind order.AmountKind) (d decimal.NullDecimal, msg string) {
	d, err := order.ParseTypedAmount(name, raw, kind)
	if err != nil {
		return decimal.NullDecimal{}, sentence(err.Error())
	}
	return d, ""
}

// alpacaField is the API's name of a ticket field, so messages read the same on both.
func alpacaField(ticket string) string {
	switch ticket {
	case "tp_limit_price":
		return "take_profit.limit_price"
	case "sl_stop_price":
		return "stop_loss.stop_price"
	case "sl_limit_price":
		return "stop_loss.limit_price"
	}
	return ticket
}

// ticketField is the ticket field an Alpaca field name belongs to ("" when the ticket has none).
func ticketField(alpaca string) string {
	switch alpaca {
	case "take_profit.limit_price", "take_profit":
		return "tp_limit_price"
	case "stop_loss.stop_price", "stop_loss":
		return "sl_stop_price"
	case "stop_loss.limit_price":
		return "sl_limit_price"
	}
	for _, n := range views.TicketFieldNames() {
		if n == alpaca {
			return n
		}
	}
	return ""
}

// ticketRefusal turns a refusal of the trading service into the ticket's messages: each under its
// field, and a summary. Refusals without a field that still concern one (selling more than is
// held) are put under it too.
func ticketRefusal(rej *apperr.Error, sizeField string) (errs map[string]string, summary string) {
	errs = map[string]string{}
	for k, msg := range rej.Fields {
		if f := ticketField(k); f != "" {
			if _, taken := errs[f]; !taken {
				errs[f] = sentence(msg)
			}
		}
	}
	msg := sentence(rej.Message)
	if len(rej.Fields) == 0 && strings.HasPrefix(rej.Message, "insufficient qty") {
		errs[sizeField] = msg
	}
	return errs, "The order was not placed: " + msg
}

// alpacaWords are the API's field names as a person reads them on the ticket.
var alpacaWords = strings.NewReplacer(
	"take_profit.limit_price", "take-profit limit price",
	"stop_loss.limit_price", "stop-loss limit price",
	"stop_loss.stop_price", "stop-loss stop price",
	"take_profit", "take-profit", "stop_loss", "stop-loss",
	"limit_price", "limit price", "stop_price", "stop price",
	"trail_price", "trail price", "trail_percent", "trail percent",
	"time_in_force", "time in force", "extended_hours", "extended hours",
	"client_order_id", "client order id", "order_class", "order class",
	"stop_limit", "stop-limit", "trailing_stop", "trailing stop",
)

// qtyWord matches Alpaca's "qty" as a word.
var qtyWord = regexp.MustCompile(`\bqty\b`)

// sentence turns Alpaca's lower-case API message into one for the page: its field names in
// words ("limit_price is required" → "Limit price is required."), capitalised, with a full stop.
// The API itself answers with Alpaca's exact wording.
func sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return msg
	}
	msg = qtyWord.ReplaceAllString(alpacaWords.Replace(msg), "quantity")
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// replaceInput is what an inline replace form holds.
type replaceInput struct {
	values map[string]string
	fields apperr.Fields
	req    trading.ReplaceRequest
}

// parseReplace reads a replace form: empty fields keep the order's value.
func parseReplace(form func(string) string) replaceInput {
	in := replaceInput{values: map[string]string{}, fields: apperr.Fields{}}
	for _, n := range []string{"qty", "limit_price", "stop_price", "trail", "time_in_force"} {
		in.values[n] = strings.TrimSpace(form(n))
	}
	num := func(field string, kind order.AmountKind) decimal.NullDecimal {
		d, msg := typedAmount(field, in.values[field], kind)
		if msg != "" {
			in.fields.Add(field, msg)
		}
		return d
	}
	in.req = trading.ReplaceRequest{
		Qty: num("qty", order.Quantity), LimitPrice: num("limit_price", order.Price), StopPrice: num("stop_price", order.Price),
		// A trail is a price or a percentage: the larger (price) bound, and the service checks a percentage's.
		Trail:       num("trail", order.Price),
		TimeInForce: fill.TimeInForce(strings.ToLower(in.values["time_in_force"])),
	}
	return in
}

// replaceRefusal puts a refusal's messages under the replace form's fields.
func replaceRefusal(rej *apperr.Error) views.Form {
	f := views.Form{Errors: map[string]string{}}
	for k, msg := range rej.Fields {
		switch k {
		case "qty", "limit_price", "stop_price", "time_in_force":
			f.Errors[k] = sentence(msg)
		case "trail_price", "trail_percent":
			f.Errors["trail"] = sentence(msg)
		}
	}
	if len(f.Errors) == 0 {
		f.Error = sentence(rej.Message)
	}
	return f
}
