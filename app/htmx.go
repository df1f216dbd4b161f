package app

import "github.com/gofiber/fiber/v2"

// htmx talks to the server in headers (https://htmx.org/reference/#headers). They are named once
// here and read and written only through htmxOf and htmxResponse, as pagoda's htmx package does,
// so no handler spells a header by hand and every handler that branches on an htmx request
// tells caches so.
const (
	hxRequest        = "HX-Request"                 // set on every request htmx makes
	hxBoosted        = "HX-Boosted"                 // the request comes from an hx-boost link or form
	hxHistoryRestore = "HX-History-Restore-Request" // htmx restores a page it kept no snapshot of
	hxTarget         = "HX-Target"                  // the id of the element it will swap into
	hxTrigger        = "HX-Trigger"                 // request: the id of the element that asked; response: events to fire
	hxTriggerName    = "HX-Trigger-Name"            // the name of the element that asked
	hxCurrentURL     = "HX-Current-URL"             // the browser's address when it asked

	hxRedirect = "HX-Redirect" // response: navigate the whole page there
	hxRefresh  = "HX-Refresh"  // response: reload the whole page
	hxRetarget = "HX-Retarget" // response: swap into this selector instead
	hxReswap   = "HX-Reswap"   // response: swap this way instead
)

// htmxRequest is what an htmx request says about itself.
type htmxRequest struct {
	Enabled bool // the request came from htmx (HX-Request)
	Boosted bool
	// HistoryRestore: htmx wants the whole document to restore a page from history, even though
	// it asks with HX-Request.
	HistoryRestore bool
	Target         string
	Trigger        string
	TriggerName    string
	CurrentURL     string
}

// htmxOf reads the request's htmx headers. A handler reads them to choose between a fragment and
// a whole page for the same address, so this also adds HX-Request to the response's Vary: a cache
// must never hand the fragment to a navigation (or the reverse).
func htmxOf(c *fiber.Ctx) htmxRequest {
	c.Vary(hxRequest)
	return htmxRequest{
		Enabled:        c.Get(hxRequest) == "true",
		Boosted:        c.Get(hxBoosted) == "true",
		HistoryRestore: c.Get(hxHistoryRestore) == "true",
		Target:         c.Get(hxTarget),
		Trigger:        c.Get(hxTrigger),
		TriggerName:    c.Get(hxTriggerName),
		CurrentURL:     c.Get(hxCurrentURL),
	}
}

// isHTMX reports whether htmx made the request (see htmxOf, which it is shorthand for).
func isHTMX(c *fiber.Ctx) bool { return htmxOf(c).Enabled }

// wantsFragment reports whether htmx asked for a fragment to swap in: an htmx request that is
// not restoring a page from history (that needs the whole document).
func wantsFragment(c *fiber.Ctx) bool {
	h := htmxOf(c)
	return h.Enabled && !h.HistoryRestore
}

// htmxResponse tells htmx what to do with the answer; empty fields set no header.
type htmxResponse struct {
	Redirect string // navigate the whole page to this address
	Refresh  bool   // reload the whole page
	Retarget string // swap into this CSS selector instead of the requesting element's target
	Reswap   string // swap this way (innerHTML, afterbegin, …) instead
	Trigger  string // fire these events in the browser
}

// apply sets the response's htmx headers.
func (r htmxResponse) apply(c *fiber.Ctx) {
	set := func(name, value string) {
		if value != "" {
			c.Set(name, value)
		}
	}
	set(hxRedirect, r.Redirect)
	if r.Refresh {
		c.Set(hxRefresh, "true")
	}
	set(hxRetarget, r.Retarget)
	set(hxReswap, r.Reswap)
	set(hxTrigger, r.Trigger)
}
