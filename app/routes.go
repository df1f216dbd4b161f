package app

import "github.com/gofiber/fiber/v2"

// routes is the one list of every route the application serves, so a reader can see the whole
// surface, and its guards, in one place.
//
// Guards: loadSession finds the browser's session and user for everything after the static files.
// Every state-changing browser route has csrf; routes for signed-in people have user first, so a
// guest who tries to write is sent to log in (and back) rather than refused.
func (s *Server) routes() {
	r := s.fiber
	csrf, user := s.csrfProtect, s.requireUser

	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Use("/static", staticFiles())

	r.Use(s.loadSession)

	r.Get("/", s.landing)
	r.Get("/terms", s.termsPage)
	r.Get("/bots", s.botsPage) // "Use your bot": the Alpaca-compatible API's set-up page
	r.Get("/how-orders-fill", s.howFillsPage)
	r.Get("/avatars/:name", s.avatar)

	// Charts are public, like the candles they draw; the symbol is the rest of the path (a crypto
	// pair has a slash).
	r.Get("/chart/*", s.chartPage)

	// Accounts.
	r.Get("/signup", s.signupPage)
	r.Post("/signup", csrf, s.signup)
	r.Get("/signup/done", s.signupDone)
	r.Get("/login", s.loginPage)
	r.Post("/login", csrf, s.login)
	r.Post("/logout", csrf, s.logout)
	r.Get("/verify", s.verifyPage)
	r.Post("/verify", csrf, s.verifyEmail)
	r.Post("/verify/resend", csrf, s.resendVerification)
	r.Post("/verify/resend-mine", user, csrf, s.resendMyVerification)
	r.Get("/password/forgot", s.forgotPasswordPage)
	r.Post("/password/forgot", csrf, s.forgotPassword)
	r.Get("/password/reset", s.resetPasswordPage)
	r.Post("/password/reset", csrf, s.resetPassword)

	// The signed-in person's own settings: every handler acts on currentUser, never on an id from
	// the request, so no one can reach another person's data through them.
	settings := r.Group("/settings", user)
	settings.Get("/", func(c *fiber.Ctx) error { return c.Redirect("/settings/profile", fiber.StatusSeeOther) })
	settings.Get("/profile", s.profilePage)
	settings.Post("/profile", csrf, s.updateProfile)
	settings.Post("/profile/avatar", csrf, s.uploadAvatar)
	settings.Post("/profile/avatar/delete", csrf, s.deleteAvatar)
	settings.Get("/password", s.changePasswordPage)
	settings.Post("/password", csrf, s.changePassword)
	settings.Get("/sessions", s.sessionsPage)
	settings.Post("/sessions/revoke-others", csrf, s.revokeOtherSessions)
	settings.Post("/sessions/:id/revoke", csrf, s.revokeSession)
	settings.Get("/api-keys", s.apiKeysPage)
	settings.Post("/api-keys", csrf, s.createAPIKey)
	settings.Post("/api-keys/:id/revoke", csrf, s.revokeAPIKey)

	// Operators' pages. requireAdmin answers 404 to signed-in non-admins, so the pages do not
	// even appear to exist; csrf comes after it, so a non-admin's post is a 404 whatever it carries.
	admin := r.Group("/admin", user, s.requireAdmin)
	admin.Get("/", s.adminHome)
	admin.Get("/users", s.adminUsersPage)
	admin.Post("/users/:id/disable", csrf, s.disableUser)
	admin.Post("/users/:id/enable", csrf, s.enableUser)

	// Market pages (pages_markets.go, pages_watchlists.go). Reading is open to guests, as prices
	// are; every change needs a signed-in person (user first, so a guest is sent to log in) and
	// the CSRF token. The watchlist service decides which lists each person may read or change.
	// A symbol is the rest of the path, since a crypto pair has a slash (BTC/USD).
	r.Get("/markets", s.marketsPage)
	r.Get("/instruments", s.instrumentsPage)
	r.Get("/instruments/*", s.instrumentPage)
	r.Get("/watchlists", s.watchlistsPage)
	r.Post("/watchlists", user, csrf, s.createWatchlist)
	r.Post("/watchlists/add", user, csrf, s.addFromInstrument)
	r.Get("/watchlists/:id", s.watchlistPage)
	r.Post("/watchlists/:id/rename", user, csrf, s.renameWatchlist)
	r.Post("/watchlists/:id/delete", user, csrf, s.deleteWatchlist)
	r.Post("/watchlists/:id/assets", user, csrf, s.addToWatchlist)
	r.Post("/watchlists/:id/assets/remove", user, csrf, s.removeFromWatchlist)
	r.Post("/watchlists/:id/order", user, csrf, s.reorderWatchlist)

	// Paper trading (pages_trade*.go, pages_portfolio.go, pages_accounts.go). Everything acts on
	// the signed-in person's current paper account (currentAccount), never on an account id taken
	// from the request without checking it is theirs; the trading service checks again under the
	// account lock. A symbol in a form field, not the path, since a crypto pair has a slash.
	r.Get("/trade", user, s.tradePage)
	r.Get("/trade/ticket", user, s.ticketPanel)
	r.Post("/trade/preview", user, csrf, s.previewOrder)
	r.Get("/orders", user, s.ordersPage)
	r.Post("/orders", user, csrf, s.placeOrder)
	r.Post("/orders/:id/cancel", user, csrf, s.cancelOrder)
	r.Post("/orders/:id/replace", user, csrf, s.replaceOrder)
	r.Post("/positions/close", user, csrf, s.closePosition)
	r.Get("/portfolio", user, s.portfolioPage)
	r.Get("/portfolio/history", user, s.portfolioHistory)
	r.Get("/activity", user, s.activityPage)
	r.Get("/fills/:id", user, s.fillReceiptPage)
	r.Get("/accounts", user, s.accountsPage)
	r.Post("/accounts", user, csrf, s.openAccount)
	r.Post("/accounts/:id/switch", user, csrf, s.switchAccount)
	r.Get("/accounts/:id/settings", user, s.accountSettingsPage)
	r.Post("/accounts/:id/settings", user, csrf, s.updateAccountSettings)
	r.Post("/accounts/:id/reset", user, csrf, s.resetAccount)

	// JSON API. It takes credentials only from headers (Bearer token or Alpaca-style key pair),
	// never from the cookie, so cross-site requests cannot act through it and it needs no CSRF token.
	api := r.Group("/api/v1")
	api.Post("/auth/token", s.apiToken)
	api.Post("/auth/refresh", s.apiRefresh)
	api.Post("/auth/logout", s.apiLogout)
	api.Post("/auth/verify", s.apiVerify)
	api.Get("/me", s.apiAuth, s.apiMe)

	// Watchlists: the service decides who may read or change which list.
	api.Get("/watchlists", s.apiAuth, s.apiWatchlists)
	api.Post("/watchlists", s.apiAuth, s.apiCreateWatchlist)
	api.Get("/watchlists/:id", s.apiAuth, s.apiWatchlist)
	api.Patch("/watchlists/:id", s.apiAuth, s.apiRenameWatchlist)
	api.Delete("/watchlists/:id", s.apiAuth, s.apiDeleteWatchlist)
	api.Put("/watchlists/:id/default", s.apiAuth, s.apiSetDefaultWatchlist)
	api.Post("/watchlists/:id/assets", s.apiAuth, s.apiAddWatchlistAsset)
	api.Delete("/watchlists/:id/assets/*", s.apiAuth, s.apiRemoveWatchlistAsset)
	api.Put("/watchlists/:id/order", s.apiAuth, s.apiReorderWatchlist)

	// Market data is public, as prices on the pages are: no credentials, but a limit per client
	// IP. A symbol is the rest of the path (a crypto pair has a slash), so the candles route,
	// which ends in a fixed word, comes before the asset route that would swallow it.
	public := s.limitPublic
	api.Get("/assets", public, s.apiAssets)
	api.Get("/assets/*/candles", public, s.apiCandles)
	api.Get("/assets/*", public, s.apiAsset)
	api.Get("/quotes", public, s.apiQuotes)
	api.Get("/stream", public, s.apiStream)
	api.Get("/market/clock", public, s.apiMarketClock)
	api.Get("/market/calendar", public, s.apiMarketCalendar)
	api.Get("/market/status", public, s.apiMarketStatus)
	// Operators' actions: requireAdmin answers 404 to everyone else, as on the admin pages.
	api.Post("/admin/sync/assets", s.apiAuth, s.requireAdmin, s.apiSyncAssets)

	// Live WebSockets (app/ws_*.go, package live): public data, so guests may connect, within a
	// per-IP connection allowance. The upgrade is a GET that CSRF does not cover, so wsAdmit
	// refuses cross-site origins (403) before upgrading.
	r.Get("/ws/quotes", s.wsQuotes)
	r.Get("/ws/market", s.wsMarket)
	// The signed-in person's trade updates (their current account's orders and fills).
	r.Get("/ws/trading", user, s.wsTrading)

	// Alpaca's market-data API for bots: REST and streams (alpaca_data*.go). Their paths are
	// exact or under /v2/stocks, so they come before the trading API's /v2 group.
	s.alpacaDataRoutes(r)

	// The Alpaca-compatible trading API (app/alpaca_*.go, package alpacaapi): Alpaca's paths,
	// bodies, statuses and {"code","message"} errors, so bots written for Alpaca run unchanged.
	// alpacaErrors shapes every error under /v2 (unknown paths included) as Alpaca does;
	// alpacaAuth takes only header credentials (an API key, bound to one paper account, or an
	// access token) and counts the caller's rate limit. Every handler acts on the caller's
	// account (AlpacaCallerOf), never on an account named in the request.
	v2 := r.Group("/v2", s.alpacaErrors)
	bot := s.alpacaAuth
	v2.Get("/account", bot, s.alpacaGetAccount)
	v2.Get("/account/configurations", bot, s.alpacaGetConfigurations)
	v2.Patch("/account/configurations", bot, s.alpacaPatchConfigurations)
	v2.Get("/account/activities", bot, s.alpacaActivities)
	v2.Get("/account/activities/:type", bot, s.alpacaActivities)
	v2.Get("/account/portfolio/history", bot, s.alpacaPortfolioHistory)
	v2.Post("/account/reset", bot, s.alpacaReset) // beyond Alpaca: the key keeps working
	v2.Get("/orders", bot, s.alpacaListOrders)
	v2.Post("/orders", bot, s.alpacaPlaceOrder)
	v2.Delete("/orders", bot, s.alpacaCancelAll)
	v2.Get("/orders\\:by_client_order_id", bot, s.alpacaGetOrderByClientID)
	v2.Get("/orders/:id", bot, s.alpacaGetOrder)
	v2.Patch("/orders/:id", bot, s.alpacaReplaceOrder)
	v2.Delete("/orders/:id", bot, s.alpacaCancelOrder)
	v2.Get("/orders/:id/fills", bot, s.alpacaOrderFills) // beyond Alpaca: fill receipts
	// A position's symbol is the rest of the path (a crypto pair has a slash).
	v2.Get("/positions", bot, s.alpacaListPositions)
	v2.Delete("/positions", bot, s.alpacaCloseAll)
	v2.Get("/positions/*", bot, s.alpacaGetPosition)
	v2.Delete("/positions/*", bot, s.alpacaClosePosition)
	v2.Get("/clock", bot, s.alpacaClock)
	v2.Get("/calendar", bot, s.alpacaCalendar)
	v2.Get("/assets", bot, s.alpacaAssets)
	v2.Get("/assets/*", bot, s.alpacaAsset)
	// Watchlists: the caller's own personal watchlists.
	v2.Get("/watchlists", bot, s.alpacaWatchlists)
	v2.Post("/watchlists", bot, s.alpacaCreateWatchlist)
	v2.Get("/watchlists\\:by_name", bot, s.alpacaGetWatchlist(true))
	v2.Put("/watchlists\\:by_name", bot, s.alpacaUpdateWatchlist(true))
	v2.Post("/watchlists\\:by_name", bot, s.alpacaAddToWatchlist(true))
	v2.Delete("/watchlists\\:by_name", bot, s.alpacaDeleteWatchlist(true))
	v2.Get("/watchlists/:id", bot, s.alpacaGetWatchlist(false))
	v2.Put("/watchlists/:id", bot, s.alpacaUpdateWatchlist(false))
	v2.Post("/watchlists/:id", bot, s.alpacaAddToWatchlist(false))
	v2.Delete("/watchlists/:id", bot, s.alpacaDeleteWatchlist(false))
	v2.Delete("/watchlists/:id/*", bot, s.alpacaRemoveFromWatchlist)
	// Trade updates (app/alpaca_events.go): SSE under /v2, and the WebSocket the Python and
	// JavaScript SDKs open at the root, which authenticates in its first message.
	v2.Get("/events/trades", bot, s.alpacaTradeEvents)
	r.Get("/stream", s.alpacaTradeStream)

	// Anything else is a 404 rendered by the central error handler.
	r.Use(notFound)
}
