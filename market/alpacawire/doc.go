// Package alpacawire is Alpaca's wire formats as Go types: the market-data stream messages (msgpack
// or JSON arrays of maps whose first key is "T"), the stream's control actions and error codes, and
// the JSON shapes of the trading and market-data REST APIs, with conversions from and to the market
// package's types.
//
// The shapes follow what alpaca-trade-api-go v3.9.1 decodes, which is the contract that matters
// for the fake server in market/alpacafake and for the Alpaca-compatible API that serves bots:
// struct field order is wire order (msgpack and encoding/json both keep it), market-data numbers
// are JSON numbers (floats for prices and crypto sizes, unsigned integers for stock sizes and
// volumes), trading-API decimals are JSON strings, and times are RFC 3339 in UTC on market data and
// in America/New_York on the clock.
package alpacawire
