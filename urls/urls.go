// Package urls names every route of the application and builds their paths, so no handler or
// template writes a path by hand (pagoda's named routes are the model). app/routes.go registers
// each handler on a name; handlers and views build links with Path.
//
// A Name's value is the route's pattern as the router matches it: ":param" is one path segment,
// "*" the rest of the path (a symbol, since a crypto pair has a slash), and `\:` a literal colon
// (Alpaca's "orders:by_client_order_id"). Several methods may share one name (GET and POST
// /login): a name stands for a path, the methods are routes.go's business.
//
// The package is a leaf that both app and views import, which is why the names live here and
// not in app.
package urls

import (
	"net/url"
	"strconv"
	"strings"
)

// Name names one route: its value is the route's pattern.
type Name string

// The routes, in the order app/routes.go registers them.
const (
	// Probes and public pages.
	Healthz       Name = `/healthz`
	Readyz        Name = `/readyz`
	Landing       Name = `/`
	Terms         Name = `/terms`
	Privacy       Name = `/privacy`
	Contact       Name = `/contact`
	Bots          Name = `/bots`
	HowOrdersFill Name = `/how-orders-fill`
	Avatar        Name = `/avatars/:name`
	Statusz       Name = `/statusz`
	Chart         Name = `/chart/*`

	// Accounts: sign-up, log-in, e-mailed links.
	Signup           Name = `/signup`
	SignupDone       Name = `/signup/done`
	Login            Name = `/login`
	Logout           Name = `/logout`
	Verify           Name = `/verify`
	VerifyResend     Name = `/verify/resend`
	VerifyResendMine Name = `/verify/resend-mine`
	PasswordForgot   Name = `/password/forgot`
	PasswordReset    Name = `/password/reset`
	// Sign-in with an OpenID Connect provider (:provider is its configured id).
	OIDCStart    Name = `/auth/oidc/:provider`
	OIDCCallback Name = `/auth/oidc/:provider/callback`

	// The signed-in person's settings.
	Settings                     Name = `/settings`
	SettingsProfile              Name = `/settings/profile`
	SettingsProfileAvatar        Name = `/settings/profile/avatar`
	SettingsProfileAvatarDelete  Name = `/settings/profile/avatar/delete`
	SettingsPassword             Name = `/settings/password`
	SettingsSessions             Name = `/settings/sessions`
	SettingsSessionsRevokeOthers Name = `/settings/sessions/revoke-others`
	SettingsSessionRevoke        Name = `/settings/sessions/:id/revoke`
	SettingsAPIKeys              Name = `/settings/api-keys`
	SettingsAPIKeyRevoke         Name = `/settings/api-keys/:id/revoke`
	SettingsSignIn               Name = `/settings/sign-in`
	SettingsSignInLink           Name = `/settings/sign-in/:provider/link`
	SettingsSignInUnlink         Name = `/settings/sign-in/:id/unlink`
	SettingsChart                Name = `/settings/chart`

	// Operators' pages.
	Admin                  Name = `/admin`
	AdminUsers             Name = `/admin/users`
	AdminStatus            Name = `/admin/status`
	AdminUserDisable       Name = `/admin/users/:id/disable`
	AdminUserEnable        Name = `/admin/users/:id/enable`
	AdminUser              Name = `/admin/users/:id`
	AdminUserRole          Name = `/admin/users/:id/role`
	AdminUserVerify        Name = `/admin/users/:id/verify`
	AdminUserReset         Name = `/admin/users/:id/password-reset`
	AdminUserSessionRevoke Name = `/admin/users/:id/sessions/:handle/revoke`
	AdminUserKeyRevoke     Name = `/admin/users/:id/keys/:key/revoke`
	AdminAudit             Name = `/admin/audit`
	AdminAuditCSV          Name = `/admin/audit.csv`

	// The deployment's health, for operators (it replaces /admin/status).
	AdminSystem Name = `/admin/system`

	// Paper accounts across users, for operators: the list, one account, a fill's receipt and the
	// actions on the account.
	AdminAccounts          Name = `/admin/accounts`
	AdminAccount           Name = `/admin/accounts/:id`
	AdminAccountFill       Name = `/admin/accounts/:id/fills/:fill`
	AdminAccountAdjustCash Name = `/admin/accounts/:id/adjust-cash`
	AdminAccountCancelAll  Name = `/admin/accounts/:id/cancel-orders`
	AdminAccountReset      Name = `/admin/accounts/:id/reset`
	AdminAccountFreeze     Name = `/admin/accounts/:id/freeze`
	AdminAccountUnfreeze   Name = `/admin/accounts/:id/unfreeze`

	// Market-data operations: the catalogue sync, data refreshes and the global watchlists.
	AdminMarket             Name = `/admin/market`
	AdminMarketSync         Name = `/admin/market/sync`
	AdminRefreshes          Name = `/admin/market/refreshes`
	AdminRefresh            Name = `/admin/market/refreshes/:id`
	AdminRefreshCancel      Name = `/admin/market/refreshes/:id/cancel`
	AdminWatchlists         Name = `/admin/market/watchlists`
	AdminWatchlist          Name = `/admin/market/watchlists/:id`
	AdminWatchlistRename    Name = `/admin/market/watchlists/:id/rename`
	AdminWatchlistDefault   Name = `/admin/market/watchlists/:id/default`
	AdminWatchlistMove      Name = `/admin/market/watchlists/:id/move`
	AdminWatchlistDelete    Name = `/admin/market/watchlists/:id/delete`
	AdminWatchlistAssets    Name = `/admin/market/watchlists/:id/assets`
	AdminWatchlistAssetDrop Name = `/admin/market/watchlists/:id/assets/remove`
	AdminWatchlistAssetMove Name = `/admin/market/watchlists/:id/assets/move`

	// River's job dashboard: its page, and everything under it (its assets and JSON API).
	AdminJobs    Name = `/admin/jobs`
	AdminJobsAll Name = `/admin/jobs/*`

	// Market pages and watchlists.
	Markets              Name = `/markets`
	Search               Name = `/search`
	SearchSuggest        Name = `/search/suggest`
	Instruments          Name = `/instruments`
	Instrument           Name = `/instruments/*`
	Watchlists           Name = `/watchlists`
	WatchlistAdd         Name = `/watchlists/add`
	Watchlist            Name = `/watchlists/:id`
	WatchlistRename      Name = `/watchlists/:id/rename`
	WatchlistDelete      Name = `/watchlists/:id/delete`
	WatchlistAssets      Name = `/watchlists/:id/assets`
	WatchlistAssetRemove Name = `/watchlists/:id/assets/remove`
	WatchlistOrder       Name = `/watchlists/:id/order`

	// Paper trading.
	Trade            Name = `/trade`
	TradeTicket      Name = `/trade/ticket`
	TradePreview     Name = `/trade/preview`
	Orders           Name = `/orders`
	OrdersCSV        Name = `/orders.csv`
	OrderCancel      Name = `/orders/:id/cancel`
	OrderReplace     Name = `/orders/:id/replace`
	OrderNote        Name = `/orders/:id/note`
	PositionsClose   Name = `/positions/close`
	Portfolio        Name = `/portfolio`
	PortfolioHistory Name = `/portfolio/history`
	Activity         Name = `/activity`
	ActivityCSV      Name = `/activity.csv`
	Fill             Name = `/fills/:id`
	Accounts         Name = `/accounts`
	AccountSwitch    Name = `/accounts/:id/switch`
	AccountSettings  Name = `/accounts/:id/settings`
	AccountReset     Name = `/accounts/:id/reset`

	// The JSON API.
	APIAuthToken           Name = `/api/v1/auth/token`
	APIAuthRefresh         Name = `/api/v1/auth/refresh`
	APIAuthLogout          Name = `/api/v1/auth/logout`
	APIAuthVerify          Name = `/api/v1/auth/verify`
	APIMe                  Name = `/api/v1/me`
	APIWatchlists          Name = `/api/v1/watchlists`
	APIWatchlist           Name = `/api/v1/watchlists/:id`
	APIWatchlistDefault    Name = `/api/v1/watchlists/:id/default`
	APIWatchlistAssets     Name = `/api/v1/watchlists/:id/assets`
	APIWatchlistAsset      Name = `/api/v1/watchlists/:id/assets/*`
	APIWatchlistOrder      Name = `/api/v1/watchlists/:id/order`
	APIAssets              Name = `/api/v1/assets`
	APIAssetCandles        Name = `/api/v1/assets/*/candles`
	APIAssetHistory        Name = `/api/v1/assets/*/history`
	APIAsset               Name = `/api/v1/assets/*`
	APIQuotes              Name = `/api/v1/quotes`
	APIStream              Name = `/api/v1/stream`
	APIMarketClock         Name = `/api/v1/market/clock`
	APIMarketCalendar      Name = `/api/v1/market/calendar`
	APIMarketStatus        Name = `/api/v1/market/status`
	APIKeys                Name = `/api/v1/api-keys`
	APIKey                 Name = `/api/v1/api-keys/:id`
	APIAccounts            Name = `/api/v1/accounts`
	APIAccount             Name = `/api/v1/accounts/:id`
	APIAccountPrimary      Name = `/api/v1/accounts/:id/primary`
	APIAccountReset        Name = `/api/v1/accounts/:id/reset`
	APIAccountHistory      Name = `/api/v1/accounts/:id/history`
	APIAccountStats        Name = `/api/v1/accounts/:id/statistics`
	APIAccountOrderPreview Name = `/api/v1/accounts/:id/orders/preview`
	APIAccountOrders       Name = `/api/v1/accounts/:id/orders`
	APIAccountOrderFills   Name = `/api/v1/accounts/:id/orders/:order/fills`
	APIAccountOrder        Name = `/api/v1/accounts/:id/orders/:order`
	APIAccountPositions    Name = `/api/v1/accounts/:id/positions`
	APIAccountPosition     Name = `/api/v1/accounts/:id/positions/*`
	APIAccountActivities   Name = `/api/v1/accounts/:id/activities`
	APIAdminSyncAssets     Name = `/api/v1/admin/sync/assets`
	APIOpenAPIJSON         Name = `/api/v1/openapi.json`
	APIOpenAPIYAML         Name = `/api/v1/openapi.yaml`
	APIDocs                Name = `/api/docs` // the reference page (HTML)

	// Live WebSockets.
	WSQuotes  Name = `/ws/quotes`
	WSMarket  Name = `/ws/market`
	WSTrading Name = `/ws/trading`

	// The Alpaca-compatible trading API (its paths are Alpaca's).
	AlpacaAccount                 Name = `/v2/account`
	AlpacaAccountConfigurations   Name = `/v2/account/configurations`
	AlpacaAccountActivities       Name = `/v2/account/activities`
	AlpacaAccountActivitiesOfType Name = `/v2/account/activities/:type`
	AlpacaAccountPortfolioHistory Name = `/v2/account/portfolio/history`
	AlpacaAccountReset            Name = `/v2/account/reset`
	AlpacaOrders                  Name = `/v2/orders`
	AlpacaOrdersByClientOrderID   Name = `/v2/orders\:by_client_order_id`
	AlpacaOrder                   Name = `/v2/orders/:id`
	AlpacaOrderFills              Name = `/v2/orders/:id/fills`
	AlpacaPositions               Name = `/v2/positions`
	AlpacaPosition                Name = `/v2/positions/*`
	AlpacaClock                   Name = `/v2/clock`
	AlpacaCalendar                Name = `/v2/calendar`
	AlpacaAssets                  Name = `/v2/assets`
	AlpacaAsset                   Name = `/v2/assets/*`
	AlpacaWatchlists              Name = `/v2/watchlists`
	AlpacaWatchlistByName         Name = `/v2/watchlists\:by_name`
	AlpacaWatchlist               Name = `/v2/watchlists/:id`
	AlpacaWatchlistAsset          Name = `/v2/watchlists/:id/*`
	AlpacaTradeEvents             Name = `/v2/events/trades`
	AlpacaStream                  Name = `/stream`
)

