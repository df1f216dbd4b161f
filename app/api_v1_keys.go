package app

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/urls"
)

// API keys through the JSON API: what Settings → API keys does. The auth service only lists and
// revokes the caller's own keys, so another person's key id is "not found" and nothing changes.

// apiKeyJSON is an active key as listed: never its secret, which exists only in the answer that
// made it.
type apiKeyJSON struct {
	ID         int64      `json:"id" doc:"The key's number here, for revoking it." example:"31"`
	KeyID      string     `json:"key_id" doc:"Send as APCA-API-KEY-ID." example:"PKX4Q7W2M9B3N6C8V1Z5"`
	Label      string     `json:"label" example:"My bot"`
	AccountID  int64      `json:"account_id" doc:"The paper account the key trades (the primary one when it was made without one)." example:"12"`
	CreatedAt  time.Time  `json:"created_at" example:"2026-12-01T14:30:00Z"`
	LastUsedAt *time.Time `json:"last_used_at" example:"2026-12-07T09:12:00Z"`
}

// apiKeysJSON lists the caller's active keys (bounded by the auth service's limit per person).
type apiKeysJSON struct {
	Keys []apiKeyJSON `json:"keys"`
}

// apiKeyCreateJSON makes a key.
type apiKeyCreateJSON struct {
	Label     string `json:"label" example:"My bot" maxLength:"100"`
	AccountID int64  `json:"account_id,omitempty" doc:"One of the caller's paper accounts; the primary one (as it is at each request) when left out." example:"12"`
}

// apiKeyCreatedJSON is a new key with its secret, shown this once.
type apiKeyCreatedJSON struct {
	apiKeyJSON
	Secret string `json:"secret" doc:"Send as APCA-API-SECRET-KEY. Shown only in this answer: it is stored hashed." example:"sk_8Jd2kQ9xLm4Vb7Np1Rt6Yw3Zc5Hf0Ga2Se8Ui"`
}

// apiListKeys is GET /api/v1/api-keys.
func (s *Server) apiListKeys(c *fiber.Ctx) error {
	ctx, u := c.UserContext(), currentUser(c)
	keys, err := s.apiKeys.List(ctx, u.ID)
	if err != nil {
		return err
	}
	bound, err := models.APIKeyAccounts(ctx, s.db, u.ID)
	if err != nil {
		return err
	}
	out := apiKeysJSON{Keys: make([]apiKeyJSON, len(keys))}
	for i, k := range keys {
		out.Keys[i] = apiKeyJSON{ID: k.ID, KeyID: k.KeyID, Label: k.Label, AccountID: bound[k.ID],
			CreatedAt: k.CreatedAt.UTC(), LastUsedAt: utcOrNil(k.LastUsedAt)}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}

func utcOrNil(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// apiCreateKey is POST /api/v1/api-keys: a new key, its secret in this answer only (no-store).
func (s *Server) apiCreateKey(c *fiber.Ctx) error {
	var in apiKeyCreateJSON
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx, u := c.UserContext(), currentUser(c)
	accountID := in.AccountID
	if accountID < 0 {
		accountID = -1 // refused by the service like any account that is not theirs
	}
	key, err := s.apiKeys.CreateFor(ctx, u.ID, accountID, in.Label)
	if rej, ok := apperr.As(err); ok && rej.Fields["account"] != "" {
		return apperr.Invalid(map[string]string{"account_id": rej.Fields["account"]}) // the form's name for it is "account"
	}
	if err != nil {
		return err
	}
	bound, err := models.APIKeyAccounts(ctx, s.db, u.ID)
	if err != nil {
		return err
	}
	keys, err := s.apiKeys.List(ctx, u.ID)
	if err != nil {
		return err
	}
	out := apiKeyCreatedJSON{apiKeyJSON: apiKeyJSON{ID: key.ID, KeyID: key.KeyID, Label: key.Label, AccountID: bound[key.ID]},
		Secret: key.Secret}
	for _, k := range keys {
		if k.ID == key.ID {
			out.CreatedAt = k.CreatedAt.UTC()
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Location(urls.Path(urls.APIKey, key.ID))
	return c.Status(fiber.StatusCreated).JSON(out)
}

// apiRevokeKey is DELETE /api/v1/api-keys/:id: the key stops working at once, and its open
// trade-event streams end.
func (s *Server) apiRevokeKey(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.New(apperr.KindNotFound, "not_found", "That API key does not exist or has already been revoked.")
	}
	if err := s.apiKeys.Revoke(c.UserContext(), currentUser(c).ID, id); err != nil {
		return err
	}
	if s.live != nil {
		s.live.streams.revoked(id)
	}
	return c.SendStatus(fiber.StatusNoContent)
}
