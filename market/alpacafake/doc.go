// Package alpacafake is a fake Alpaca server that speaks Alpaca's real protocols, for testing the
// Alpaca code path with the official SDK and for running the app offline: the trading REST API's
// assets, clock and calendar, the market-data REST API's bars, latest data and snapshots, and the
// stock and crypto market-data streams (msgpack or JSON websockets), with faults to inject.
//
// Everything is served under one base URL: pass URL() as the trading and data base URLs, URL()+"/v2"
// as the stock stream base and URL()+"/v1beta3/crypto" as the crypto stream base. The market data
// comes from a market.Provider; live data is pushed with the Publish methods (or polled from the
// provider with Options.AutoPublish).
//
// Faults are injected with DropConnections, Silence, RejectAuth, SendMalformed and SetLatency;
// Requests, AuthAttempts, Connections and Subscriptions let tests see what clients did.
package alpacafake
