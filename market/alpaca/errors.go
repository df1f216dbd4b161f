package alpaca

import (
	"errors"
	"fmt"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata/stream"
)

// RejectedError is what Run returns when Alpaca refuses the stream in a way that no retry can
// fix: rejected keys (402), a feed the data plan does not include (409), or keys without the
// market-data scope (411). It unwraps to the SDK's error, so errors.Is(err,
// stream.ErrInvalidCredentials) also holds for rejected keys.
type RejectedError struct {
	// Code is Alpaca's stream error code.
	Code int
	msg  string
	err  error
}

// Error says what was refused and what to change.
func (e *RejectedError) Error() string { return e.msg }

// Unwrap returns the SDK's error.
func (e *RejectedError) Unwrap() error { return e.err }

// rejection tells whether err is one of the refusals that end Run, and builds its message.
func rejection(err error, feed string) *RejectedError {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, stream.ErrInvalidCredentials):
		return &RejectedError{Code: 402, err: err,
			msg: "alpaca: the stream rejected the API keys (402 auth failed): check ALPACA_API_KEY_ID and ALPACA_API_SECRET_KEY"}
	case errors.Is(err, stream.ErrInsufficientSubscription):
		return &RejectedError{Code: 409, err: err,
			msg: fmt.Sprintf("alpaca: the data plan does not include the %q feed (409 insufficient subscription): set ALPACA_FEED=iex or upgrade the plan", feed)}
	case errors.Is(err, stream.ErrInsufficientScope):
		return &RejectedError{Code: 411, err: err,
			msg: "alpaca: the API keys may not read market data (411 insufficient scope): use keys with market-data access"}
	}
	return nil
}

// errSilent ends a session whose connection stayed quiet too long while its market was open.
var errSilent = errors.New("alpaca: stream silent while the market is open")

// errWedged ends a session whose SDK client stopped answering a subscription change: SDK
// v3.9.1 can deadlock when an acknowledgement races its own 3-second timeout, and the stuck
// client would otherwise stop delivering data for good.
var errWedged = errors.New("alpaca: stream client stopped answering subscription changes")

// errConnectionLimit is shown while Alpaca refuses the stream with 406: the keys' one stream
// connection is held by another client (another instance, a notebook). The SDK retries it.
var errConnectionLimit = errors.New("alpaca: connection limit exceeded (406): another client is using these keys' stream connection")
