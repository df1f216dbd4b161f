// Package alpacaapi is the Alpaca-compatible trading API's translation layer: Alpaca's JSON
// shapes, query parameters and error codes to and from the trading service, so that bots written
// for Alpaca's paper service run against this app with only the base URL and keys changed.
//
// It knows nothing about HTTP servers: the handlers in app/alpaca_*.go read the request, call a
// decoder or parser here, call one service method and answer with an encoder here. Everything
// here follows the official SDKs' source (alpaca-trade-api-go v3.9.1, alpaca-py,
// @alpacahq/alpaca-trade-api), which is what bots actually speak.
package alpacaapi
