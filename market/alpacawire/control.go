package alpacawire

import (
	"fmt"
	"slices"
)

// The "T" values of stream control messages. Each is sent alone, as an array of one element.
const (
	TypeSuccess      = "success"
	TypeError        = "error"
	TypeSubscription = "subscription"
)

// The "msg" texts of success messages.
const (
	MsgConnected     = "connected"
	MsgAuthenticated = "authenticated"
)

// The actions a client sends.
const (
	ActionAuth        = "auth"
	ActionSubscribe   = "subscribe"
	ActionUnsubscribe = "unsubscribe"
)

// The stream's error codes. The SDK compares code and text together (errors.Is on the whole
// message), so ErrorText's wording must not change.
const (
	CodeInvalidSyntax            = 400
	CodeNotAuthenticated         = 401
	CodeAuthFailed               = 402
	CodeAlreadyAuthenticated     = 403
	CodeAuthTimeout              = 404
	CodeSymbolLimitExceeded      = 405
	CodeConnectionLimitExceeded  = 406
	CodeSlowClient               = 407
	CodeInsufficientSubscription = 409
	CodeInvalidForFeed           = 410
	CodeInsufficientScope        = 411
	CodeInternalError            = 500
)

// ErrorText is the message Alpaca sends with a stream error code; for codes the SDK knows
// (402, 405, 406, 407, 409, 410, 411) it is exactly the SDK's text.
func ErrorText(code int) string {
	switch code {
	case CodeInvalidSyntax:
		return "invalid syntax"
	case CodeNotAuthenticated:
		return "not authenticated"
	case CodeAuthFailed:
		return "auth failed"
	case CodeAlreadyAuthenticated:
		return "already authenticated"
	case CodeAuthTimeout:
		return "auth timeout"
	case CodeSymbolLimitExceeded:
		return "symbol limit exceeded"
	case CodeConnectionLimitExceeded:
		return "connection limit exceeded"
	case CodeSlowClient:
		return "slow client"
	case CodeInsufficientSubscription:
		return "insufficient subscription"
	case CodeInvalidForFeed:
		return "invalid subscribe action for this feed"
	case CodeInsufficientScope:
		return "insufficient scope"
	case CodeInternalError:
		return "internal error"
	default:
		return fmt.Sprintf("error %d", code)
	}
}

// SuccessMsg is a success control message.
type SuccessMsg struct {
	T   string `msgpack:"T" json:"T"`
	Msg string `msgpack:"msg" json:"msg"`
}

// NewSuccessMsg is a success message with the given text (MsgConnected, MsgAuthenticated).
func NewSuccessMsg(msg string) SuccessMsg { return SuccessMsg{T: TypeSuccess, Msg: msg} }

// ErrorMsg is an error control message.
type ErrorMsg struct {
	T    string `msgpack:"T" json:"T"`
	Code int    `msgpack:"code" json:"code"`
	Msg  string `msgpack:"msg" json:"msg"`
}

// NewErrorMsg is the error message for a code, with Alpaca's text.
func NewErrorMsg(code int) ErrorMsg { return ErrorMsg{T: TypeError, Code: code, Msg: ErrorText(code)} }

// Error makes an ErrorMsg usable as an error, worded like the SDK's.
func (e ErrorMsg) Error() string { return fmt.Sprintf("%s (%d)", e.Msg, e.Code) }

// The subscription channels of an action or of an acknowledgement.
const (
	ChanTrades       = "trades"
	ChanQuotes       = "quotes"
	ChanBars         = "bars"
	ChanUpdatedBars  = "updatedBars"
	ChanDailyBars    = "dailyBars"
	ChanStatuses     = "statuses"
	ChanImbalances   = "imbalances"
	ChanLULDs        = "lulds"
	ChanCancelErrors = "cancelErrors"
	ChanCorrections  = "corrections"
	ChanOrderbooks   = "orderbooks"
	ChanNews         = "news"
	ChanPricing      = "pricing"
)

// StockChannels are the channels a client may subscribe to on a stock feed.
func StockChannels() []string {
	return []string{ChanTrades, ChanQuotes, ChanBars, ChanUpdatedBars, ChanDailyBars, ChanStatuses, ChanImbalances, ChanLULDs}
}

// CryptoChannels are the channels a client may subscribe to on the crypto feed.
func CryptoChannels() []string {
	return []string{ChanTrades, ChanQuotes, ChanBars, ChanUpdatedBars, ChanDailyBars, ChanOrderbooks}
}

