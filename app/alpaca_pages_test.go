package app

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
)

func TestAPIKeyPageBindsTheKeyToTheChosenAccount(t *testing.T) {
	t.Parallel()
	b := newBotApp(t, nil)
	second, err := b.svc.Trading.OpenAccount(context.Background(), b.db.Gorm, b.alice.ID, openAccountInput("Swing"))
	if err != nil {
		t.Fatal(err)
	}
	br := b.browser()
	br.login(b.alice.Email, goodPassword)
	_, page := br.get("/settings/api-keys")
	if !strings.Contains(page, `name="account"`) || !strings.Contains(page, ">Swing</option>") || !strings.Contains(page, `href="/bots"`) {
		t.Fatal("the API keys page offers no choice of account or no link to the bot page")
	}
	resp, body := br.post("/settings/api-keys", url.Values{"label": {"swing bot"}, "account": {strconv.FormatInt(second.ID, 10)}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create key = %d", resp.StatusCode)
	}
	keyID := regexp.MustCompile(`PK[A-Z0-9]{18}`).FindString(body)
	secret := regexp.MustCompile(`data-testid="new-key-secret"[^>]*>([A-Za-z0-9]{40})<`).FindStringSubmatch(body)
	if keyID == "" || secret == nil {
		t.Fatal("no new key on the page")
	}
	if !strings.Contains(body, "Trades Swing") {
		t.Error("the key list does not say which account the key trades")
	}
	acct, err := b.client(botKey{KeyID: keyID, Secret: secret[1]}).GetAccount()
	if err != nil || acct.AccountNumber != second.Number {
		t.Fatalf("the new key trades %v (%v), want the chosen account %s", acct, err, second.Number)
	}
	// Bob's account cannot be chosen.
	bobs := b.account(b.bob)
	resp, body = br.post("/settings/api-keys", url.Values{"label": {"sneaky"}, "account": {strconv.FormatInt(bobs, 10)}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose one of your paper accounts") {
		t.Fatalf("a key on another person's account = %d", resp.StatusCode)
	}
}

func TestBotPageShowsSetUpForThisServer(t *testing.T) {
	t.Parallel()
	b := newBotApp(t, nil)
	resp, body := b.browser().get("/bots")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /bots = %d", resp.StatusCode)
	}
	for _, want := range []string{"http://app.test", "alpaca.NewClient", "TradingClient(", "trading.Configuration", "100000 requests per minute",
		"RetryLimit: -1", "What differs from Alpaca", `data-testid="footer-bots"`, "ws://app.test/v2/test", "historical bars, trades and quotes",
		"One key may hold 8 data streams"} {
		if !strings.Contains(body, want) {
			t.Errorf("the bot page lacks %q", want)
		}
	}
	// The reset it documents keeps the key working.
	cl := b.client(b.aliceKey)
	if _, err := cl.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "AAPL", Qty: dec("1"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, b.url+"/v2/account/reset", strings.NewReader(`{"cash":"50000"}`))
	req.Header.Set("APCA-API-KEY-ID", b.aliceKey.KeyID)
	req.Header.Set("APCA-API-SECRET-KEY", b.aliceKey.Secret)
	r, err := http.DefaultClient.Do(req)
	if err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("reset = %v, %v", r, err)
	}
	acct, err := cl.GetAccount()
	if err != nil || acct.Cash.String() != "50000" {
		t.Fatalf("after reset the key sees %v, %v", acct, err)
	}
	if positions, _ := cl.GetPositions(); len(positions) != 0 {
		t.Fatalf("positions after reset = %d", len(positions))
	}
}
