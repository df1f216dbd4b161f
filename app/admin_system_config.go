package app

import (
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strings"

	"alpacawrapper/config"
	"alpacawrapper/views"
)

// redacted stands for a secret that is set; a secret's value is never shown.
const redacted = "[redacted]"

// secretField names the settings whose value is a credential, whatever struct they are in:
// SECRET_KEY, STATUS_TOKEN, ALPACA_API_KEY_ID and its secret, SMTP_PASSWORD, and any added
// later under such a name (a client secret, an API token). Matching by name, not by a list, is
// what keeps a new secret from appearing here by default.
var secretField = regexp.MustCompile(`(?i)secret|password|passwd|token|key|credential|private|dsn`)

// redactedConfig lists every setting of cfg, walked by reflection so a new setting appears
// without anyone remembering to add it here, with every secret redacted: a field whose name
// says it is one shows only whether it is set, and a URL shows no password.
func redactedConfig(cfg config.Config) []views.AdminConfigEntry {
	var out []views.AdminConfigEntry
	walkConfig(reflect.ValueOf(cfg), "", &out)
	return out
}

func walkConfig(v reflect.Value, prefix string, out *[]views.AdminConfigEntry) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := prefix + f.Name
		fv := v.Field(i)
		if fv.Kind() == reflect.Struct && f.Type.PkgPath() == t.PkgPath() && !isValueStruct(fv) {
			walkConfig(fv, name+".", out)
			continue
		}
		*out = append(*out, configEntry(name, f.Name, fv))
	}
}

// isValueStruct: config.Rate reads best as one value ("10/15m0s").
func isValueStruct(v reflect.Value) bool {
	_, ok := v.Interface().(config.Rate)
	return ok
}

func configEntry(name, field string, v reflect.Value) views.AdminConfigEntry {
	if secretField.MatchString(field) {
		if v.IsZero() {
			return views.AdminConfigEntry{Name: name, Value: "(not set)", Redacted: true}
		}
		return views.AdminConfigEntry{Name: name, Value: redacted, Redacted: true}
	}
	var s string
	switch x := v.Interface().(type) {
	case config.Rate:
		s = fmt.Sprintf("%d per %s", x.Limit, x.Window)
	case fmt.Stringer:
		s = x.String()
	default:
		if v.Kind() == reflect.Slice {
			parts := make([]string, v.Len())
			for i := range parts {
				parts[i] = fmt.Sprint(v.Index(i).Interface())
			}
			s = strings.Join(parts, ", ")
		} else {
			s = fmt.Sprint(x)
		}
	}
	if s, hid := redactURL(s); hid {
		return views.AdminConfigEntry{Name: name, Value: s, Redacted: true}
	}
	if s == "" {
		s = "(empty)"
	}
	return views.AdminConfigEntry{Name: name, Value: s}
}

// redactURL hides what a connection string may carry: a URL's password (and its query, where
// drivers accept password=), and a key=value DSN altogether.
func redactURL(s string) (string, bool) {
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return redacted, true
		}
		hid := false
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			hid = true
		}
		if u.RawQuery != "" {
			u.RawQuery = "…"
			hid = true
		}
		return u.String(), hid
	}
	if connInfo.MatchString(s) && strings.Contains(s, "=") {
		return redacted, true
	}
	return s, false
}
