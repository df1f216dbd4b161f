package app

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/views"
)

// accountCookie remembers which of a person's paper accounts their pages show. It holds only an
// id; currentAccount checks the account is theirs on every request, so a forged value shows
// nothing but their own primary account.
const accountCookie = "paper_account"

// currentAccount is the signed-in person's selected paper account: the one the cookie names when
// it is theirs, else their primary account. Someone who signed up before paper trading existed
// gets their first account opened here.
func (s *Server) currentAccount(c *fiber.Ctx) (*models.PaperAccount, error) {
	u := currentUser(c)
	ctx := c.UserContext()
	if id, err := strconv.ParseInt(c.Cookies(accountCookie), 10, 64); err == nil {
		if a, err := s.trading.Account(ctx, u.ID, id); err == nil {
			return a, nil
		}
	}
	accts, err := s.trading.Accounts(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if len(accts) > 0 {
		return &accts[0], nil
	}
	if err := s.trading.OpenFirstAccount(ctx, s.db, u); err != nil {
		return nil, err
	}
	accts, err = s.trading.Accounts(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return &accts[0], nil
}

// rememberAccount makes an account the one the person's pages show.
func (s *Server) rememberAccount(c *fiber.Ctx, id int64) {
	c.Cookie(&fiber.Cookie{
		Name: accountCookie, Value: strconv.FormatInt(id, 10), Path: "/", HTTPOnly: true,
		Secure: s.cfg.IsProduction(), SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Now().AddDate(1, 0, 0),
	})
}

// tradingHeader builds the account strip every trading page shows, from the account's valuation.
func (s *Server) tradingHeader(c *fiber.Ctx, a *models.PaperAccount, v trading.Valuation) (views.TradingHeader, error) {
	accts, err := s.trading.Accounts(c.UserContext(), a.UserID)
	if err != nil {
		return views.TradingHeader{}, err
	}
	day := v.DayPL()
	h := views.TradingHeader{
		AccountID: a.ID, AccountName: a.Name, AccountNumber: a.Number, Margin: a.Margin, Realism: a.Realism,
		Equity: views.FormatMoney(v.Equity), BuyingPower: views.FormatMoney(v.BuyingPower), Cash: views.FormatMoney(v.Cash),
		DayPL: views.FormatSignedMoney(day), DayPLPositive: day.Round(2).IsPositive(), DayPLNegative: day.Round(2).IsNegative(),
	}
	for _, x := range accts {
		h.Accounts = append(h.Accounts, views.AccountChoice{ID: x.ID, Name: x.Name, Current: x.ID == a.ID})
	}
	if v.InMarginCall() {
		h.MarginCall = fmt.Sprintf("Equity of %s is below the maintenance requirement of %s. Close or reduce positions: new orders that add to them are refused until equity is back above it.",
			views.FormatMoney(v.Equity), views.FormatMoney(v.MaintenanceMargin))
	}
	return h, nil
}

// accountAndValue is the current account with its valuation, what most trading pages start from.
func (s *Server) accountAndValue(c *fiber.Ctx) (*models.PaperAccount, trading.Valuation, error) {
	a, err := s.currentAccount(c)
	if err != nil {
		return nil, trading.Valuation{}, err
	}
	v, err := s.pageValue(c.UserContext(), a)
	return a, v, err
}

// pageValue is an account's valuation as the pages show it: with today's change on each
// position (previous closes are cached, so the live re-renders stay cheap).
//
// The account is read again first: handlers hold the row they loaded before acting on it, and an
// order placed since has moved its cash.
func (s *Server) pageValue(ctx context.Context, a *models.PaperAccount) (trading.Valuation, error) {
	fresh, err := s.trading.Account(ctx, a.UserID, a.ID)
	if err != nil {
		return trading.Valuation{}, err
	}
	*a = *fresh
	v, err := s.trading.Value(ctx, s.db, a)
	if err == nil {
		s.trading.AddDayChange(ctx, &v)
	}
	return v, err
}
