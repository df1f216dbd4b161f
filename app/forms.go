package app

import (
	"strconv"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/views"
)

// formView renders a form either as a whole page (plain browser post) or as the fragment htmx
// swaps in place.
type formView struct {
	page     func(views.Form) templ.Component
	fragment func(views.Form) templ.Component
}

// show renders the form with status.
func (v formView) show(c *fiber.Ctx, status int, f views.Form) error {
	c.Status(status)
	if isHTMX(c) && v.fragment != nil {
		return render(c, v.fragment(f))
	}
	return render(c, v.page(f))
}

// refuse re-renders the form with the refusal's messages under their fields (or above the form),
// keeping what the person typed. Errors that are not refusals go to the central error handler.
// htmx only swaps 422 answers into the form, so that is the status it gets; a plain browser gets
// the refusal's own status.
func (v formView) refuse(c *fiber.Ctx, err error, values map[string]string) error {
	rej, ok := apperr.As(err)
	if !ok || rej.Kind == apperr.KindUnavailable {
		return err // not about the form: the central error handler answers (503 page or problem JSON)
	}
	f := views.Form{Values: values, Errors: rej.Fields}
	if len(rej.Fields) == 0 {
		f.Error = rej.Message
	}
	if rej.RetryAfterSeconds > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(rej.RetryAfterSeconds))
	}
	status := statusOf(rej.Kind)
	if isHTMX(c) {
		status = fiber.StatusUnprocessableEntity
	}
	return v.show(c, status, f)
}
