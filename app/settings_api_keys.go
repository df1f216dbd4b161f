package app

import (
	"context"
	"strconv"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// apiKeysForm renders the API keys page, or for htmx the #api-keys panel. created is the key just
// made by this request, whose secret is shown this once, else nil.
func (s *Server) apiKeysForm(c *fiber.Ctx, keys []views.APIKeyRow, created *views.NewAPIKey, accounts []views.APIKeyAccount) formView {
	return formView{
		// s.page is called only when a whole page is rendered: it takes the pending flashes.
		page: func(f views.Form) templ.Component {
			return views.APIKeysPage(s.page(c, "API keys"), keys, f, created, accounts, s.cfg.BaseURL)
		},
		fragment: func(f views.Form) templ.Component {
			csrf := ""
			if sess := currentSession(c); sess != nil {
				csrf = sess.CSRFToken
			}
			return views.APIKeysPanel(csrf, keys, f, created, accounts, s.cfg.BaseURL)
		},
	}
}

// apiKeyRows lists the user's active keys for the view, which never sees a secret or its hash,
// each with the paper account it trades, and the accounts a new key may trade.
func (s *Server) apiKeyRows(ctx context.Context, userID int64) ([]views.APIKeyRow, []views.APIKeyAccount, error) {
	keys, err := s.apiKeys.List(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	accts, err := s.trading.Accounts(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	bound, err := models.APIKeyAccounts(ctx, s.db, userID)
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(accts))
	choices := make([]views.APIKeyAccount, 0, len(accts))
	for _, a := range accts {
		names[a.ID] = a.Name
		choices = append(choices, views.APIKeyAccount{ID: a.ID, Name: a.Name, Primary: a.IsPrimary})
	}
	rows := make([]views.APIKeyRow, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, views.APIKeyRow{ID: k.ID, KeyID: k.KeyID, Label: k.Label, CreatedAt: k.CreatedAt, LastUsed: k.LastUsedAt,
			Account: names[bound[k.ID]]})
	}
	return rows, choices, nil
}

// apiKeysPage is GET /settings/api-keys: the signed-in user's keys and the form to make one.
func (s *Server) apiKeysPage(c *fiber.Ctx) error {
	rows, accts, err := s.apiKeyRows(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	return s.apiKeysForm(c, rows, nil, accts).show(c, fiber.StatusOK, views.Form{})
}

// createAPIKey is POST /settings/api-keys. The answer is the page (or panel) itself rather than a
// redirect, because it carries the new secret, which exists nowhere else; no-store keeps it out of
// the browser's cache and history.
func (s *Server) createAPIKey(c *fiber.Ctx) error {
	ctx, u, label, account := c.UserContext(), currentUser(c), c.FormValue("label"), c.FormValue("account")
	var accountID int64 // absent: the primary account
	if account != "" {
		var err error
		if accountID, err = strconv.ParseInt(account, 10, 64); err != nil || accountID <= 0 {
			accountID = -1 // refused by the service like any account that is not theirs
		}
	}
	key, createErr := s.apiKeys.CreateFor(ctx, u.ID, accountID, label)
	if _, refused := apperr.As(createErr); createErr != nil && !refused {
		return createErr
	}
	rows, accts, err := s.apiKeyRows(ctx, u.ID)
	if err != nil {
		return err
	}
	if createErr != nil {
		return s.apiKeysForm(c, rows, nil, accts).refuse(c, createErr, map[string]string{"label": label, "account": account})
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	created := &views.NewAPIKey{KeyID: key.KeyID, Secret: key.Secret, Label: key.Label}
	return s.apiKeysForm(c, rows, created, accts).show(c, fiber.StatusOK, views.Form{})
}

// revokeAPIKey is POST /settings/api-keys/:id/revoke. The service only revokes the signed-in
// user's own key; any other id, however real, is "not found".
func (s *Server) revokeAPIKey(c *fiber.Ctx) error {
	ctx, u := c.UserContext(), currentUser(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.New(apperr.KindNotFound, "not_found", "That API key does not exist or has already been revoked.")
	}
	if err := s.apiKeys.Revoke(ctx, u.ID, id); err != nil {
		return err
	}
	if s.live != nil {
		s.live.streams.revoked(id) // its open trade-event streams end now
	}
	if !isHTMX(c) {
		s.flash(c, "success", "API key revoked.")
		return c.Redirect(urls.Path(urls.SettingsAPIKeys), fiber.StatusSeeOther)
	}
	rows, accts, err := s.apiKeyRows(ctx, u.ID)
	if err != nil {
		return err
	}
	return s.apiKeysForm(c, rows, nil, accts).show(c, fiber.StatusOK, views.Form{})
}