// All lists every named route, for the router's tests (each must be registered and served).
func All() []Name {
	return []Name{
		Healthz,
		Readyz,
		Landing,
		Terms,
		Privacy,
		Contact,
		Bots,
		HowOrdersFill,
		Avatar,
		Statusz,
		Chart,
		Signup,
		SignupDone,
		Login,
		Logout,
		Verify,
		VerifyResend,
		VerifyResendMine,
		PasswordForgot,
		PasswordReset,
		OIDCStart,
		OIDCCallback,
		Settings,
		SettingsProfile,
		SettingsProfileAvatar,
		SettingsProfileAvatarDelete,
		SettingsPassword,
		SettingsSessions,
		SettingsSessionsRevokeOthers,
		SettingsSessionRevoke,
		SettingsAPIKeys,
		SettingsAPIKeyRevoke,
		SettingsSignIn,
		SettingsSignInLink,
		SettingsSignInUnlink,
		SettingsChart,
		Admin,
		AdminUsers,
		AdminStatus,
		AdminUserDisable,
		AdminUserEnable,
		AdminSystem,
		AdminUser,
		AdminUserRole,
		AdminUserVerify,
		AdminUserReset,
		AdminUserSessionRevoke,
		AdminUserKeyRevoke,
		AdminJobs,
		AdminJobsAll,
		AdminAudit,
		AdminAuditCSV,
		AdminAccounts,
		AdminAccount,
		AdminAccountFill,
		AdminAccountAdjustCash,
		AdminAccountCancelAll,
		AdminAccountReset,
		AdminAccountFreeze,
		AdminAccountUnfreeze,
		AdminMarket,
		AdminMarketSync,
		AdminRefreshes,
		AdminRefresh,
		AdminRefreshCancel,
		AdminWatchlists,
		AdminWatchlist,
		AdminWatchlistRename,
		AdminWatchlistDefault,
		AdminWatchlistMove,
		AdminWatchlistDelete,
		AdminWatchlistAssets,
		AdminWatchlistAssetDrop,
		AdminWatchlistAssetMove,
		Markets,
		Search,
		SearchSuggest,
		Instruments,
		Instrument,
		Watchlists,
		WatchlistAdd,
		Watchlist,
		WatchlistRename,
		WatchlistDelete,
		WatchlistAssets,
		WatchlistAssetRemove,
		WatchlistOrder,
		Trade,
		TradeTicket,
		TradePreview,
		Orders,
		OrdersCSV,
		OrderCancel,
		OrderReplace,
		OrderNote,
		PositionsClose,
		Portfolio,
		PortfolioHistory,
		Activity,
		ActivityCSV,
		Fill,
		Accounts,
		AccountSwitch,
		AccountSettings,
		AccountReset,
		APIAuthToken,
		APIAuthRefresh,
		APIAuthLogout,
		APIAuthVerify,
		APIMe,
		APIWatchlists,
		APIWatchlist,
		APIWatchlistDefault,
		APIWatchlistAssets,
		APIWatchlistAsset,
		APIWatchlistOrder,
		APIAssets,
		APIAssetCandles,
		APIAssetHistory,
		APIAsset,
		APIQuotes,
		APIStream,
		APIMarketClock,
		APIMarketCalendar,
		APIMarketStatus,
		APIKeys,
		APIKey,
		APIAccounts,
		APIAccount,
		APIAccountPrimary,
		APIAccountReset,
		APIAccountHistory,
		APIAccountStats,
		APIAccountOrderPreview,
		APIAccountOrders,
		APIAccountOrderFills,
		APIAccountOrder,
		APIAccountPositions,
		APIAccountPosition,
		APIAccountActivities,
		APIAdminSyncAssets,
		APIOpenAPIJSON,
		APIOpenAPIYAML,
		APIDocs,
		WSQuotes,
		WSMarket,
		WSTrading,
		AlpacaAccount,
		AlpacaAccountConfigurations,
		AlpacaAccountActivities,
		AlpacaAccountActivitiesOfType,
		AlpacaAccountPortfolioHistory,
		AlpacaAccountReset,
		AlpacaOrders,
		AlpacaOrdersByClientOrderID,
		AlpacaOrder,
		AlpacaOrderFills,
		AlpacaPositions,
		AlpacaPosition,
		AlpacaClock,
		AlpacaCalendar,
		AlpacaAssets,
		AlpacaAsset,
		AlpacaWatchlists,
		AlpacaWatchlistByName,
		AlpacaWatchlist,
		AlpacaWatchlistAsset,
		AlpacaTradeEvents,
		AlpacaStream,
	}
}

