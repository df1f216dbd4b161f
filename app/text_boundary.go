package app

import (
	"bytes"
	"mime"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
)

// maxStoredUserAgent bounds the User-Agent kept with a session: enough to tell browsers apart.
const maxStoredUserAgent = 300

// badTextMessage is the refusal of a field holding bytes no text may hold.
const badTextMessage = "This contains characters that are not allowed (invalid UTF-8 or a NUL byte)."

// checkText keeps bytes that are not text out of the application. PostgreSQL stores text as UTF-8
// and refuses NUL, so such bytes reaching a query were a 500 (SQLSTATE 22021); people's input
// (path, query string, form fields, JSON) holding them is refused here with 422 naming the field,
// and headers that are stored (the User-Agent, with a session) are cleaned rather than refused, so
// an odd browser can still sign in.
func checkText(c *fiber.Ctx) error {
	if ua := c.Request().Header.UserAgent(); len(ua) > 0 {
		if clean := cleanHeaderText(string(ua), maxStoredUserAgent); clean != string(ua) {
			c.Request().Header.SetUserAgent(clean)
		}
	}
	if !isText(c.Request().URI().Path()) {
		return badText("path")
	}
	if field, ok := argsAreText(c.Request().URI().QueryArgs()); !ok {
		return badText(field)
	}
	if err := checkBodyText(c); err != nil {
		return err
	}
	return c.Next()
}

// checkBodyText looks at the body in the encodings the application reads: forms and JSON.
func checkBodyText(c *fiber.Ctx) error {
	mediaType, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	switch {
	case mediaType == fiber.MIMEApplicationForm:
		if field, ok := argsAreText(c.Request().PostArgs()); !ok {
			return badText(field)
		}
	case mediaType == fiber.MIMEMultipartForm:
		// Files are bytes by nature; only the text fields beside them are checked.
		form, err := c.MultipartForm()
		if err != nil {
			return nil // the handler reports an unreadable form in its own words
		}
		for name, values := range form.Value {
			for _, v := range values {
				if !isText([]byte(name)) || !isText([]byte(v)) {
					return badText(fieldName(name))
				}
			}
		}
	case mediaType == fiber.MIMEApplicationJSON || strings.HasSuffix(mediaType, "+json"):
		if body := c.Body(); !isText(body) || jsonHasNUL(body) {
			return badText("body")
		}
	}
	return nil
}

// argsAreText checks every name and value of a query string or a form, and names the first bad one.
func argsAreText(args interface {
	VisitAll(func(key, value []byte))
}) (field string, ok bool) {
	ok = true
	args.VisitAll(func(k, v []byte) {
		if ok && (!isText(k) || !isText(v)) {
			ok, field = false, fieldName(string(k))
		}
	})
	return field, ok
}

// isText reports whether b is valid UTF-8 without NUL.
func isText(b []byte) bool { return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 }

// fieldName is how a refused field is named back: its own name when that is text, else "field".
func fieldName(name string) string {
	if !isText([]byte(name)) || name == "" || len(name) > 64 {
		return "field"
	}
	return name
}

func badText(field string) error { return apperr.Invalid(map[string]string{field: badTextMessage}) }

// jsonHasNUL reports whether a JSON document spells a NUL inside a string (\u0000): valid JSON,
// valid UTF-8, and still refused by PostgreSQL once decoded.
func jsonHasNUL(body []byte) bool {
	inString := false
	for i := 0; i < len(body); i++ {
		switch b := body[i]; {
		case b == '"':
			inString = !inString
		case b == '\\' && inString:
			if i+5 < len(body) && body[i+1] == 'u' && string(body[i+2:i+6]) == "0000" {
				return true
			}
			i++ // whatever is escaped cannot end the string
		}
	}
	return false
}

// cleanHeaderText makes a header value fit to store and show: invalid bytes become U+FFFD, control
// characters (NUL among them) are dropped, and the result is cut to max bytes on a character
// boundary.
func cleanHeaderText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
