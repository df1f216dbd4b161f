package app

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/audit"
	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/trading/order"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// The operators' actions on a paper account: adjust cash, cancel all open orders, reset, freeze
// and unfreeze trading. Each is one trading.Service transaction on the locked account whose last
// statement is the audit entry (adminAccountRecord), so the entry exists exactly when the change
// committed. A refusal (bad input, a missing account, a state that changed since the page was
// loaded) writes neither and comes back in the action's form on the account page.

// adminAccountRecord is the audit entry of action on account id, written in the action's
// transaction by the trading service.
func adminAccountRecord(c *fiber.Ctx, action string, id int64) trading.Record {
	actor := auditActor(c)
	return func(tx *gorm.DB, before, after any) error {
		return audit.Record(tx, audit.Entry{Actor: actor, Action: action, TargetType: "paper_account",
			TargetID: strconv.FormatInt(id, 10), Before: before, After: after})
	}
}

// adminAccountAction runs one action on the account in the URL. form names the action's form on
// the page, values the fields it shows again after a refusal. do returns the flash on success.
func (s *Server) adminAccountAction(c *fiber.Ctx, form string, values []string, do func(a *models.PaperAccount, period int) (string, error)) error {
	a, err := s.adminAccountOf(c)
	if err != nil {
		return err
	}
	period, perr := strconv.Atoi(c.FormValue("period"))
	if perr != nil || period < 1 {
		period = a.Period // a form without one (a script, an old page) acts on the period it finds
	}
	msg, err := do(a, period)
	if err != nil {
		rej, ok := apperr.As(err)
		if !ok || rej.Kind == apperr.KindUnavailable || errors.Is(err, trading.ErrAccountNotFound) {
			return err
		}
		fresh, ferr := models.PaperAccountByID(c.UserContext(), s.db, a.ID)
		if ferr != nil {
			return ferr
		}
		d, derr := s.adminAccountData(c, fresh)
		if derr != nil {
			return derr
		}
		f := views.Form{Values: formValues(c, values...), Errors: rej.Fields}
		if len(rej.Fields) == 0 {
			f.Error = rej.Message
		}
		d.Forms[form] = f
		c.Status(statusOf(rej.Kind))
		return render(c, views.AdminAccountPage(s.page(c, fresh.Name), d))
	}
	s.flash(c, "success", msg)
	return redirectAfterPost(c, urls.Path(urls.AdminAccount, a.ID))
}

// adminAdjustCash is POST /admin/accounts/:id/adjust-cash (amount, reason, period).
func (s *Server) adminAdjustCash(c *fiber.Ctx) error {
	return s.adminAccountAction(c, "adjust", []string{"amount", "reason"}, func(a *models.PaperAccount, period int) (string, error) {
		amount, msg := signedDollars(c.FormValue("amount"))
		if msg != "" {
			return "", apperr.Invalid(map[string]string{"amount": msg})
		}
		done, line, err := s.trading.AdjustCash(c.UserContext(), trading.CashAdjustment{AccountID: a.ID, Period: period,
			Amount: amount, Reason: c.FormValue("reason")}, adminAccountRecord(c, "paper_account.adjust_cash", a.ID))
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s adjusted by %s; cash is now %s.", done.Name, views.FormatSignedMoney(line.Amount), views.FormatMoney(done.Cash)), nil
	})
}

// signedDollars reads an adjustment typed by a person: the owner's amount parser, with a sign.
func signedDollars(raw string) (amount decimal.Decimal, msg string) {
	raw = strings.TrimSpace(raw)
	neg := false
	for _, sign := range []string{"-", "−", "+"} { // one sign, ASCII or typographic minus
		if rest, ok := strings.CutPrefix(raw, sign); ok {
			neg, raw = sign != "+", rest
			break
		}
	}
	d, msg := typedAmount("Amount", raw, order.Dollars)
	switch {
	case msg != "":
		return amount, msg
	case !d.Valid:
		return amount, "Enter an amount in dollars, such as 250 or -250."
	}
	if neg {
		return d.Decimal.Neg(), ""
	}
	return d.Decimal, ""
}

// adminCancelAllOrders is POST /admin/accounts/:id/cancel-orders.
func (s *Server) adminCancelAllOrders(c *fiber.Ctx) error {
	return s.adminAccountAction(c, "cancel", nil, func(a *models.PaperAccount, _ int) (string, error) {
		got, err := s.trading.OperatorCancelAll(c.UserContext(), a.ID, adminAccountRecord(c, "paper_account.cancel_orders", a.ID))
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d open orders of %s canceled.", len(got), a.Name), nil
	})
}

// adminResetAccount is POST /admin/accounts/:id/reset (starting_cash, confirm=yes, period).
func (s *Server) adminResetAccount(c *fiber.Ctx) error {
	return s.adminAccountAction(c, "reset", []string{"starting_cash"}, func(a *models.PaperAccount, period int) (string, error) {
		fields := apperr.Fields{}
		cash, msg := parseDollars(c.FormValue("starting_cash"))
		if msg != "" {
			fields.Add("starting_cash", msg)
		}
		if c.FormValue("confirm") != "yes" {
			fields.Add("confirm", "Tick the box to confirm the reset.")
		}
		if err := fields.Err(); err != nil {
			return "", err
		}
		done, err := s.trading.OperatorReset(c.UserContext(), a.ID, period, cash, adminAccountRecord(c, "paper_account.reset", a.ID))
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s was reset to %s; period %d is kept in its history.", done.Name, views.FormatMoney(done.Cash), done.Period-1), nil
	})
}

// adminFreezeAccount is POST /admin/accounts/:id/freeze.
func (s *Server) adminFreezeAccount(c *fiber.Ctx) error { return s.adminSetFrozen(c, true) }

// adminUnfreezeAccount is POST /admin/accounts/:id/unfreeze.
func (s *Server) adminUnfreezeAccount(c *fiber.Ctx) error { return s.adminSetFrozen(c, false) }

func (s *Server) adminSetFrozen(c *fiber.Ctx, frozen bool) error {
	action := map[bool]string{true: "paper_account.freeze", false: "paper_account.unfreeze"}[frozen]
	return s.adminAccountAction(c, "freeze", nil, func(a *models.PaperAccount, _ int) (string, error) {
		done, err := s.trading.SetTradingFrozen(c.UserContext(), a.ID, frozen, adminAccountRecord(c, action, a.ID))
		if err != nil {
			return "", err
		}
		if frozen {
			return fmt.Sprintf("Trading on %s is frozen: new orders are refused.", done.Name), nil
		}
		return fmt.Sprintf("Trading on %s is unfrozen.", done.Name), nil
	})
}