// Pattern is the path the router matches for the route.
func (n Name) Pattern() string { return string(n) }

// Path builds the route's path, filling its parameters in order: each ":param" with one value
// (escaped as a path segment) and "*" with the rest of the path (each segment escaped, the
// slashes kept). A value is a string or an integer id. The wrong number of values is a
// programmer's mistake, and panics.
func Path(n Name, params ...any) string {
	pattern := string(n)
	if !strings.ContainsAny(pattern, ":*") && len(params) == 0 {
		return pattern // most links: no work at all
	}
	var b strings.Builder
	b.Grow(len(pattern) + 16)
	next := 0
	take := func() string {
		if next >= len(params) {
			panic("urls: too few parameters for " + pattern)
		}
		v := params[next]
		next++
		switch v := v.(type) {
		case string:
			return v
		case int64:
			return strconv.FormatInt(v, 10)
		case int:
			return strconv.Itoa(v)
		}
		panic("urls: a parameter must be a string or an integer id, for " + pattern)
	}
	for i := 0; i < len(pattern); i++ {
		switch ch := pattern[i]; {
		case ch == '\\' && i+1 < len(pattern) && pattern[i+1] == ':':
			b.WriteByte(':')
			i++
		case ch == ':':
			end := strings.IndexByte(pattern[i:], '/')
			if end < 0 {
				end = len(pattern) - i
			}
			b.WriteString(url.PathEscape(take()))
			i += end - 1
		case ch == '*':
			segs := strings.Split(take(), "/")
			for j, s := range segs {
				segs[j] = url.PathEscape(s)
			}
			b.WriteString(strings.Join(segs, "/"))
		default:
			b.WriteByte(ch)
		}
	}
	if next != len(params) {
		panic("urls: too many parameters for " + pattern)
	}
	return b.String()
}

// Query adds a query string to a path built by Path: pairs are name, value, name, value…, kept
// in the order given (so a link reads as written) and escaped.
func Query(path string, pairs ...string) string {
	if len(pairs)%2 != 0 {
		panic("urls: Query needs name, value pairs")
	}
	var b strings.Builder
	b.WriteString(path)
	for i := 0; i < len(pairs); i += 2 {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(pairs[i]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(pairs[i+1]))
	}
	return b.String()
}
