package app

import (
	"context"
	"net/http"
	"testing"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"

	"alpacawrapper/market/sim"
	"alpacawrapper/models"
	"alpacawrapper/trading"
)

// botApp is a test app serving the Alpaca-compatible API on a real port, with an always-open
// simulated market (market orders fill at once), its catalogue synced, and two people who each
// hold an API key on their $100,000 sign-up account.
type botApp struct {
	*testApp
	url        string
	alice, bob *models.User
	aliceKey   botKey
	bobKey     botKey
}

// botKey is an API key as a bot holds it.
type botKey struct {
	ID, KeyID, Secret string
	RowID             int64
	AccountID         int64
}

// newBotApp builds the app; vars override environment variables (RATE_LIMIT_BOT_API defaults to
// a limit no test reaches unless it sets its own).
func newBotApp(t *testing.T, vars map[string]string) *botApp {
	t.Helper()
	env := map[string]string{"SIM_ALWAYS_OPEN": "true", "RATE_LIMIT_BOT_API": "100000/1m"}
	for k, v := range vars {
		env[k] = v
	}
	a := newTestAppWith(t, testAppOptions{vars: env, provider: sim.New(sim.Options{Seed: 7, AlwaysOpen: true})})
	seedSimAssets(t, a)
	b := &botApp{testApp: a, alice: a.createUser("alice@example.com", goodPassword), bob: a.createUser("bob@example.com", goodPassword)}
	b.aliceKey = b.newKey(b.alice, 0)
	b.bobKey = b.newKey(b.bob, 0)
	b.url = serveLive(t, a)
	return b
}

// newKey makes an API key for u on one of their accounts (0: the primary one).
func (b *botApp) newKey(u *models.User, accountID int64) botKey {
	b.t.Helper()
	k, err := b.svc.APIKeys.CreateFor(context.Background(), u.ID, accountID, "bot")
	if err != nil {
		b.t.Fatal(err)
	}
	out := botKey{KeyID: k.KeyID, Secret: k.Secret, RowID: k.ID, AccountID: accountID}
	if accountID == 0 {
		accts, err := b.svc.Trading.Accounts(context.Background(), u.ID)
		if err != nil || len(accts) == 0 {
			b.t.Fatalf("accounts of %s: %v", u.Email, err)
		}
		out.AccountID = accts[0].ID
	}
	return out
}

// client is the official Go SDK's trading client for a key, pointed at the app, with its 429
// retries off so a test sees the app's answer.
func (b *botApp) client(k botKey) *alpaca.Client {
	return alpaca.NewClient(alpaca.ClientOpts{APIKey: k.KeyID, APISecret: k.Secret, BaseURL: b.url, RetryLimit: -1,
		HTTPClient: &http.Client{}})
}

// openAccountInput is a $100,000 account with the default settings.
func openAccountInput(name string) trading.NewAccount {
	return trading.NewAccount{Name: name, StartingCash: trading.DefaultStartingCash, Settings: trading.DefaultSettings()}
}

// account is the id of u's primary account.
func (b *botApp) account(u *models.User) int64 {
	b.t.Helper()
	accts, err := b.svc.Trading.Accounts(context.Background(), u.ID)
	if err != nil || len(accts) == 0 {
		b.t.Fatalf("accounts of %s: %v", u.Email, err)
	}
	return accts[0].ID
}
