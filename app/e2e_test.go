package app

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"alpacawrapper/auth"
	"alpacawrapper/config"
	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/internal/testwait"
	"alpacawrapper/models"
)

// chromiumPath is Debian's Chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// liveApp is the whole application serving on a real port with its job workers running, as a person
// would meet it: e-mail goes through River to the development mailer, which writes it to the log.
type liveApp struct {
	base string
	logs *syncBuffer
	svc  *Services
}

// liveOptions add to the live app: extra environment variables, and the market feed (the
// simulated market streaming, with its catalogue synced first so pages can find symbols).
type liveOptions struct {
	vars map[string]string
	feed bool
}

func startLiveApp(t *testing.T, o liveOptions) *liveApp {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	env := map[string]string{"APP_ENV": "test", "DATABASE_URL": "postgres://unused/app", "DATA_DIR": t.TempDir(),
		"BASE_URL": base, "RATE_LIMIT_AUTH": "100/1m"}
	for k, v := range o.vars {
		env[k] = v
	}
	cfg, err := config.Load(func(n string) (string, bool) { v, ok := env[n]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	db := dbtest.DB(t)
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	svc, err := NewServices(cfg, db, log, ServicesOptions{Hasher: auth.NewFastHasher()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	feedDone := make(chan struct{})
	if o.feed {
		// The catalogue, as the sync_assets job would load it: done here so the test does not
		// depend on when River gets round to the periodic job.
		assets, err := svc.Market.Provider.Assets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.UpsertAssets(ctx, db.Gorm, assets, time.Now()); err != nil {
			t.Fatal(err)
		}
		// And the starter watchlists that job makes after it, as on a fresh install.
		if _, err := svc.Watchlists.SeedStarterLists(ctx); err != nil {
			t.Fatal(err)
		}
		go func() { defer close(feedDone); runFeed(ctx, svc, log) }()
	} else {
		close(feedDone)
	}
	if err := svc.River.Start(ctx); err != nil {
		t.Fatal(err)
	}
	migrator, _ := database.NewMigrator(db.SQL, nil)
	srv := NewServer(ServerDeps{Config: cfg, Logger: log, Version: "e2e", Ready: readiness{db, migrator}, Services: svc})
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		stop, stopCancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer stopCancel()
		_ = srv.Shutdown(stop)
		cancel()
		<-feedDone
		_ = svc.River.Stop(stop)
	})
	return &liveApp{base: base, logs: logs, svc: svc}
}

// newBrowser starts headless Chromium with the flags this sandbox needs (no sandbox as root, no
// background traffic to a network that is not there).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	return newBrowserWithin(t, 90*time.Second)
}

// newBrowserWithin is newBrowser for a test that may take up to d.
func newBrowserWithin(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are skipped with -short")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		// In CI a missing browser is a broken set-up, not a reason to pass without testing pages.
		if os.Getenv("CI") != "" {
			t.Fatalf("Chromium is not installed at %s (CI is set; .ci/run installs it)", chromiumPath)
		}
		t.Skip("Chromium is not installed (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 900))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, d)
	t.Cleanup(cancelTimeout)
	return ctx
}

// screenshot saves the page as a test artefact under artifacts/ (not committed).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 gives PNG, less gives JPEG
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	dir := filepath.Join("..", "artifacts", "screenshots")
	_ = os.MkdirAll(dir, 0o755)
	_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

// waitText waits until the page body contains text, across navigations (a poll is cut short when
// the page it runs in goes away, so it starts again on the new page).
func waitText(ctx context.Context, text string) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body && document.body.innerText.includes(`+jsString(text)+`)`,
			chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond) // a navigation interrupted the poll: retry it; the loop ends on the text appearing
	}
}

func jsString(s string) string {
	return `"` + regexp.MustCompile(`["\\]`).ReplaceAllString(s, `\$0`) + `"`
}

var verifyLink = regexp.MustCompile(`/verify\?token=[A-Za-z0-9_-]+`)

