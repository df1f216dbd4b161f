package ratelimit

import (
	"context"
	"time"
)

// LoginGuard slows password guessing without letting anyone lock a person out of their account.
// It counts failures, not attempts, in three ways:
//
//   - per client (IP address, IPv6 by /64), over every account: a client that has failed
//     PerClient.Limit times in a window (guessing across many accounts) is refused until the
//     window ends;
//   - per account and client: after a few free failures the client waits 1 s, 2 s, 4 s, … (up to
//     15 minutes) between attempts on that account;
//   - per account, over every client: beyond PerClient.Limit failures from anywhere, every client
//     that has itself failed on the account waits as well, so guessing spread over many
//     addresses slows down too.
//
// A client that has not failed is never refused: the right password from a person's own device
// works however many wrong ones others sent (the old per-account limit let anyone lock anyone out
// with ten wrong passwords).
type LoginGuard struct {
	l         *Limiter
	secret    []byte
	perClient Rule
	pair      Backoff
	account   Backoff
}

// NewLoginGuard returns a guard counting in l's table. perClient is the configured RATE_LIMIT_AUTH
// rule: how many failures one client may have in a window, and how many failures an account
// absorbs from all clients before they are slowed down. secret keys the account keys (AccountKey).
func NewLoginGuard(l *Limiter, perClient Rule, secret []byte) *LoginGuard {
	return &LoginGuard{
		l: l, perClient: perClient, secret: secret,
		pair:    Backoff{Free: 3, Base: time.Second, Max: 15 * time.Minute, Forget: time.Hour},
		account: Backoff{Free: perClient.Limit, Base: time.Second, Max: 15 * time.Minute, Forget: time.Hour},
	}
}

// keys are the counters of an attempt: action, e.g. "login", for email from ip.
func (g *LoginGuard) keys(action, email, ip string) (client, pair, account string) {
	account = AccountKey(g.secret, action+":fail", email)
	client = IPKey(action+":fail", ip)
	return client, account + ":" + client, account
}

// Before refuses (KindRateLimited, with the wait) an attempt that must wait; call it before the
// password is checked, so a refused attempt costs no hashing.
func (g *LoginGuard) Before(ctx context.Context, action, email, ip string) error {
	client, pair, account := g.keys(action, email, ip)
	res, err := g.l.Check(ctx, client, g.perClient)
	if err != nil {
		return err
	}
	if !res.Allowed {
		return tooMany(res.RetryAfter)
	}
	failed, wait, err := g.l.Wait(ctx, pair, g.pair)
	if err != nil || failed == 0 {
		return err // a client that has not failed on this account is never held back
	}
	_, accountWait, err := g.l.Wait(ctx, account, g.account)
	if err != nil {
		return err
	}
	if wait = max(wait, accountWait); wait > 0 {
		return tooMany(wait)
	}
	return nil
}

// Failed counts a wrong password.
func (g *LoginGuard) Failed(ctx context.Context, action, email, ip string) error {
	client, pair, account := g.keys(action, email, ip)
	if _, err := g.l.Hit(ctx, client, g.perClient); err != nil {
		return err
	}
	if _, err := g.l.Fail(ctx, pair, g.pair); err != nil {
		return err
	}
	_, err := g.l.Fail(ctx, account, g.account)
	return err
}

// Succeeded forgets the account's failures: a person who got in is not an attacker on their
// account, and their own typos must not slow their next login. The client's count across
// accounts stays.
func (g *LoginGuard) Succeeded(ctx context.Context, action, email, ip string) error {
	_, pair, account := g.keys(action, email, ip)
	if err := g.l.Reset(ctx, pair); err != nil {
		return err
	}
	return g.l.Reset(ctx, account)
}
