package app

import (
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/urls"
)

// routes is the one list of every route the application serves, so a reader can see the whole
// surface, and its guards, in one place.
//
// Guards: loadSession finds the browser's session and user for everything after the static files.
// Every state-changing browser route has csrf; routes for signed-in people have user first, so a
// guest who tries to write is sent to log in (and back) rather than refused.
func (s *Server) routes() {
	r := s.fiber
	at := urls.Name.Pattern // every path is a named route's (package urls); links are built from the same names
	csrf, user := s.csrfProtect, s.requireUser

	r.Get(at(urls.Healthz), s.healthz)
	r.Get(at(urls.Readyz), s.readyz)
	r.Use("/static", staticFiles())

	r.Use(s.loadSession)

	r.Get(at(urls.Landing), s.landing)
	r.Get(at(urls.Terms), s.termsPage)
	r.Get(at(urls.Privacy), s.privacyPage)
	r.Get(at(urls.Contact), s.contactPage)
	r.Get(at(urls.Bots), s.botsPage) // "Use your bot": the Alpaca-compatible API's set-up page
	r.Get(at(urls.HowOrdersFill), s.howFillsPage)
	r.Get(at(urls.Avatar), s.avatar)
	// The deployment's status for monitors: a STATUS_TOKEN bearer or an administrator (status.go).
	r.Get(at(urls.Statusz), s.statusz)

	// Charts are public, like the candles they draw; the symbol is the rest of the path (a crypto
	// pair has a slash).
	r.Get(at(urls.Chart), s.chartPage)

	// Accounts.
	r.Get(at(urls.Signup), s.signupPage)
	r.Post(at(urls.Signup), csrf, s.signup)
	r.Get(at(urls.SignupDone), s.signupDone)
	r.Get(at(urls.Login), s.loginPage)
	r.Post(at(urls.Login), csrf, s.login)
	r.Post(at(urls.Logout), csrf, s.logout)
	r.Get(at(urls.Verify), s.verifyPage)
	r.Post(at(urls.Verify), csrf, s.verifyEmail)
	r.Post(at(urls.VerifyResend), csrf, s.resendVerification)
	r.Post(at(urls.VerifyResendMine), user, csrf, s.resendMyVerification)
	r.Get(at(urls.PasswordForgot), s.forgotPasswordPage)
	r.Post(at(urls.PasswordForgot), csrf, s.forgotPassword)
	r.Get(at(urls.PasswordReset), s.resetPasswordPage)
	r.Post(at(urls.PasswordReset), csrf, s.resetPassword)
	// Sign-in with an OpenID Connect provider (auth_oidc.go): the start is a POST with CSRF; the
	// provider's redirect back is a GET bound to this browser by the sealed flow cookie.
	r.Post(at(urls.OIDCStart), csrf, s.oidcStart)
	r.Get(at(urls.OIDCCallback), s.oidcCallback)

	// The signed-in person's own settings: every handler acts on currentUser, never on an id from
	// the request, so no one can reach another person's data through them.
	r.Use(at(urls.Settings), user)
	r.Get(at(urls.Settings), func(c *fiber.Ctx) error { return c.Redirect(urls.Path(urls.SettingsProfile), fiber.StatusSeeOther) })
	r.Get(at(urls.SettingsProfile), s.profilePage)
	r.Post(at(urls.SettingsProfile), csrf, s.updateProfile)
	r.Post(at(urls.SettingsProfileAvatar), csrf, s.uploadAvatar)
	r.Post(at(urls.SettingsProfileAvatarDelete), csrf, s.deleteAvatar)
	r.Get(at(urls.SettingsPassword), s.changePasswordPage)
	r.Post(at(urls.SettingsPassword), csrf, s.changePassword)
	r.Get(at(urls.SettingsSessions), s.sessionsPage)
	r.Post(at(urls.SettingsSessionsRevokeOthers), csrf, s.revokeOtherSessions)
	r.Post(at(urls.SettingsSessionRevoke), csrf, s.revokeSession)
	r.Get(at(urls.SettingsAPIKeys), s.apiKeysPage)
	r.Post(at(urls.SettingsAPIKeys), csrf, s.createAPIKey)
	r.Post(at(urls.SettingsAPIKeyRevoke), csrf, s.revokeAPIKey)
	r.Get(at(urls.SettingsSignIn), s.signInMethodsPage)
	r.Post(at(urls.SettingsSignInLink), csrf, s.oidcLinkStart)
	r.Post(at(urls.SettingsSignInUnlink), csrf, s.unlinkIdentity)
	r.Post(at(urls.SettingsChart), csrf, s.saveChartSettings) // the chart's indicators, remembered (chart.js posts them)

	// Operators' pages. requireAdmin answers 404 to signed-in non-admins, so the pages do not
	// even appear to exist; csrf comes after it, so a non-admin's post is a 404 whatever it carries.
	r.Use(at(urls.Admin), user, s.requireAdmin)
	r.Get(at(urls.Admin), s.adminHome)
	r.Get(at(urls.AdminUsers), s.adminUsersPage)
	r.Get(at(urls.AdminStatus), s.adminStatusPage) // now part of the System page: redirects there
	r.Get(at(urls.AdminSystem), s.adminSystemPage)
	r.Post(at(urls.AdminUserDisable), csrf, s.disableUser)
	r.Post(at(urls.AdminUserEnable), csrf, s.enableUser)
	r.Get(at(urls.AdminUser), s.adminUserPage)
	r.Post(at(urls.AdminUserRole), csrf, s.changeRole)
	r.Post(at(urls.AdminUserVerify), csrf, s.verifyUser)
	r.Post(at(urls.AdminUserReset), csrf, s.sendPasswordReset)
	r.Post(at(urls.AdminUserSessionRevoke), csrf, s.adminRevokeSession)
	r.Post(at(urls.AdminUserKeyRevoke), csrf, s.adminRevokeKey)
	r.Get(at(urls.AdminAudit), s.adminAuditPage)
	r.Get(at(urls.AdminAuditCSV), s.adminAuditCSV)
	// Paper accounts across users (admin_accounts*.go).
	r.Get(at(urls.AdminAccounts), s.adminAccountsPage)
	r.Get(at(urls.AdminAccount), s.adminAccountPage)
	r.Get(at(urls.AdminAccountFill), s.adminAccountFillPage)
	r.Post(at(urls.AdminAccountAdjustCash), csrf, s.adminAdjustCash)
	r.Post(at(urls.AdminAccountCancelAll), csrf, s.adminCancelAllOrders)
	r.Post(at(urls.AdminAccountReset), csrf, s.adminResetAccount)
	r.Post(at(urls.AdminAccountFreeze), csrf, s.adminFreezeAccount)
	r.Post(at(urls.AdminAccountUnfreeze), csrf, s.adminUnfreezeAccount)
	// Market-data operations (admin_market*.go): catalogue sync, data refreshes, global watchlists.
	r.Get(at(urls.AdminMarket), s.adminMarketPage)
	r.Post(at(urls.AdminMarketSync), csrf, s.adminSyncAssets)
	r.Post(at(urls.AdminRefreshes), csrf, s.adminStartRefresh)
	r.Get(at(urls.AdminRefresh), s.adminRefreshPage)
	r.Post(at(urls.AdminRefreshCancel), csrf, s.adminCancelRefresh)
	r.Post(at(urls.AdminWatchlists), csrf, s.adminCreateWatchlist)
	r.Get(at(urls.AdminWatchlist), s.adminWatchlistPage)
	r.Post(at(urls.AdminWatchlistRename), csrf, s.adminRenameWatchlist)
	r.Post(at(urls.AdminWatchlistDefault), csrf, s.adminDefaultWatchlist)
	r.Post(at(urls.AdminWatchlistMove), csrf, s.adminMoveWatchlist)
	r.Post(at(urls.AdminWatchlistDelete), csrf, s.adminDeleteWatchlist)
	r.Post(at(urls.AdminWatchlistAssets), csrf, s.adminAddWatchlistAsset)
	r.Post(at(urls.AdminWatchlistAssetDrop), csrf, s.adminRemoveWatchlistAsset)
	r.Post(at(urls.AdminWatchlistAssetMove), csrf, s.adminMoveWatchlistAsset)
	// River's job dashboard and its JSON API (admin_jobs.go): the admin guard above, but its own
	// CSRF rule and CSP, since River's app cannot carry our token and sets inline styles.
	r.All(at(urls.AdminJobs), s.jobsCSRF, s.jobsDashboard)
	r.All(at(urls.AdminJobsAll), s.jobsCSRF, s.jobsDashboard)

	// Market pages (pages_markets.go, pages_watchlists.go). Reading is open to guests, as prices
	// are; every change needs a signed-in person (user first, so a guest is sent to log in) and
	// the CSRF token. The watchlist service decides which lists each person may read or change.
	// A symbol is the rest of the path, since a crypto pair has a slash (BTC/USD).
	r.Get(at(urls.Markets), s.marketsPage)
	r.Get(at(urls.Search), s.symbolSearch)         // the header's search: an exact symbol opens its page
	r.Get(at(urls.SearchSuggest), s.symbolSuggest) // symbol autocomplete (pages_search.go)
	r.Get(at(urls.Instruments), s.instrumentsPage)
	r.Get(at(urls.Instrument), s.instrumentPage)
	r.Get(at(urls.Watchlists), s.watchlistsPage)
	r.Post(at(urls.Watchlists), user, csrf, s.createWatchlist)
	r.Post(at(urls.WatchlistAdd), user, csrf, s.addFromInstrument)
	r.Get(at(urls.Watchlist), s.watchlistPage)
	r.Post(at(urls.WatchlistRename), user, csrf, s.renameWatchlist)
	r.Post(at(urls.WatchlistDelete), user, csrf, s.deleteWatchlist)
	r.Post(at(urls.WatchlistAssets), user, csrf, s.addToWatchlist)
	r.Post(at(urls.WatchlistAssetRemove), user, csrf, s.removeFromWatchlist)
	r.Post(at(urls.WatchlistOrder), user, csrf, s.reorderWatchlist)

	// Paper trading (pages_trade*.go, pages_portfolio.go, pages_accounts.go). Everything acts on
	// the signed-in person's current paper account (currentAccount), never on an account id taken
	// from the request without checking it is theirs; the trading service checks again under the
	// account lock. A symbol in a form field, not the path, since a crypto pair has a slash.
	r.Get(at(urls.Trade), user, s.tradePage)
	r.Get(at(urls.TradeTicket), user, s.ticketPanel)
	r.Post(at(urls.TradePreview), user, csrf, s.previewOrder)
	r.Get(at(urls.Orders), user, s.ordersPage)
	r.Get(at(urls.OrdersCSV), user, s.ordersCSV)
	r.Post(at(urls.Orders), user, csrf, s.placeOrder)
	r.Post(at(urls.OrderCancel), user, csrf, s.cancelOrder)
	r.Post(at(urls.OrderReplace), user, csrf, s.replaceOrder)
	r.Get(at(urls.OrderNote), user, s.orderNotePage)
	r.Post(at(urls.OrderNote), user, csrf, s.saveOrderNote)
	r.Post(at(urls.PositionsClose), user, csrf, s.closePosition)
	r.Get(at(urls.Portfolio), user, s.portfolioPage)
	r.Get(at(urls.PortfolioHistory), user, s.portfolioHistory)
	r.Get(at(urls.Activity), user, s.activityPage)
	r.Get(at(urls.ActivityCSV), user, s.activityCSV)
	r.Get(at(urls.Fill), user, s.fillReceiptPage)
	r.Get(at(urls.Accounts), user, s.accountsPage)
	r.Post(at(urls.Accounts), user, csrf, s.openAccount)
	r.Post(at(urls.AccountSwitch), user, csrf, s.switchAccount)
	r.Get(at(urls.AccountSettings), user, s.accountSettingsPage)
	r.Post(at(urls.AccountSettings), user, csrf, s.updateAccountSettings)
	r.Post(at(urls.AccountReset), user, csrf, s.resetAccount)

	// JSON API. It takes credentials only from headers (Bearer token or Alpaca-style key pair),
	// never from the cookie, so cross-site requests cannot act through it and it needs no CSRF token.
	// Every operation is declared once in app/api_v1_ops.go, with its guards and what the OpenAPI
	// document says of it: apiV1Routes mounts them from that list, and the document served at
	// /api/v1/openapi.json is built from the same list. Signed-in operations have apiAuth; market
	// data is public, as prices on the pages are (no credentials, a limit per client IP); the
	// operators' actions add requireAdmin, which answers 404 to everyone else.
	s.apiDoc = s.buildAPIDoc()
	s.apiV1Routes(r)
	r.Get(at(urls.APIDocs), s.apiDocsPage) // the reference page (HTML)

	// Live WebSockets (app/ws_*.go, package live): public data, so guests may connect, within a
	// per-IP connection allowance. The upgrade is a GET that CSRF does not cover, so wsAdmit
	// refuses cross-site origins (403) before upgrading.
	r.Get(at(urls.WSQuotes), s.wsQuotes)
	r.Get(at(urls.WSMarket), s.wsMarket)
	// The signed-in person's trade updates (their current account's orders and fills).
	r.Get(at(urls.WSTrading), user, s.wsTrading)

	// Alpaca's market-data API for bots: REST and streams (alpaca_data*.go). Their paths are
	// exact or under /v2/stocks, so they come before the trading API's /v2 group.
	s.alpacaDataRoutes(r)

	// The Alpaca-compatible trading API (app/alpaca_*.go, package alpacaapi): Alpaca's paths,
	// bodies, statuses and {"code","message"} errors, so bots written for Alpaca run unchanged.
	// alpacaErrors shapes every error under /v2 (unknown paths included) as Alpaca does;
	// alpacaAuth takes only header credentials (an API key, bound to one paper account, or an
	// access token) and counts the caller's rate limit. Every handler acts on the caller's
	// account (AlpacaCallerOf), never on an account named in the request.
	r.Use("/v2", s.alpacaErrors) // every path under /v2, unknown ones included
	bot := s.alpacaAuth
	r.Get(at(urls.AlpacaAccount), bot, s.alpacaGetAccount)
	r.Get(at(urls.AlpacaAccountConfigurations), bot, s.alpacaGetConfigurations)
	r.Patch(at(urls.AlpacaAccountConfigurations), bot, s.alpacaPatchConfigurations)
	r.Get(at(urls.AlpacaAccountActivities), bot, s.alpacaActivities)
	r.Get(at(urls.AlpacaAccountActivitiesOfType), bot, s.alpacaActivities)
	r.Get(at(urls.AlpacaAccountPortfolioHistory), bot, s.alpacaPortfolioHistory)
	r.Post(at(urls.AlpacaAccountReset), bot, s.alpacaReset) // beyond Alpaca: the key keeps working
	r.Get(at(urls.AlpacaOrders), bot, s.alpacaListOrders)
	r.Post(at(urls.AlpacaOrders), bot, s.alpacaPlaceOrder)
	r.Delete(at(urls.AlpacaOrders), bot, s.alpacaCancelAll)
	r.Get(at(urls.AlpacaOrdersByClientOrderID), bot, s.alpacaGetOrderByClientID)
	r.Get(at(urls.AlpacaOrder), bot, s.alpacaGetOrder)
	r.Patch(at(urls.AlpacaOrder), bot, s.alpacaReplaceOrder)
	r.Delete(at(urls.AlpacaOrder), bot, s.alpacaCancelOrder)
	r.Get(at(urls.AlpacaOrderFills), bot, s.alpacaOrderFills) // beyond Alpaca: fill receipts
	// A position's symbol is the rest of the path (a crypto pair has a slash).
	r.Get(at(urls.AlpacaPositions), bot, s.alpacaListPositions)
	r.Delete(at(urls.AlpacaPositions), bot, s.alpacaCloseAll)
	r.Get(at(urls.AlpacaPosition), bot, s.alpacaGetPosition)
	r.Delete(at(urls.AlpacaPosition), bot, s.alpacaClosePosition)
	r.Get(at(urls.AlpacaClock), bot, s.alpacaClock)
	r.Get(at(urls.AlpacaCalendar), bot, s.alpacaCalendar)
	r.Get(at(urls.AlpacaAssets), bot, s.alpacaAssets)
	r.Get(at(urls.AlpacaAsset), bot, s.alpacaAsset)
	// Watchlists: the caller's own personal watchlists.
	r.Get(at(urls.AlpacaWatchlists), bot, s.alpacaWatchlists)
	r.Post(at(urls.AlpacaWatchlists), bot, s.alpacaCreateWatchlist)
	r.Get(at(urls.AlpacaWatchlistByName), bot, s.alpacaGetWatchlist(true))
	r.Put(at(urls.AlpacaWatchlistByName), bot, s.alpacaUpdateWatchlist(true))
	r.Post(at(urls.AlpacaWatchlistByName), bot, s.alpacaAddToWatchlist(true))
	r.Delete(at(urls.AlpacaWatchlistByName), bot, s.alpacaDeleteWatchlist(true))
	r.Get(at(urls.AlpacaWatchlist), bot, s.alpacaGetWatchlist(false))
	r.Put(at(urls.AlpacaWatchlist), bot, s.alpacaUpdateWatchlist(false))
	r.Post(at(urls.AlpacaWatchlist), bot, s.alpacaAddToWatchlist(false))
	r.Delete(at(urls.AlpacaWatchlist), bot, s.alpacaDeleteWatchlist(false))
	r.Delete(at(urls.AlpacaWatchlistAsset), bot, s.alpacaRemoveFromWatchlist)
	// Trade updates (app/alpaca_events.go): SSE under /v2, and the WebSocket the Python and
	// JavaScript SDKs open at the root, which authenticates in its first message.
	r.Get(at(urls.AlpacaTradeEvents), bot, s.alpacaTradeEvents)
	r.Get(at(urls.AlpacaStream), s.alpacaTradeStream)

	// Anything else is a 404 rendered by the central error handler.
	r.Use(notFound)
}