func TestBrowserAccountJourney(t *testing.T) {
	ctx := newBrowser(t)
	app := startLiveApp(t, liveOptions{})
	const email, first, second = "ada@example.com", "correct horse battery", "a better passphrase 2026"
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			screenshot(t, ctx, "failed-"+name)
			t.Fatalf("%s: %v", name, err)
		}
	}

	step("sign up",
		chromedp.Navigate(app.base+"/signup"),
		chromedp.WaitVisible(css(`#signup-form`)),
		chromedp.SendKeys(css(`#signup-form input[name="name"]`), "Ada Lovelace"),
		chromedp.SendKeys(css(`#signup-form input[name="email"]`), email),
		chromedp.SendKeys(css(`#signup-form input[name="password"]`), first),
		chromedp.SendKeys(css(`#signup-form input[name="password_confirm"]`), first),
		chromedp.Click(css(`#signup-form input[name="accept_terms"]`)),
	)
	screenshot(t, ctx, "signup")
	step("submit sign-up", chromedp.Click(css(`[data-testid="submit-signup"]`)), chromedp.WaitVisible(css(`[data-testid="signup-done"]`)))
	screenshot(t, ctx, "signup-done")

	// The worker sends the confirmation through the development mailer, which logs it.
	var link string
	testwait.Until(t, 15*time.Second, "the confirmation mail in the development mailer's log", func() bool {
		link = verifyLink.FindString(app.logs.String())
		return link != ""
	})
	if link == "" {
		t.Fatal("no confirmation link in the development mailer's log")
	}
	// Opening the link confirms the address; logging in takes the page's button (a POST).
	step("verify", chromedp.Navigate(app.base+link), chromedp.WaitVisible(css(`[data-testid="verify-sign-in"]`)),
		chromedp.Click(css(`[data-testid="verify-sign-in"]`)), chromedp.WaitVisible(css(`[data-testid="verify-ok"]`)))
	screenshot(t, ctx, "verified")

	step("log out",
		chromedp.Click(css(`[data-testid="user-menu"] summary`)),
		chromedp.Click(css(`[data-testid="logout-form"] button`)),
		chromedp.WaitVisible(css(`[data-testid="login-link"]`)),
	)

	step("log in",
		chromedp.Navigate(app.base+"/login"),
		chromedp.WaitVisible(css(`#login-form`)),
		chromedp.SendKeys(css(`#login-form input[name="email"]`), email),
		chromedp.SendKeys(css(`#login-form input[name="password"]`), first),
		chromedp.Click(css(`[data-testid="submit-login"]`)),
		chromedp.WaitVisible(css(`[data-testid="user-menu"]`)),
	)

	step("change password",
		chromedp.Navigate(app.base+"/settings/password"),
		chromedp.WaitVisible(css(`#change-password-form`)),
		chromedp.SendKeys(css(`#change-password-form input[name="current_password"]`), "not my password"),
		chromedp.SendKeys(css(`#change-password-form input[name="password"]`), second),
		chromedp.SendKeys(css(`#change-password-form input[name="password_confirm"]`), second),
		chromedp.Click(css(`[data-testid="submit-change-password"]`)),
	)
	if err := waitText(ctx, "This is not your current password."); err != nil {
		screenshot(t, ctx, "failed-inline-error")
		t.Fatalf("inline error for a wrong current password: %v", err)
	}
	screenshot(t, ctx, "change-password-error")
	step("change password again",
		chromedp.SetValue(css(`#change-password-form input[name="current_password"]`), first),
		chromedp.SetValue(css(`#change-password-form input[name="password"]`), second),
		chromedp.SetValue(css(`#change-password-form input[name="password_confirm"]`), second),
		chromedp.Click(css(`[data-testid="submit-change-password"]`)),
	)
	if err := waitText(ctx, "Your password has been changed."); err != nil {
		screenshot(t, ctx, "failed-password-changed")
		t.Fatalf("password change: %v", err)
	}
	screenshot(t, ctx, "password-changed")

	step("log in with the new password",
		chromedp.Click(css(`[data-testid="user-menu"] summary`)),
		chromedp.Click(css(`[data-testid="logout-form"] button`)),
		chromedp.WaitVisible(css(`[data-testid="login-link"]`)),
		chromedp.Navigate(app.base+"/login"),
		chromedp.WaitVisible(css(`#login-form`)),
		chromedp.SendKeys(css(`#login-form input[name="email"]`), email),
		chromedp.SendKeys(css(`#login-form input[name="password"]`), second),
		chromedp.Click(css(`[data-testid="submit-login"]`)),
		chromedp.WaitVisible(css(`[data-testid="user-menu"]`)),
	)
	step("profile", chromedp.Navigate(app.base+"/settings/profile"), chromedp.WaitVisible(css(`[data-testid="email-verified"]`)))
	screenshot(t, ctx, "profile")
}