// Action is a message from a client: auth (Key, Secret) or subscribe/unsubscribe (the lists).
// The SDK sends every list key, nil or empty when unused.
type Action struct {
	Action      string   `msgpack:"action" json:"action"`
	Key         string   `msgpack:"key,omitempty" json:"key,omitempty"`
	Secret      string   `msgpack:"secret,omitempty" json:"secret,omitempty"`
	Trades      []string `msgpack:"trades,omitempty" json:"trades,omitempty"`
	Quotes      []string `msgpack:"quotes,omitempty" json:"quotes,omitempty"`
	Bars        []string `msgpack:"bars,omitempty" json:"bars,omitempty"`
	UpdatedBars []string `msgpack:"updatedBars,omitempty" json:"updatedBars,omitempty"`
	DailyBars   []string `msgpack:"dailyBars,omitempty" json:"dailyBars,omitempty"`
	Statuses    []string `msgpack:"statuses,omitempty" json:"statuses,omitempty"`
	Imbalances  []string `msgpack:"imbalances,omitempty" json:"imbalances,omitempty"`
	LULDs       []string `msgpack:"lulds,omitempty" json:"lulds,omitempty"`
	Orderbooks  []string `msgpack:"orderbooks,omitempty" json:"orderbooks,omitempty"`
	News        []string `msgpack:"news,omitempty" json:"news,omitempty"`
	Pricing     []string `msgpack:"pricing,omitempty" json:"pricing,omitempty"`
}

// Lists maps each channel the action names to its symbols; channels with no symbols are left out.
func (a Action) Lists() map[string][]string {
	all := map[string][]string{
		ChanTrades: a.Trades, ChanQuotes: a.Quotes, ChanBars: a.Bars, ChanUpdatedBars: a.UpdatedBars,
		ChanDailyBars: a.DailyBars, ChanStatuses: a.Statuses, ChanImbalances: a.Imbalances, ChanLULDs: a.LULDs,
		ChanOrderbooks: a.Orderbooks, ChanNews: a.News, ChanPricing: a.Pricing,
	}
	out := make(map[string][]string, len(all))
	for ch, syms := range all {
		if len(syms) > 0 {
			out[ch] = syms
		}
	}
	return out
}

// StockSubscriptionMsg acknowledges a subscription change on a stock feed with the full current
// set. cancelErrors and corrections follow trades, as on Alpaca.
type StockSubscriptionMsg struct {
	T            string   `msgpack:"T" json:"T"`
	Trades       []string `msgpack:"trades" json:"trades"`
	Quotes       []string `msgpack:"quotes" json:"quotes"`
	Bars         []string `msgpack:"bars" json:"bars"`
	UpdatedBars  []string `msgpack:"updatedBars" json:"updatedBars"`
	DailyBars    []string `msgpack:"dailyBars" json:"dailyBars"`
	Statuses     []string `msgpack:"statuses" json:"statuses"`
	Imbalances   []string `msgpack:"imbalances" json:"imbalances"`
	LULDs        []string `msgpack:"lulds" json:"lulds"`
	CancelErrors []string `msgpack:"cancelErrors" json:"cancelErrors"`
	Corrections  []string `msgpack:"corrections" json:"corrections"`
}

// NewStockSubscriptionMsg builds the acknowledgement from the current set by channel. Every list is
// sent, empty rather than null.
func NewStockSubscriptionMsg(set map[string][]string) StockSubscriptionMsg {
	get := func(ch string) []string { return nonNil(set[ch]) }
	return StockSubscriptionMsg{
		T: TypeSubscription, Trades: get(ChanTrades), Quotes: get(ChanQuotes), Bars: get(ChanBars),
		UpdatedBars: get(ChanUpdatedBars), DailyBars: get(ChanDailyBars), Statuses: get(ChanStatuses),
		Imbalances: get(ChanImbalances), LULDs: get(ChanLULDs),
		CancelErrors: get(ChanTrades), Corrections: get(ChanTrades),
	}
}

// CryptoSubscriptionMsg acknowledges a subscription change on the crypto feed.
type CryptoSubscriptionMsg struct {
	T           string   `msgpack:"T" json:"T"`
	Trades      []string `msgpack:"trades" json:"trades"`
	Quotes      []string `msgpack:"quotes" json:"quotes"`
	Orderbooks  []string `msgpack:"orderbooks" json:"orderbooks"`
	Bars        []string `msgpack:"bars" json:"bars"`
	UpdatedBars []string `msgpack:"updatedBars" json:"updatedBars"`
	DailyBars   []string `msgpack:"dailyBars" json:"dailyBars"`
}

// NewCryptoSubscriptionMsg builds the acknowledgement from the current set by channel.
func NewCryptoSubscriptionMsg(set map[string][]string) CryptoSubscriptionMsg {
	get := func(ch string) []string { return nonNil(set[ch]) }
	return CryptoSubscriptionMsg{
		T: TypeSubscription, Trades: get(ChanTrades), Quotes: get(ChanQuotes), Orderbooks: get(ChanOrderbooks),
		Bars: get(ChanBars), UpdatedBars: get(ChanUpdatedBars), DailyBars: get(ChanDailyBars),
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}
