package config

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// OIDCProvider is one OpenID Connect provider people may sign in with. Its endpoints and keys are
// discovered from Issuer; the app registers BASE_URL/auth/oidc/<ID>/callback as the redirect URI.
type OIDCProvider struct {
	// ID names the provider in URLs and variables: OIDC_<ID>_… with ID upper-cased and "-" as "_".
	ID string
	// Name is shown on the "Continue with …" button (OIDC_<ID>_NAME).
	Name string
	// Issuer is the provider's issuer URL, exactly as its ID tokens' iss claim (OIDC_<ID>_ISSUER).
	Issuer string
	// ClientID and ClientSecret are the app's registration at the provider (OIDC_<ID>_CLIENT_ID,
	// OIDC_<ID>_CLIENT_SECRET or OIDC_<ID>_CLIENT_SECRET_FILE).
	ClientID     string
	ClientSecret string
}

// oidcPresets are providers whose issuer and name need not be configured: only the client.
var oidcPresets = map[string]OIDCProvider{
	"google": {ID: "google", Name: "Google", Issuer: "https://accounts.google.com"},
}

// oidcID is what a provider id may look like: it appears in paths and variable names.
var oidcID = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)

// MaxOIDCClockSkew bounds OIDC_CLOCK_SKEW: a larger tolerance would keep a leaked ID token
// usable for longer than the few minutes providers issue them for.
const MaxOIDCClockSkew = 5 * time.Minute

// oidc reads OIDC_PROVIDERS (a comma-separated list of ids, empty: no provider) and each
// listed provider's variables, and OIDC_CLOCK_SKEW.
func (r *reader) oidc(env Env) ([]OIDCProvider, time.Duration) {
	skew := r.duration("OIDC_CLOCK_SKEW", time.Minute)
	if skew > MaxOIDCClockSkew {
		r.fail("OIDC_CLOCK_SKEW", skew.String(), "must be at most "+MaxOIDCClockSkew.String())
		skew = MaxOIDCClockSkew
	}
	var out []OIDCProvider
	for _, id := range r.list("OIDC_PROVIDERS") {
		id = strings.ToLower(id)
		if !oidcID.MatchString(id) {
			r.fail("OIDC_PROVIDERS", id, "each id must be lower-case letters, digits and dashes, starting with a letter (at most 31)")
			continue
		}
		if slices.ContainsFunc(out, func(p OIDCProvider) bool { return p.ID == id }) {
			r.fail("OIDC_PROVIDERS", id, "each id may be listed once")
			continue
		}
		prefix := "OIDC_" + strings.ToUpper(strings.ReplaceAll(id, "-", "_")) + "_"
		preset := oidcPresets[id]
		p := OIDCProvider{
			ID:           id,
			Name:         r.str(prefix+"NAME", preset.Name),
			Issuer:       strings.TrimRight(r.str(prefix+"ISSUER", preset.Issuer), "/"),
			ClientID:     r.str(prefix+"CLIENT_ID", ""),
			ClientSecret: r.secret(prefix+"CLIENT_SECRET", ""),
		}
		if p.Name == "" {
			p.Name = id
		}
		if len(p.Name) > 40 {
			r.fail(prefix+"NAME", p.Name, "must be at most 40 characters (it is shown on a button)")
		}
		u, err := url.Parse(p.Issuer)
		switch {
		case p.Issuer == "":
			r.errs = append(r.errs, fmt.Errorf("%sISSUER: required for provider %q (its issuer URL, e.g. https://accounts.example.com)", prefix, id))
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			r.fail(prefix+"ISSUER", p.Issuer, "must be an absolute https:// URL")
		case u.Scheme == "http" && env == Production:
			// Discovery and keys over plain HTTP could be swapped by anyone on the path.
			r.fail(prefix+"ISSUER", p.Issuer, "must be https:// in production")
		}
		if p.ClientID == "" {
			r.errs = append(r.errs, fmt.Errorf("%sCLIENT_ID: required for provider %q", prefix, id))
		}
		if p.ClientSecret == "" {
			r.errs = append(r.errs, fmt.Errorf("%sCLIENT_SECRET (or %sCLIENT_SECRET_FILE): required for provider %q", prefix, prefix, id))
		}
		out = append(out, p)
	}
	return out, skew
}

// OIDCOrigins are the origins of the configured providers' issuers: the browser is sent there from
// a form, so the Content-Security-Policy's form-action must allow them.
func (c Config) OIDCOrigins() []string {
	var out []string
	for _, p := range c.OIDC {
		if u, err := url.Parse(p.Issuer); err == nil && u.Host != "" {
			if o := u.Scheme + "://" + u.Host; !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	return out
}
