package app

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/apperr"
	"alpacawrapper/auth"
	"alpacawrapper/models"
	"alpacawrapper/urls"
	"alpacawrapper/views"
)

// Sign-in with OpenID Connect providers (issue 20). A "Continue with …" form posts to oidcStart,
// which seals the flow (state, nonce, PKCE verifier, where to go next) into a cookie of this
// browser's and sends the browser to the provider; the provider sends it back to oidcCallback,
// which opens the cookie, checks the state against it and lets auth verify the rest. Linking from
// settings is the same flow, bound also to the signed-in user and their session.

// oidcFlowCookie holds the sealed flow; __Host- in production, as the session cookie. It is
// SameSite=Lax because the provider's redirect back is a cross-site top-level navigation, which
// Lax cookies still accompany (Strict ones do not).
func (s *Server) oidcFlowCookie() string {
	if s.cfg.IsProduction() {
		return "__Host-aw_oidc"
	}
	return "aw_oidc"
}

// signInProviders are the providers' buttons.
func (s *Server) signInProviders() []views.SignInProvider {
	if s.oidc == nil {
		return nil
	}
	var out []views.SignInProvider
	for _, p := range s.oidc.Providers() {
		out = append(out, views.SignInProvider{ID: p.ID, Name: p.Name})
	}
	return out
}

// oidcStart begins signing in (or up) with a provider. It is a POST with the CSRF token, so no
// other site can start a flow in this browser.
func (s *Server) oidcStart(c *fiber.Ctx) error {
	return s.beginFlow(c, auth.Flow{Intent: auth.IntentLogin, Next: safeNext(c.FormValue("next"))})
}

// oidcLinkStart begins linking a provider to the signed-in user. The flow remembers who asked and
// in which session, so only that session can finish it.
func (s *Server) oidcLinkStart(c *fiber.Ctx) error {
	u, sess := currentUser(c), currentSession(c)
	return s.beginFlow(c, auth.Flow{Intent: auth.IntentLink, Next: urls.Path(urls.SettingsSignIn), UserID: u.ID, Session: auth.Handle(sess)})
}

func (s *Server) beginFlow(c *fiber.Ctx, f auth.Flow) error {
	to, sealed, err := s.oidc.Begin(c.UserContext(), c.Params("provider"), f)
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: s.oidcFlowCookie(), Value: sealed, Path: "/", MaxAge: int(auth.FlowTTL / time.Second),
		HTTPOnly: true, Secure: s.cfg.IsProduction(), SameSite: fiber.CookieSameSiteLaxMode})
	return c.Redirect(to, fiber.StatusSeeOther)
}

// oidcCallback finishes a flow. The login page's limits apply here as to the password form (see
// login): a client that has failed too often there, or here, waits; here counts as failures what
// only a forged or replayed answer produces (a state or token that does not check out).
func (s *Server) oidcCallback(c *fiber.Ctx) error {
	ctx, ip, providerID := c.UserContext(), clientIPOf(c), c.Params("provider")
	guardKey := "oidc:" + providerID // the guard's "account": this provider's callback
	if err := s.loginGuard.Before(ctx, "login", guardKey, ip); err != nil {
		return err
	}
	sealed := c.Cookies(s.oidcFlowCookie())
	c.Cookie(&fiber.Cookie{Name: s.oidcFlowCookie(), Value: "", Path: "/", MaxAge: -1, HTTPOnly: true,
		Secure: s.cfg.IsProduction(), SameSite: fiber.CookieSameSiteLaxMode}) // a flow is finished once
	ident, flow, err := s.oidc.Finish(ctx, providerID, sealed, auth.Callback{
		State: c.Query("state"), Code: c.Query("code"), Error: c.Query("error")})
	if err != nil {
		if e, ok := apperr.As(err); ok && (e.Code == "oidc_state" || e.Code == "oidc_failed") {
			if ferr := s.loginGuard.Failed(ctx, "login", guardKey, ip); ferr != nil {
				return ferr
			}
		}
		return s.oidcRefused(c, flow, err)
	}
	_ = s.loginGuard.Succeeded(ctx, "login", guardKey, ip)

	if flow.Intent == auth.IntentLink {
		return s.finishLink(c, flow, ident)
	}
	u, created, err := s.accounts.SignInWithIdentity(ctx, ident)
	if err != nil {
		return s.oidcRefused(c, flow, err)
	}
	if err := s.signIn(c, u); err != nil {
		return err
	}
	if created {
		s.flash(c, "success", "Welcome! Your account is ready, with a paper trading account to practise on.")
	} else {
		_ = s.accounts.RecordLogin(ctx, u.ID)
	}
	return c.Redirect(safeNext(flow.Next), fiber.StatusSeeOther)
}

