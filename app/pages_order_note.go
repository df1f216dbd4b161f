package app

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
	"alpacawrapper/trading"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// The journal: a note and tags on one of the current account's orders (GET and POST
// /orders/:id/note). The note is the person's own record, not an order change: it does not touch
// the order, send a trade update or need the market open.

// orderNoteForm shows the note page with the form f (its values, or the stored note's).
func (s *Server) orderNoteForm(c *fiber.Ctx, status int, f views.Form) error {
	id, err := orderIDParam(c)
	if err != nil {
		return err
	}
	a, v, err := s.accountAndValue(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	o, err := models.OrderOf(ctx, s.db, a.ID, id)
	if errors.Is(err, models.ErrNotFound) {
		return trading.ErrOrderNotFound
	}
	if err != nil {
		return err
	}
	if f.Values == nil {
		n, err := s.trading.OrderNote(ctx, a.ID, id)
		if err != nil {
			return err
		}
		f.Values = map[string]string{"note": n.Note, "tags": strings.Join(n.Tags, ", ")}
	}
	h, err := s.tradingHeader(c, a, v)
	if err != nil {
		return err
	}
	p := s.page(c, "Order note")
	back := urls.Query(urls.Path(urls.Orders), "status", "all") + "#order-" + o.ID.String()
	nv := views.OrderNoteView{
		OrderID: o.ID.String(), Summary: capitalize(describeOrder(o)), Status: o.Status,
		Submitted: o.SubmittedAt.In(userLocation(currentUser(c))).Format("Jan 2, 2006 15:04 MST"),
		Action:    urls.Path(urls.OrderNote, o.ID.String()), Next: localPath(c.Query("next", c.FormValue("next")), back),
		CSRF: p.CSRFToken, Form: f, NoteMax: trading.MaxNoteRunes,
		TagsHelp: "Separate tags with commas or spaces; up to " + strconv.Itoa(trading.MaxTags) +
			" of letters, digits, - and _. Leave both empty to remove the note.",
		ActivityHref: urls.Query(urls.Path(urls.Activity), "q", o.Symbol),
	}
	c.Status(status)
	return render(c, views.OrderNotePage(p, h, nv))
}

// orderNotePage is GET /orders/:id/note[?next=]: the order's note and tags, to write or change.
func (s *Server) orderNotePage(c *fiber.Ctx) error {
	return s.orderNoteForm(c, fiber.StatusOK, views.Form{})
}

// saveOrderNote is POST /orders/:id/note (note, tags, next): saves, then returns to next with a
// flash; a refused note comes back with its message under the field.
func (s *Server) saveOrderNote(c *fiber.Ctx) error {
	id, err := orderIDParam(c)
	if err != nil {
		return err
	}
	a, err := s.currentAccount(c)
	if err != nil {
		return err
	}
	note, tags := c.FormValue("note"), c.FormValue("tags")
	n, err := s.trading.SetOrderNote(c.UserContext(), currentUser(c).ID, a.ID, id, note, tags)
	if err != nil {
		refusal, ok := apperr.As(err)
		if !ok || len(refusal.Fields) == 0 {
			return err
		}
		return s.orderNoteForm(c, fiber.StatusUnprocessableEntity,
			views.Form{Values: map[string]string{"note": note, "tags": tags}, Errors: refusal.Fields})
	}
	msg := "Note saved."
	if n.Note == "" && len(n.Tags) == 0 {
		msg = "Note removed."
	}
	s.flash(c, string(views.FlashSuccess), msg)
	back := urls.Query(urls.Path(urls.Orders), "status", "all") + "#order-" + id.String()
	return c.Redirect(localPath(c.FormValue("next"), back), fiber.StatusSeeOther)
}

// capitalize upper-cases the first letter of a sentence made of ASCII words.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
