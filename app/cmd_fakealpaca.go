package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"alpacawrapper/market/alpacafake"
	"alpacawrapper/market/sim"
)

func runFakeAlpaca(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlags(cio, "fakealpaca", "[flags]",
		"Serve a local stand-in for Alpaca's trading REST, market-data REST and streams, backed by the\n"+
			"simulated market, for developing and testing the Alpaca code path offline. Point the app at it\n"+
			"with the ALPACA_* variables this command prints.")
	addr := fs.String("addr", "127.0.0.1:8081", "address to listen on")
	key := fs.String("key", "PKFAKEALPACA00000000", "API key id clients must send")
	secret := fs.String("secret", "fake-alpaca-secret-for-local-development", "API secret clients must send")
	seed := fs.Int64("seed", 1, "seed of the simulated market behind it")
	alwaysOpen := fs.Bool("always-open", false, "let the simulated stock market trade around the clock")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	log := newLogger(cfg, cio.stderr)
	base := "http://" + *addr
	fmt.Fprintf(cio.stdout, "ALPACA_API_KEY_ID=%s\nALPACA_API_SECRET_KEY=%s\nALPACA_TRADING_URL=%s\nALPACA_DATA_URL=%s\n"+
		"ALPACA_STREAM_URL=%s/v2\nALPACA_CRYPTO_STREAM_URL=%s/v1beta3/crypto\n", *key, *secret, base, base, base, base)
	log.Info("fake Alpaca listening", slog.String("url", base))
	return alpacafake.ListenAndServe(ctx, *addr, alpacafake.Options{
		KeyID: *key, SecretKey: *secret, Logger: log, AutoPublish: 500 * time.Millisecond,
		Data: sim.New(sim.Options{Seed: *seed, AlwaysOpen: *alwaysOpen}),
	})
}
