package app

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/alpacaapi"
	"alpacawrapper/candles"
	"alpacawrapper/models"
	"alpacawrapper/openapi"
	"alpacawrapper/trading"
	"alpacawrapper/urls"
)

// The JSON API's operations, each declared once: the route that serves it (method, named path,
// guards, handler) and what the OpenAPI document says of it, with the Go types of its body and
// answers. apiV1Routes mounts the routes from this list and apiV1Document describes the same
// list, so the two cannot disagree (docs/ARCHITECTURE.md, "The JSON API's document").

// apiOp is one operation of the JSON API.
type apiOp struct {
	route    urls.Name
	method   string
	handlers []fiber.Handler // guards, then the handler
	doc      openapi.Operation
}

// apiV1Tags are the document's groups of operations, in the reference page's order.
func apiV1Tags() []openapi3.Tag {
	return []openapi3.Tag{
		{Name: "Authentication", Description: "Access tokens for programs (API keys are made in Settings → API keys)."},
		{Name: "Profile", Description: "The signed-in person."},
		{Name: "API keys", Description: "Keys for programs (the Alpaca-compatible API and this one): list, create (the secret is shown once), revoke."},
		{Name: "Paper accounts", Description: "The caller's paper trading accounts: open, settings (realism, commission schedule), primary, reset, history and statistics."},
		{Name: "Trading", Description: "Orders (preview, place, replace, cancel, fill receipts), positions and activity of one of the caller's accounts. Orders, positions, fills and activities have the Alpaca-compatible API's shapes."},
		{Name: "Watchlists", Description: "Personal and global watchlists."},
		{Name: "Market data", Description: "The asset catalogue, quotes, candles, the market clock and calendar. Public: no credentials, a limit per client IP."},
		{Name: "Administration", Description: "Operators' actions (administrators only; everyone else gets 404)."},
		{Name: "Document", Description: "This document."},
	}
}

