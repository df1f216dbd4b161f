package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"alpacawrapper/apperr"
)

// FlowTTL is how long a person has at the provider before the sign-in must start again.
const FlowTTL = 10 * time.Minute

// OIDCProvider is one configured OpenID Connect provider (config.OIDCProvider, copied so that auth
// does not import config).
type OIDCProvider struct {
	ID, Name, Issuer, ClientID, ClientSecret string
}

// OIDCOptions configure NewOIDC. Secret and RedirectBase are required.
type OIDCOptions struct {
	Providers []OIDCProvider
	// RedirectBase is the public base URL; a provider sends people back to
	// RedirectBase + "/auth/oidc/<id>/callback".
	RedirectBase string
	// Secret keys the sealed flow cookie (the app's SECRET_KEY).
	Secret []byte
	// ClockSkew is how far the provider's clock may be from ours; default one minute.
	ClockSkew time.Duration
	// HTTPClient talks to providers; default a client with a ten-second timeout.
	HTTPClient *http.Client
	// Now is the clock; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// OIDC signs people in with OpenID Connect providers: the authorisation code flow with PKCE, a
// state bound to the browser by a sealed cookie, the nonce, issuer, audience and token times
// checked. Which account an identity opens is Accounts' business (oidc_accounts.go).
type OIDC struct {
	providers    []OIDCProvider
	redirectBase string
	sealer       flowSealer
	skew         time.Duration
	client       *http.Client
	now          func() time.Time
	log          *slog.Logger

	mu         sync.Mutex
	discovered map[string]*oidc.Provider // by provider id; discovery is retried until it succeeds
}

// NewOIDC builds the service. Providers are discovered on first use, not here, so a provider that
// is down does not stop the app from starting.
func NewOIDC(o OIDCOptions) *OIDC {
	if o.ClockSkew <= 0 {
		o.ClockSkew = time.Minute
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &OIDC{providers: o.Providers, redirectBase: strings.TrimRight(o.RedirectBase, "/"),
		sealer: newFlowSealer(o.Secret), skew: o.ClockSkew, client: o.HTTPClient, now: o.Now, log: o.Logger,
		discovered: map[string]*oidc.Provider{}}
}

// Providers lists the configured providers, in configuration order.
func (o *OIDC) Providers() []OIDCProvider { return o.providers }

// Provider returns the configured provider id.
func (o *OIDC) Provider(id string) (OIDCProvider, bool) {
	for _, p := range o.providers {
		if p.ID == id {
			return p, true
		}
	}
	return OIDCProvider{}, false
}

// FlowIntent is what a sign-in flow is for.
type FlowIntent string

// The intents.
const (
	IntentLogin FlowIntent = "login" // sign in, or create an account for a new identity
	IntentLink  FlowIntent = "link"  // link the identity to the signed-in user
)

// Flow is what the browser keeps, sealed, between leaving for the provider and coming back.
type Flow struct {
	Provider  string     `json:"p"`
	State     string     `json:"s"`
	Nonce     string     `json:"n"`
	Verifier  string     `json:"v"` // PKCE code verifier
	Next      string     `json:"x"` // local path to go to afterwards
	Intent    FlowIntent `json:"i"`
	UserID    int64      `json:"u,omitempty"` // IntentLink: the user who asked
	Session   string     `json:"h,omitempty"` // IntentLink: their session's Handle
	StartedAt time.Time  `json:"t"`
}

// Begin starts a flow with provider id: it returns the provider's authorisation URL to send the
// browser to, and the sealed flow for the browser's cookie. f carries Next, Intent and, to link,
// UserID and Session; Begin fills in the rest.
func (o *OIDC) Begin(ctx context.Context, id string, f Flow) (authURL, sealed string, err error) {
	p, ok := o.Provider(id)
	if !ok {
		return "", "", unknownProvider()
	}
	cfg, _, err := o.oauth(ctx, p)
	if err != nil {
		return "", "", err
	}
	f.Provider, f.StartedAt = id, o.now().UTC()
	f.State, _ = newSecret()
	f.Nonce, _ = newSecret()
	f.Verifier = oauth2.GenerateVerifier()
	sealed, err = o.sealer.seal(f)
	if err != nil {
		return "", "", err
	}
	return cfg.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), sealed, nil
}

// Callback is what the provider sent back in the redirect's query.
type Callback struct {
	State, Code, Error string
}

// Identity is who the provider says the person is, from a verified ID token.
type Identity struct {
	Provider      string // configured id
	ProviderName  string
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

// Finish completes a flow: it opens the browser's sealed flow, checks the state against it,
// exchanges the code with the PKCE verifier, verifies the ID token (signature, issuer, audience,
// expiry and issue time within the clock skew) and its nonce. Every refusal is an apperr: code
// "oidc_state" for a state that does not match the browser's flow (or no flow), "oidc_refused"
// when the provider did not sign the person in, "oidc_failed" for a token that fails a check.
func (o *OIDC) Finish(ctx context.Context, id, sealed string, cb Callback) (*Identity, Flow, error) {
	f, err := o.sealer.open(sealed, o.now())
	if err != nil || f.Provider != id || cb.State == "" || subtle.ConstantTimeCompare([]byte(cb.State), []byte(f.State)) != 1 {
		return nil, f, stateMismatch()
	}
	p, ok := o.Provider(id)
	if !ok {
		return nil, f, unknownProvider()
	}
	if cb.Error != "" || cb.Code == "" {
		if cb.Error == "access_denied" {
			return nil, f, apperr.New(apperr.KindUnauthenticated, "oidc_refused",
				"Signing in with "+p.Name+" was cancelled or refused. Nothing was changed.")
		}
		return nil, f, apperr.New(apperr.KindUnauthenticated, "oidc_refused",
			p.Name+" could not sign you in. Please try again.")
	}
	cfg, provider, err := o.oauth(ctx, p)
	if err != nil {
		return nil, f, err
	}
	tok, err := cfg.Exchange(oidc.ClientContext(ctx, o.client), cb.Code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		o.log.WarnContext(ctx, "oidc: code exchange refused", slog.String("provider", id), slog.Any("error", err))
		return nil, f, tokenRefused(p)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, f, tokenRefused(p)
	}
	ident, err := o.verify(ctx, p, provider, raw, f)
	if err != nil {
		o.log.WarnContext(ctx, "oidc: ID token refused", slog.String("provider", id), slog.Any("error", err))
		return nil, f, tokenRefused(p)
	}
	return ident, f, nil
}

// verify checks the ID token. go-oidc checks the signature against the provider's published keys,
// the issuer and the audience (our client id); its expiry check has no tolerance, so it is given a
// clock running ClockSkew late. The token's issue time must fall between the flow's start and now,
// each widened by ClockSkew: a token older than the flow was not issued for it.
func (o *OIDC) verify(ctx context.Context, p OIDCProvider, provider *oidc.Provider, raw string, f Flow) (*Identity, error) {
	v := provider.Verifier(&oidc.Config{ClientID: p.ClientID, Now: func() time.Time { return o.now().Add(-o.skew) }})
	tok, err := v.Verify(oidc.ClientContext(ctx, o.client), raw)
	if err != nil {
		return nil, fmt.Errorf("auth: oidc verify: %w", err)
	}
	if f.Nonce == "" || subtle.ConstantTimeCompare([]byte(tok.Nonce), []byte(f.Nonce)) != 1 {
		return nil, errors.New("auth: oidc: nonce does not match the flow's")
	}
	now := o.now()
	if tok.IssuedAt.After(now.Add(o.skew)) || tok.IssuedAt.Before(f.StartedAt.Add(-o.skew)) {
		return nil, fmt.Errorf("auth: oidc: issued at %s, outside the flow (%s to %s, skew %s)", tok.IssuedAt, f.StartedAt, now, o.skew)
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified any    `json:"email_verified"` // a boolean; some providers send "true"
		Name          string `json:"name"`
		Preferred     string `json:"preferred_username"`
	}
	if err := tok.Claims(&claims); err != nil {
		return nil, fmt.Errorf("auth: oidc claims: %w", err)
	}
	if tok.Subject == "" || len(tok.Subject) > 255 {
		return nil, errors.New("auth: oidc: subject missing or too long")
	}
	verified := claims.EmailVerified == true || claims.EmailVerified == "true"
	name := strings.TrimSpace(claims.Name)
	if name == "" {
		name = strings.TrimSpace(claims.Preferred)
	}
	return &Identity{Provider: p.ID, ProviderName: p.Name, Issuer: tok.Issuer, Subject: tok.Subject,
		Email: strings.TrimSpace(claims.Email), EmailVerified: verified, Name: name}, nil
}

// oauth returns the OAuth 2 configuration of p, discovering the provider the first time.
func (o *OIDC) oauth(ctx context.Context, p OIDCProvider) (*oauth2.Config, *oidc.Provider, error) {
	provider, err := o.discover(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	return &oauth2.Config{
		ClientID: p.ClientID, ClientSecret: p.ClientSecret, Endpoint: provider.Endpoint(),
		RedirectURL: o.RedirectURL(p.ID), Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}, provider, nil
}

// RedirectURL is where provider id sends people back: register it at the provider.
func (o *OIDC) RedirectURL(id string) string {
	return o.redirectBase + "/auth/oidc/" + id + "/callback"
}

func (o *OIDC) discover(ctx context.Context, p OIDCProvider) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if d, ok := o.discovered[p.ID]; ok {
		return d, nil
	}
	// go-oidc checks that the document's issuer is the configured one. The key set it builds
	// keeps this client (and not ctx's deadline) for fetching keys later.
	d, err := oidc.NewProvider(oidc.ClientContext(ctx, o.client), p.Issuer)
	if err != nil {
		o.log.WarnContext(ctx, "oidc: discovery failed", slog.String("provider", p.ID), slog.Any("error", err))
		return nil, apperr.Unavailable("oidc_unavailable", p.Name+" cannot be reached just now. Please try again in a minute.", 60)
	}
	o.discovered[p.ID] = d
	return d, nil
}

func unknownProvider() error {
	return apperr.New(apperr.KindNotFound, "not_found", "There is no such sign-in provider.")
}

func stateMismatch() error {
	return apperr.New(apperr.KindUnauthenticated, "oidc_state",
		"This sign-in could not be matched to this browser, or it took too long. Please start again from this page.")
}

func tokenRefused(p OIDCProvider) error {
	return apperr.New(apperr.KindUnauthenticated, "oidc_failed",
		"The answer from "+p.Name+" could not be verified, so you were not signed in. Please try again.")
}
