package app

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/alpacaapi"
	"alpacawrapper/models"
)

// alpacaQuery reads the request's query parameters for an endpoint that knows the given names
// (anything else is refused, as Alpaca does).
func alpacaQuery(c *fiber.Ctx, known ...string) *alpacaapi.Query {
	v := url.Values{}
	c.Context().QueryArgs().VisitAll(func(k, val []byte) { v.Add(string(k), string(val)) })
	return alpacaapi.NewQuery(v, known...)
}

// noQuery refuses any query parameter on an endpoint that takes none.
func noQuery(c *fiber.Ctx) error { return alpacaQuery(c).Err() }

// alpacaAccount loads the caller's paper account.
func (s *Server) alpacaAccount(c *fiber.Ctx) (AlpacaCaller, *models.PaperAccount, error) {
	caller, ok := AlpacaCallerOf(c)
	if !ok {
		return caller, nil, errNotAuthorized // mounted without alpacaAuth: refuse rather than guess
	}
	a, err := s.trading.Account(c.UserContext(), caller.UserID, caller.AccountID)
	return caller, a, err
}

// alpacaGetAccount is GET /v2/account: the account and its valuation read in one query, since
// bots poll it.
func (s *Server) alpacaGetAccount(c *fiber.Ctx) error {
	if err := noQuery(c); err != nil {
		return err
	}
	caller, ok := AlpacaCallerOf(c)
	if !ok {
		return errNotAuthorized // mounted without alpacaAuth: refuse rather than guess
	}
	a, v, err := s.trading.AccountValue(c.UserContext(), caller.UserID, caller.AccountID)
	if err != nil {
		return err
	}
	return c.JSON(alpacaapi.EncodeAccount(a, v, s.trading.Clock().Now().Time))
}

// alpacaGetConfigurations is GET /v2/account/configurations.
func (s *Server) alpacaGetConfigurations(c *fiber.Ctx) error {
	if err := noQuery(c); err != nil {
		return err
	}
	_, a, err := s.alpacaAccount(c)
	if err != nil {
		return err
	}
	return c.JSON(alpacaapi.EncodeConfigurations(a))
}

// alpacaPatchConfigurations is PATCH /v2/account/configurations: shorting, cash or margin, and
// (beyond Alpaca) the realism preset, commission schedule and regulatory fees.
func (s *Server) alpacaPatchConfigurations(c *fiber.Ctx) error {
	if err := noQuery(c); err != nil {
		return err
	}
	caller, a, err := s.alpacaAccount(c)
	if err != nil {
		return err
	}
	st, err := alpacaapi.ApplyConfigurations(c.Body(), a)
	if err != nil {
		return err
	}
	a, err = s.trading.UpdateSettings(c.UserContext(), caller.UserID, a.ID, a.Name, st)
	if err != nil {
		return err
	}
	return c.JSON(alpacaapi.EncodeConfigurations(a))
}

// alpacaNow is the time the API reports, from the market clock the engine trades by.
func (s *Server) alpacaNow() time.Time { return s.trading.Clock().Now().Time }