// apiV1Ops lists every operation of /api/v1, in routing order (a route ending in a fixed word
// comes before the one whose symbol would swallow it).
func (s *Server) apiV1Ops() []apiOp {
	public, user, admin := []fiber.Handler{s.limitPublic}, []fiber.Handler{s.apiAuth}, []fiber.Handler{s.apiAuth, s.requireAdmin}
	open := []fiber.Handler{}
	with := func(guards []fiber.Handler, h fiber.Handler) []fiber.Handler {
		return append(append([]fiber.Handler{}, guards...), h)
	}
	ok := func(desc string, body any) []openapi.Response {
		return []openapi.Response{{Status: http.StatusOK, Description: desc, Body: body}}
	}
	idParam := openapi.Param{Name: "id", In: "path", Description: "The watchlist's id.",
		Schema: openapi3.NewInt64Schema().WithMin(1), Example: 7}
	symbolParam := openapi.Param{Name: "symbol", In: "path",
		Description: "A symbol: AAPL, BRK.B, or a crypto pair as BTC/USD (the slash as is or as %2F) or BTCUSD.",
		Schema:      openapi3.NewStringSchema().WithMinLength(1).WithMaxLength(maxSymbolRunes * 3), Example: "AAPL"}
	symbolsParam := func(limit int) openapi.Param {
		return openapi.Param{Name: "symbols", In: "query", Required: true,
			Description: fmt.Sprintf("Up to %d symbols, separated by commas.", limit),
			Schema:      openapi3.NewStringSchema().WithMinLength(1), Example: "AAPL,BTC/USD"}
	}
	accountParam := openapi.Param{Name: "id", In: "path", Description: "The paper account's id.",
		Schema: openapi3.NewInt64Schema().WithMin(1), Example: 12}
	keyParam := openapi.Param{Name: "id", In: "path", Description: "The API key's id (not its key_id).",
		Schema: openapi3.NewInt64Schema().WithMin(1), Example: 31}
	orderParam := openapi.Param{Name: "order", In: "path", Description: "The order's id.",
		Schema: openapi3.NewUUIDSchema(), Example: "5f1c2b7e-8a44-4f0e-9d3b-2f6a1c9e7b10"}
	pageLimitParam := intQuery("limit", "Rows per page.", 1, apiMaxPage, apiDefaultPage)
	beforeParam := cursorQuery("before", "Rows older than this cursor (a page's next_cursor).")
	// A refused order: 403 when buying power or the account's state does not allow it, 404 for
	// an unknown asset, 409 for a client_order_id in use, 422 for fields that do not go together.
	orderErrors := []int{403, 404, 409, 415, 422}
	pa, tr := "Paper accounts", "Trading"
	wl := "Watchlists"
	md := "Market data"
	return []apiOp{
		// Authentication.
		{urls.APIAuthToken, http.MethodPost, with(open, s.apiToken), openapi.Operation{
			ID: "createToken", Tag: "Authentication", Summary: "Sign in for a token pair",
			Description: "Trades an e-mail address and password for an access token (15 minutes) and a refresh token. " +
				"Failed attempts slow the client down exactly as the login form does.",
			Body: tokenRequestJSON{}, Responses: ok("A token pair.", tokenPairJSON{}), Errors: []int{401, 415, 422}}},
		{urls.APIAuthRefresh, http.MethodPost, with(open, s.apiRefresh), openapi.Operation{
			ID: "refreshToken", Tag: "Authentication", Summary: "Renew a token pair",
			Description: "Spends a refresh token for a new pair. A refresh token used twice ends its whole login.",
			Body:        refreshRequestJSON{}, Responses: ok("A new token pair.", tokenPairJSON{}), Errors: []int{401, 415, 422}}},
		{urls.APIAuthLogout, http.MethodPost, with(open, s.apiLogout), openapi.Operation{
			ID: "revokeToken", Tag: "Authentication", Summary: "Sign out",
			Description: "Ends the login a refresh token belongs to, with its access tokens (204 even for an unknown token, as RFC 7009 says).",
			Body:        refreshRequestJSON{}, Responses: []openapi.Response{{Status: http.StatusNoContent, Description: "Signed out."}},
			Errors: []int{415, 422}}},
		{urls.APIAuthVerify, http.MethodPost, with(open, s.apiVerify), openapi.Operation{
			ID: "verifyToken", Tag: "Authentication", Summary: "Check an access token",
			Body: verifyRequestJSON{}, Responses: ok("The token is valid.", tokenInfoJSON{}), Errors: []int{401, 415, 422}}},
		{urls.APIMe, http.MethodGet, with(user, s.apiMe), openapi.Operation{
			ID: "getMe", Tag: "Profile", Summary: "Who the credentials belong to", Auth: openapi.User,
			Responses: ok("The signed-in person.", meJSON{})}},
		{urls.APIMe, http.MethodPatch, with(user, s.apiUpdateMe), openapi.Operation{
			ID: "updateMe", Tag: "Profile", Summary: "Change the profile", Auth: openapi.User,
			Description: "The name and time zone, as on the profile page; a field left out keeps its value. " +
				"(The picture is uploaded on the profile page.)",
			Body: profileUpdateJSON{}, Responses: ok("The profile.", meJSON{}), Errors: []int{415, 422}}},

		// API keys, paper accounts and trading (api_v1_keys.go, api_v1_accounts.go, api_v1_trading.go).
		{urls.APIKeys, http.MethodGet, with(user, s.apiListKeys), openapi.Operation{
			ID: "listAPIKeys", Tag: "API keys", Summary: "List API keys", Auth: openapi.User,
			Description: "The caller's active keys, without their secrets (a person has a bounded number, so there are no pages).",
			Responses:   ok("The keys.", apiKeysJSON{})}},
		{urls.APIKeys, http.MethodPost, with(user, s.apiCreateKey), openapi.Operation{
			ID: "createAPIKey", Tag: "API keys", Summary: "Create an API key", Auth: openapi.User,
			Description: "The answer holds the secret, which is shown this once and stored only as a hash.",
			Body:        apiKeyCreateJSON{},
			Responses: []openapi.Response{{Status: http.StatusCreated, Description: "The new key with its secret.", Body: apiKeyCreatedJSON{},
				Headers: map[string]string{"Location": "The key's URL (for revoking it)."}}},
			Errors: []int{403, 409, 415, 422}}},
		{urls.APIKey, http.MethodDelete, with(user, s.apiRevokeKey), openapi.Operation{
			ID: "revokeAPIKey", Tag: "API keys", Summary: "Revoke an API key", Auth: openapi.User,
			Params:    []openapi.Param{keyParam},
			Responses: []openapi.Response{{Status: http.StatusNoContent, Description: "Revoked: the key no longer works."}}, Errors: []int{404}}},

		{urls.APIAccounts, http.MethodGet, with(user, s.apiListAccounts), openapi.Operation{
			ID: "listAccounts", Tag: pa, Summary: "List paper accounts", Auth: openapi.User,
			Description: fmt.Sprintf("The caller's accounts with their value now, the primary one first (at most %d, so there are no pages).", trading.MaxAccountsPerUser),
			Responses:   ok("The accounts.", paperAccountsJSON{})}},
		{urls.APIAccounts, http.MethodPost, with(user, s.apiOpenAccount), openapi.Operation{
			ID: "openAccount", Tag: pa, Summary: "Open a paper account", Auth: openapi.User,
			Body: accountOpenJSON{},
			Responses: []openapi.Response{{Status: http.StatusCreated, Description: "The new account.", Body: paperAccountJSON{},
				Headers: map[string]string{"Location": "The account's URL."}}},
			Errors: []int{409, 415, 422}}},
		{urls.APIAccount, http.MethodGet, with(user, s.apiGetAccount), openapi.Operation{
			ID: "getAccount", Tag: pa, Summary: "Get a paper account", Auth: openapi.User,
			Params: []openapi.Param{accountParam}, Responses: ok("The account with its value now.", paperAccountJSON{}), Errors: []int{404}}},
		{urls.APIAccount, http.MethodPatch, with(user, s.apiUpdateAccount), openapi.Operation{
			ID: "updateAccount", Tag: pa, Summary: "Change an account's name and settings", Auth: openapi.User,
			Description: "Margin, short selling, the commission schedule, regulatory fees and the fill realism; a field left out keeps its value.",
			Params:      []openapi.Param{accountParam}, Body: accountSettingsJSON{},
			Responses: ok("The account.", paperAccountJSON{}), Errors: []int{404, 415, 422}}},
		{urls.APIAccountPrimary, http.MethodPut, with(user, s.apiMakePrimary), openapi.Operation{
			ID: "makeAccountPrimary", Tag: pa, Summary: "Make an account the primary one", Auth: openapi.User,
			Description: "API keys made without an account trade the primary account from their next request on.",
			Params:      []openapi.Param{accountParam}, Responses: ok("The account, now primary.", paperAccountJSON{}), Errors: []int{404}}},
		{urls.APIAccountReset, http.MethodPost, with(user, s.apiResetAccount), openapi.Operation{
			ID: "resetAccount", Tag: pa, Summary: "Reset an account", Auth: openapi.User,
			Description: "Closes the current period (its orders, fills and history are kept) and starts a new one with the cash; working orders are canceled. " +
				"The account's name confirms it, as on the settings page.",
			Params: []openapi.Param{accountParam}, Body: accountResetJSON{},
			Responses: ok("The account in its new period.", accountResetDoneJSON{}), Errors: []int{404, 415, 422}}},
		{urls.APIAccountHistory, http.MethodGet, with(user, s.apiAccountHistory), openapi.Operation{
			ID: "getAccountHistory", Tag: pa, Summary: "Equity history", Auth: openapi.User,
			Description: "The portfolio chart's data: the current period's equity over a range, thinned to the range's resolution, ending with the equity now.",
			Params: []openapi.Param{accountParam, {Name: "range", In: "query", Description: "The range (1M when absent).",
				Schema: openapi3.NewStringSchema().WithEnum("1D", "1W", "1M", "3M", "1Y", "all"), Example: "1M"}},
			Responses: ok("The curve.", equityHistory{}), Errors: []int{404, 422}}},
		{urls.APIAccountStats, http.MethodGet, with(user, s.apiAccountStats), openapi.Operation{
			ID: "getAccountStatistics", Tag: pa, Summary: "Statistics of the current period", Auth: openapi.User,
			Description: "Return, P&L, drawdown, Sharpe ratio and win rate, as the portfolio page shows them.",
			Params:      []openapi.Param{accountParam}, Responses: ok("The statistics.", accountStatsJSON{}), Errors: []int{404}}},

		{urls.APIAccountOrderPreview, http.MethodPost, with(user, s.apiPreviewOrder), openapi.Operation{
			ID: "previewOrder", Tag: tr, Summary: "Preview an order", Auth: openapi.User,
			Description: "What the ticket shows before placing: the estimated price, cost, fees, buying power after, and whether it fills now, rests or is queued. " +
				"The order is checked exactly as placing it would be; nothing is written.",
			Params: []openapi.Param{accountParam}, Body: orderRequestJSON{},
			Responses: ok("The estimate.", orderPreviewJSON{}), Errors: orderErrors}},
		{urls.APIAccountOrders, http.MethodGet, with(user, s.apiListOrders), openapi.Operation{
			ID: "listOrders", Tag: tr, Summary: "List orders", Auth: openapi.User,
			Description: "The current period's orders, newest first, a page at a time; a bracket's legs are nested in it.",
			Params: []openapi.Param{accountParam,
				{Name: "status", In: "query", Description: "open, closed or all (the default).", Schema: openapi3.NewStringSchema().WithEnum("open", "closed", "all"), Example: "open"},
				pageLimitParam, beforeParam},
			Responses: ok("A page of orders.", ordersPageJSON{}), Errors: []int{404, 422}}},
		{urls.APIAccountOrders, http.MethodPost, with(user, s.apiPlaceOrder), openapi.Operation{
			ID: "placeOrder", Tag: tr, Summary: "Place an order", Auth: openapi.User,
			Description: "Filled at once against the latest quote when marketable, else working until it fills, is canceled or expires.",
			Params:      []openapi.Param{accountParam}, Body: orderRequestJSON{},
			Responses: []openapi.Response{{Status: http.StatusCreated, Description: "The order as it stands after placing (filled, new, accepted…).",
				Body: alpacaapi.Order{}, Headers: map[string]string{"Location": "The order's URL."}}},
			Errors: orderErrors}},
		{urls.APIAccountOrderFills, http.MethodGet, with(user, s.apiOrderFills), openapi.Operation{
			ID: "listOrderFills", Tag: tr, Summary: "An order's fill receipts", Auth: openapi.User,
			Description: "Each fill with the quote it met and the rules that set its price, size and fees (an order has a bounded number of fills).",
			Params:      []openapi.Param{accountParam, orderParam}, Responses: ok("The fills, oldest first.", fillsJSON{}), Errors: []int{404}}},
		{urls.APIAccountOrder, http.MethodGet, with(user, s.apiGetOrder), openapi.Operation{
			ID: "getOrder", Tag: tr, Summary: "Get an order", Auth: openapi.User,
			Params: []openapi.Param{accountParam, orderParam}, Responses: ok("The order.", alpacaapi.Order{}), Errors: []int{404}}},
		{urls.APIAccountOrder, http.MethodPatch, with(user, s.apiReplaceOrder), openapi.Operation{
			ID: "replaceOrder", Tag: tr, Summary: "Replace a working order", Auth: openapi.User,
			Description: "A new order takes the old one's place (the old one ends as replaced); fields left out keep their values.",
			Params:      []openapi.Param{accountParam, orderParam}, Body: orderReplaceJSON{},
			Responses: ok("The new order.", alpacaapi.Order{}), Errors: orderErrors}},
		{urls.APIAccountOrder, http.MethodDelete, with(user, s.apiCancelOrder), openapi.Operation{
			ID: "cancelOrder", Tag: tr, Summary: "Cancel a working order", Auth: openapi.User,
			Params: []openapi.Param{accountParam, orderParam}, Responses: ok("The order, canceled.", alpacaapi.Order{}), Errors: []int{403, 404, 409, 422}}},
		{urls.APIAccountPositions, http.MethodGet, with(user, s.apiPositions), openapi.Operation{
			ID: "listPositions", Tag: tr, Summary: "List open positions", Auth: openapi.User,
			Description: "Valued at the latest quotes, with today's change (one per symbol held, so there are no pages).",
			Params:      []openapi.Param{accountParam}, Responses: ok("The positions.", positionsJSON{}), Errors: []int{404}}},
		{urls.APIAccountPosition, http.MethodDelete, with(user, s.apiClosePosition), openapi.Operation{
			ID: "closePosition", Tag: tr, Summary: "Close a position", Auth: openapi.User,
			Description: "A market order for the whole position, or qty of it.",
			Params: []openapi.Param{accountParam, symbolParam,
				{Name: "qty", In: "query", Description: "How much to close (all of it when absent).", Schema: openapi3.NewStringSchema().WithMaxLength(40), Example: "5"}},
			Responses: ok("The closing order.", alpacaapi.Order{}), Errors: orderErrors}},
		{urls.APIAccountActivities, http.MethodGet, with(user, s.apiActivities), openapi.Operation{
			ID: "listActivities", Tag: tr, Summary: "List activity", Auth: openapi.User,
			Description: "Fills and cash movements (deposits, fees), newest first, a page at a time. A fill's fill_id names its receipt.",
			Params: []openapi.Param{accountParam,
				{Name: "kind", In: "query", Description: "all (the default), fills or cash.", Schema: openapi3.NewStringSchema().WithEnum("all", "fills", "cash"), Example: "fills"},
				pageLimitParam, beforeParam},
			Responses: ok("A page of activity.", activitiesPageJSON{}), Errors: []int{404, 422}}},

		// Watchlists.
		{urls.APIWatchlists, http.MethodGet, with(user, s.apiWatchlists), openapi.Operation{
			ID: "listWatchlists", Tag: wl, Summary: "List watchlists", Auth: openapi.User,
			Description: "The caller's own lists, then the global ones.",
			Responses:   ok("The lists.", watchlistsJSON{})}},
		{urls.APIWatchlists, http.MethodPost, with(user, s.apiCreateWatchlist), openapi.Operation{
			ID: "createWatchlist", Tag: wl, Summary: "Create a watchlist", Auth: openapi.User,
			Description: "A new, empty list. Only administrators may make a global one.",
			Body:        watchlistCreateJSON{},
			Responses: []openapi.Response{{Status: http.StatusCreated, Description: "The new list.", Body: watchlistDetailJSON{},
				Headers: map[string]string{"Location": "The new list's URL."}}},
			Errors: []int{403, 409, 415, 422}}},
		{urls.APIWatchlist, http.MethodGet, with(user, s.apiWatchlist), openapi.Operation{
			ID: "getWatchlist", Tag: wl, Summary: "Get a watchlist", Auth: openapi.User,
			Params: []openapi.Param{idParam}, Responses: ok("The list with its assets in order.", watchlistDetailJSON{}), Errors: []int{404}}},
		{urls.APIWatchlist, http.MethodPatch, with(user, s.apiRenameWatchlist), openapi.Operation{
			ID: "renameWatchlist", Tag: wl, Summary: "Rename a watchlist", Auth: openapi.User,
			Params: []openapi.Param{idParam}, Body: watchlistRenameJSON{},
			Responses: ok("The renamed list.", watchlistDetailJSON{}), Errors: []int{403, 404, 409, 415, 422}}},
		{urls.APIWatchlist, http.MethodDelete, with(user, s.apiDeleteWatchlist), openapi.Operation{
			ID: "deleteWatchlist", Tag: wl, Summary: "Delete a watchlist", Auth: openapi.User,
			Params:    []openapi.Param{idParam},
			Responses: []openapi.Response{{Status: http.StatusNoContent, Description: "Deleted."}}, Errors: []int{403, 404, 409}}},
		{urls.APIWatchlistDefault, http.MethodPut, with(user, s.apiSetDefaultWatchlist), openapi.Operation{
			ID: "setDefaultWatchlist", Tag: wl, Summary: "Make a global list the guests' default", Auth: openapi.User,
			Description: "Administrators only.", Params: []openapi.Param{idParam},
			Responses: ok("The list, now the default.", watchlistDetailJSON{}), Errors: []int{403, 404, 409, 422}}},
		{urls.APIWatchlistAssets, http.MethodPost, with(user, s.apiAddWatchlistAsset), openapi.Operation{
			ID: "addWatchlistAsset", Tag: wl, Summary: "Add an asset to a watchlist", Auth: openapi.User,
			Params: []openapi.Param{idParam}, Body: watchlistAddJSON{},
			Responses: []openapi.Response{
				{Status: http.StatusOK, Description: "The asset was already on the list.", Body: watchlistDetailJSON{}},
				{Status: http.StatusCreated, Description: "Added; the list.", Body: watchlistDetailJSON{}},
			}, Errors: []int{403, 404, 409, 415, 422}}},
		{urls.APIWatchlistAsset, http.MethodDelete, with(user, s.apiRemoveWatchlistAsset), openapi.Operation{
			ID: "removeWatchlistAsset", Tag: wl, Summary: "Remove an asset from a watchlist", Auth: openapi.User,
			Params:    []openapi.Param{idParam, symbolParam},
			Responses: ok("The list without it.", watchlistDetailJSON{}), Errors: []int{403, 404, 422}}},
		{urls.APIWatchlistOrder, http.MethodPut, with(user, s.apiReorderWatchlist), openapi.Operation{
			ID: "reorderWatchlist", Tag: wl, Summary: "Reorder a watchlist", Auth: openapi.User,
			Params: []openapi.Param{idParam}, Body: watchlistOrderJSON{},
			Responses: ok("The list in its new order.", watchlistDetailJSON{}), Errors: []int{403, 404, 415, 422}}},

		// Market data.
		{urls.APIAssets, http.MethodGet, with(public, s.apiAssets), openapi.Operation{
			ID: "searchAssets", Tag: md, Summary: "Search the asset catalogue",
			Description: "q matches symbols and names, best first; class, exchange and the flags filter. " +
				"The facets count the matches by class and exchange.",
			Params: []openapi.Param{
				{Name: "q", In: "query", Description: "Text to match in symbols and names.", Schema: openapi3.NewStringSchema(), Example: "apple"},
				{Name: "class", In: "query", Description: "Asset class.", Schema: openapi3.NewStringSchema().WithEnum("us_equity", "crypto"), Example: "us_equity"},
				{Name: "exchange", In: "query", Description: "Exchange code.", Schema: openapi3.NewStringSchema(), Example: "NASDAQ"},
				boolQuery("tradable", "Only assets that can (true) or cannot (false) be traded."),
				boolQuery("marginable", "Filter on marginable."),
				boolQuery("shortable", "Filter on shortable."),
				boolQuery("fractionable", "Filter on fractionable."),
				boolQuery("include_inactive", "List delisted assets too."),
				intQuery("limit", "Results per page.", 1, models.MaxAssetLimit, 20),
				intQuery("offset", "Results to skip (search results are ranked, so they page by offset).", 0, 1_000_000, 0),
			},
			Responses: ok("A page of matches.", assetListJSON{}), Errors: []int{422}}},
		{urls.APIAssetCandles, http.MethodGet, with(public, s.apiCandles), openapi.Operation{
			ID: "listCandles", Tag: md, Summary: "Candles of an asset",
			Description: "One page of candles, oldest first. Pass next_cursor as before for older candles, prev_cursor as after for newer ones. " +
				"With format=csv (or Accept: text/csv) the same page comes as a CSV download.",
			Params: []openapi.Param{symbolParam,
				{Name: "timeframe", In: "query", Description: "Candle width (1D when absent).",
					Schema: openapi3.NewStringSchema().WithEnum("1m", "5m", "15m", "30m", "1h", "4h", "1D"), Example: "1D"},
				cursorQuery("before", "Candles older than this cursor (a page's next_cursor)."),
				cursorQuery("after", "Candles newer than this cursor (a page's prev_cursor)."),
				intQuery("limit", "Candles per page.", 1, candles.MaxLimit, candles.DefaultLimit),
				{Name: "format", In: "query", Description: "json (the default) or csv.", Schema: openapi3.NewStringSchema().WithEnum("json", "csv"), Example: "json"},
			},
			Responses: []openapi.Response{
				{Status: http.StatusOK, Description: "A page of candles (or, with format=csv or Accept: text/csv, the same page as CSV).",
					Body: candlePageJSON{}, AlsoAs: []string{"text/csv"}},
			}, Errors: []int{404, 422}}},
		{urls.APIAssetHistory, http.MethodGet, with(public, s.apiHistory), openapi.Operation{
			ID: "getHistory", Tag: md, Summary: "How far an asset's candle history is loaded",
			Params: []openapi.Param{symbolParam}, Responses: ok("Where the history stands.", historyJSON{}), Errors: []int{404}}},
		{urls.APIAssetHistory, http.MethodPost, with(public, s.apiRequestHistory), openapi.Operation{
			ID: "requestHistory", Tag: md, Summary: "Load an asset's candle history",
			Description: "Queues a backfill unless the history is complete or loading already (the chart page asks when it opens). " +
				"429 when the asker's or the server's bound on concurrent backfills is reached.",
			Params: []openapi.Param{symbolParam},
			Responses: []openapi.Response{
				{Status: http.StatusOK, Description: "The history is complete.", Body: historyJSON{}},
				{Status: http.StatusAccepted, Description: "A backfill is queued or running.", Body: historyJSON{}},
			}, Errors: []int{404}}},
		{urls.APIAsset, http.MethodGet, with(public, s.apiAsset), openapi.Operation{
			ID: "getAsset", Tag: md, Summary: "An asset and its market snapshot",
			Description: "The catalogue entry stands even when the provider fails; snapshot is then null and snapshot_error says why.",
			Params:      []openapi.Param{symbolParam}, Responses: ok("The asset.", assetDetailJSON{}), Errors: []int{404}}},
		{urls.APIQuotes, http.MethodGet, with(public, s.apiQuotes), openapi.Operation{
			ID: "latestQuotes", Tag: md, Summary: "Latest quotes",
			Description: "The latest quote of each symbol, keyed by symbol; a symbol nothing is known of is absent.",
			Params:      []openapi.Param{symbolsParam(maxQuoteSymbols)}, Responses: ok("The quotes.", quotesJSON{}), Errors: []int{422}}},
		{urls.APIStream, http.MethodGet, with(public, s.apiStream), openapi.Operation{
			ID: "streamMarketData", Tag: md, Summary: "Live quotes, trades and bars (Server-Sent Events)",
			Description: "event: quote|trade|bar, data: the JSON of a quote, a print or a candle with its symbol. " +
				"Credentials are optional: a signed-in caller's symbols get a higher priority upstream.",
			Params: []openapi.Param{symbolsParam(maxStreamSymbols),
				{Name: "types", In: "query", Description: "Any of quotes, trades and bars, separated by commas (all three when absent).",
					Schema: openapi3.NewStringSchema(), Example: "quotes,trades"}},
			Responses: []openapi.Response{{Status: http.StatusOK, Description: "The event stream.", Body: "", ContentType: "text/event-stream"}},
			Errors:    []int{422}}},
		{urls.APIMarketClock, http.MethodGet, with(public, s.apiMarketClock), openapi.Operation{
			ID: "getMarketClock", Tag: md, Summary: "The market clock",
			Responses: ok("The session now, and when the market next opens and closes.", clockJSON{})}},
		{urls.APIMarketCalendar, http.MethodGet, with(public, s.apiMarketCalendar), openapi.Operation{
			ID: "getMarketCalendar", Tag: md, Summary: "The trading calendar",
			Params: []openapi.Param{
				{Name: "start", In: "query", Description: "First day, YYYY-MM-DD in New York (today when absent).", Schema: openapi3.NewDateTimeSchema().WithFormat("date"), Example: "2026-12-07"},
				{Name: "end", In: "query", Description: fmt.Sprintf("Last day (a month on when absent; at most %d days after start).", maxCalendarDays), Schema: openapi3.NewStringSchema().WithFormat("date"), Example: "2027-01-06"},
			},
			Responses: ok("The trading days.", calendarJSON{}), Errors: []int{422}}},
		{urls.APIMarketStatus, http.MethodGet, with(public, s.apiMarketStatus), openapi.Operation{
			ID: "getMarketStatus", Tag: md, Summary: "The market-data feed's health",
			Responses: ok("Where market data comes from and how its feed is doing.", marketStatusJSON{})}},

		// Operators.
		{urls.APIAdminSyncAssets, http.MethodPost, with(admin, s.apiSyncAssets), openapi.Operation{
			ID: "syncAssets", Tag: "Administration", Summary: "Sync the asset catalogue now", Auth: openapi.User,
			Responses: []openapi.Response{{Status: http.StatusAccepted, Description: "The sync job was queued.", Body: jobQueuedJSON{}}},
			Errors:    []int{404}}},

		// The document itself.
		{urls.APIOpenAPIJSON, http.MethodGet, with(open, s.apiOpenAPIJSON), openapi.Operation{
			ID: "getOpenAPIJSON", Tag: "Document", Summary: "This document, as JSON",
			Responses: []openapi.Response{{Status: http.StatusOK, Description: "The OpenAPI 3 document.", Body: map[string]any{}}}}},
		{urls.APIOpenAPIYAML, http.MethodGet, with(open, s.apiOpenAPIYAML), openapi.Operation{
			ID: "getOpenAPIYAML", Tag: "Document", Summary: "This document, as YAML",
			Responses: []openapi.Response{{Status: http.StatusOK, Description: "The OpenAPI 3 document.", Body: map[string]any{}, ContentType: "application/yaml"}}}},
	}
}

