package alpacafake_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata/stream"

	"alpacawrapper/internal/testwait"
	"alpacawrapper/market/alpacafake"
)

const (
	testKey    = "PKTESTKEY"
	testSecret = "test-secret"
)

// startServer runs a fake with the test provider (unless opts.Data is set) and the test
// credentials, closed when the test ends.
func startServer(t *testing.T, opts alpacafake.Options) *alpacafake.Server {
	t.Helper()
	if opts.Data == nil {
		opts.Data = &testProvider{}
	}
	opts.KeyID, opts.SecretKey = testKey, testSecret
	srv := alpacafake.New(opts)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// sdkLogger keeps what the SDK logs, safely after the test too (the SDK logs from its goroutines).
type sdkLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *sdkLogger) add(level, format string, v ...interface{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, level+" "+fmt.Sprintf(format, v...))
}
func (l *sdkLogger) Infof(format string, v ...interface{})  { l.add("INFO", format, v...) }
func (l *sdkLogger) Warnf(format string, v ...interface{})  { l.add("WARN", format, v...) }
func (l *sdkLogger) Errorf(format string, v ...interface{}) { l.add("ERROR", format, v...) }

// contains reports whether some logged line contains s.
func (l *sdkLogger) contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

// stockClient is the SDK's stock stream client pointed at the fake's IEX feed.
func stockClient(srv *alpacafake.Server, log stream.Logger, opts ...stream.StockOption) *stream.StocksClient {
	base := []stream.StockOption{
		stream.WithBaseURL(srv.URL() + "/v2"),
		stream.WithCredentials(testKey, testSecret),
		stream.WithLogger(log),
	}
	return stream.NewStocksClient(marketdata.IEX, append(base, opts...)...)
}

// connect connects the client with a context cancelled at the end of the test, and waits for the
// client to stop then.
func connect(t *testing.T, c interface {
	Connect(context.Context) error
	Terminated() <-chan error
}) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if err := c.Connect(ctx); err != nil {
		cancel()
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-c.Terminated():
		case <-time.After(5 * time.Second):
			t.Error("SDK client did not stop")
		}
	})
}

// eventually polls cond until it holds or the wait is over.
func eventually(t *testing.T, wait time.Duration, what string, cond func() bool) {
	t.Helper()
	testwait.Until(t, wait, what, cond)
}

// receive waits for one value on ch.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}

// tradingClient and dataClient are the SDK's REST clients pointed at the fake.
func tradingClient(srv *alpacafake.Server) *alpaca.Client {
	return alpaca.NewClient(alpaca.ClientOpts{BaseURL: srv.URL(), APIKey: testKey, APISecret: testSecret, RetryLimit: -1})
}

func dataClient(srv *alpacafake.Server) *marketdata.Client {
	return marketdata.NewClient(marketdata.ClientOpts{BaseURL: srv.URL(), APIKey: testKey, APISecret: testSecret, RetryLimit: 1, RetryDelay: time.Millisecond})
}