// finishLink links the identity to the user who started the flow, in the session that started
// it; anyone else (signed out since, or another account in this browser) is refused.
func (s *Server) finishLink(c *fiber.Ctx, flow auth.Flow, ident *auth.Identity) error {
	u, sess := currentUser(c), currentSession(c)
	if u == nil || sess == nil || u.ID != flow.UserID || auth.Handle(sess) != flow.Session {
		return s.oidcRefused(c, flow, apperr.New(apperr.KindUnauthenticated, "oidc_state",
			"Linking could not be finished: you are no longer signed in as the person who started it. Log in and try again."))
	}
	if err := s.accounts.LinkIdentity(c.UserContext(), u.ID, ident); err != nil {
		return s.oidcRefused(c, flow, err)
	}
	s.flash(c, "success", ident.ProviderName+" is linked: you can now log in with it.")
	return c.Redirect(urls.Path(urls.SettingsSignIn), fiber.StatusSeeOther)
}

// oidcRefused shows a refusal where the person started: the settings page for a link, else the
// login page. Only refusals (apperr) are shown; anything else goes to the central error handler.
func (s *Server) oidcRefused(c *fiber.Ctx, flow auth.Flow, err error) error {
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.KindUnavailable || e.Kind == apperr.KindRateLimited {
		return err
	}
	s.flash(c, "error", e.Message)
	if flow.Intent == auth.IntentLink && currentUser(c) != nil {
		return c.Redirect(urls.Path(urls.SettingsSignIn), fiber.StatusSeeOther)
	}
	return c.Redirect(urls.Path(urls.Login), fiber.StatusSeeOther)
}

// signInMethodsPage lists the password and linked identities, with link and unlink buttons.
func (s *Server) signInMethodsPage(c *fiber.Ctx) error {
	if len(s.signInProviders()) == 0 {
		return fiber.ErrNotFound // no provider configured: the page does not exist
	}
	u := currentUser(c)
	m, err := s.accounts.SignInMethodsOf(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	v := views.SignInMethodsView{HasPassword: m.HasPassword, CanUnlink: m.Count() > 1, Location: userLocation(u)}
	for _, id := range m.Identities {
		v.Identities = append(v.Identities, views.IdentityRow{ID: id.ID, ProviderName: s.providerName(id),
			Email: id.Email, LinkedAt: id.CreatedAt, LastUsedAt: id.LastUsedAt})
	}
	return render(c, views.SignInMethodsPage(s.page(c, "Sign-in methods"), v))
}

// providerName names an identity's provider; one no longer configured is named by its issuer.
func (s *Server) providerName(id models.UserIdentity) string {
	if p, ok := s.oidc.Provider(id.Provider); ok && p.Issuer == id.Issuer {
		return p.Name
	}
	return id.Issuer
}

// unlinkIdentity removes one of the user's identities, never their last way to sign in.
func (s *Server) unlinkIdentity(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	err = s.accounts.UnlinkIdentity(c.UserContext(), currentUser(c).ID, id)
	var e *apperr.Error
	switch {
	case errors.As(err, &e):
		s.flash(c, "error", e.Message)
	case err != nil:
		return err
	default:
		s.flash(c, "success", "Unlinked. That provider can no longer be used to log in to this account.")
	}
	return redirectAfterPost(c, urls.Path(urls.SettingsSignIn))
}