func boolQuery(name, desc string) openapi.Param {
	return openapi.Param{Name: name, In: "query", Description: desc, Schema: openapi3.NewBoolSchema(), Example: true}
}

func intQuery(name, desc string, lo, hi, example int) openapi.Param {
	return openapi.Param{Name: name, In: "query", Description: desc,
		Schema: openapi3.NewIntegerSchema().WithMin(float64(lo)).WithMax(float64(hi)), Example: example}
}

func cursorQuery(name, desc string) openapi.Param {
	return openapi.Param{Name: name, In: "query", Description: desc, Schema: openapi3.NewStringSchema().WithMaxLength(200),
		Example: "MUQ6MTc2NDU5OTQwMDAwMDAwMA"}
}

// openAPIPath writes a route's Fiber pattern as an OpenAPI path: ":id" becomes "{id}", and the
// rest-of-path wildcard, which is always a symbol here, "{symbol}".
func openAPIPath(pattern string) string {
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		switch {
		case strings.HasPrefix(p, ":"):
			parts[i] = "{" + strings.TrimSuffix(strings.TrimPrefix(p, ":"), "?") + "}"
		case p == "*" || p == "+":
			parts[i] = "{symbol}"
		}
	}
	return strings.Join(parts, "/")
}

// apiV1Routes mounts every operation of the JSON API.
func (s *Server) apiV1Routes(r fiber.Router) {
	for _, op := range s.apiV1Ops() {
		r.Add(op.method, urls.Name.Pattern(op.route), op.handlers...)
	}
}

// apiV1Document describes every operation of the JSON API.
func (s *Server) apiV1Document() (*openapi.Document, error) {
	doc, err := openapi.New(openapi.Info{
		Title:   "Alpaca Wrapper API",
		Version: "1",
		Description: "The app's own JSON API: everything a signed-in person can do on the pages, for programs. " +
			"Authenticate with an access token (POST /api/v1/auth/token) or an API key (Settings → API keys). " +
			"Prices, sizes and money are JSON strings holding the exact decimal; times are RFC 3339 in UTC. " +
			"Errors are RFC 9457 problem documents (application/problem+json). " +
			"The Alpaca-compatible API under /v2 is separate and mirrors Alpaca's own.",
		Tags: apiV1Tags(),
	}, Problem{})
	if err != nil {
		return nil, err
	}
	for _, op := range s.apiV1Ops() {
		op.doc.Method, op.doc.Path = op.method, openAPIPath(urls.Name.Pattern(op.route))
		if err := doc.Add(op.doc); err != nil {
			return nil, err
		}
	}
	return doc, nil
}
