package config

import (
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// reader parses variables one by one and collects every problem instead of stopping at the first.
type reader struct {
	lookup LookupFunc
	errs   []error
}

func (r *reader) check(err error) {
	if err != nil {
		r.errs = append(r.errs, err)
	}
}

func (r *reader) fail(name, value, accepts string) {
	r.errs = append(r.errs, fmt.Errorf("%s=%q: %s", name, value, accepts))
}

// raw returns the trimmed value of name, and whether it was set to something non-blank.
func (r *reader) raw(name string) (string, bool) {
	v, ok := r.lookup(name)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

func (r *reader) str(name, def string) string {
	if v, ok := r.raw(name); ok {
		return v
	}
	return def
}

// secret reads name, or the contents of the file named by name_FILE (Docker and Kubernetes
// secrets). Setting both is ambiguous and rejected. Values are never echoed in errors.
func (r *reader) secret(name, def string) string {
	v, hasValue := r.raw(name)
	path, hasFile := r.raw(name + "_FILE")
	switch {
	case hasValue && hasFile:
		r.errs = append(r.errs, fmt.Errorf("%s and %s_FILE: set one or the other, not both", name, name))
		return v
	case hasFile:
		data, err := os.ReadFile(path)
		if err != nil {
			r.errs = append(r.errs, fmt.Errorf("%s_FILE=%q: must name a readable file (%v)", name, path, err))
			return ""
		}
		return strings.TrimSpace(string(data))
	case hasValue:
		return v
	}
	return def
}

func (r *reader) integer(name string, def, lo, hi int) int {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		r.fail(name, v, fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
		return def
	}
	return n
}

func (r *reader) boolean(name string, def bool) bool {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(name, v, "must be true or false")
		return def
	}
	return b
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, v, "must be a positive duration such as 15s or 2m")
		return def
	}
	return d
}

func (r *reader) enum(name, def string, allowed ...string) string {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	v = strings.ToLower(v)
	if !slices.Contains(allowed, v) {
		r.fail(name, v, "must be one of "+strings.Join(allowed, ", "))
		return def
	}
	return v
}

func (r *reader) level(name string, def slog.Level) slog.Level {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		r.fail(name, v, "must be one of debug, info, warn, error")
		return def
	}
	return l
}

func (r *reader) list(name string) []string {
	v, ok := r.raw(name)
	if !ok {
		return nil
	}
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func (r *reader) roles(name string) []Role {
	items := r.list(name)
	if len(items) == 0 {
		return AllRoles()
	}
	var roles []Role
	for _, item := range items {
		role := Role(strings.ToLower(item))
		if !slices.Contains(AllRoles(), role) {
			r.fail(name, item, "each role must be one of web, worker, feed (comma-separated)")
			continue
		}
		if !slices.Contains(roles, role) {
			roles = append(roles, role)
		}
	}
	if len(roles) == 0 {
		return AllRoles()
	}
	return roles
}

// rate reads "COUNT/DURATION", e.g. 10/15m.
func (r *reader) rate(name string, def Rate) Rate {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	count, window, found := strings.Cut(v, "/")
	n, err1 := strconv.Atoi(strings.TrimSpace(count))
	d, err2 := time.ParseDuration(strings.TrimSpace(window))
	if !found || err1 != nil || err2 != nil || n < 1 || d <= 0 {
		r.fail(name, v, "must look like 10/15m: a count, a slash, a duration")
		return def
	}
	return Rate{Limit: n, Window: d}
}
