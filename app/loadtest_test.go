package app

import (
	"io"
	"log/slog"
	"net"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// TestLoadPublicPages measures guest pages under load, side by side with a bare Fiber handler in
// the same run, over real loopback sockets: the numbers of docs/BENCHMARKS.md ("Guest pages under
// load"). It runs only with LOADTEST=1 (LOADTEST_SECONDS per path, default 5;
// LOADTEST_CONNS connections, default 32), since it saturates the machine. Like wrk, it asks for
// no compression unless LOADTEST_GZIP=1; LOADTEST_CPUPROFILE=file writes a CPU profile.
func TestLoadPublicPages(t *testing.T) {
	if os.Getenv("LOADTEST") != "1" {
		t.Skip("set LOADTEST=1 to run the load measurement")
	}
	seconds, _ := strconv.Atoi(os.Getenv("LOADTEST_SECONDS"))
	conns, _ := strconv.Atoi(os.Getenv("LOADTEST_CONNS"))
	dur := time.Duration(max(seconds, 5)) * time.Second
	conns = max(conns, 32)

	a := newTestApp(t, nil)
	a.srv.log = slog.New(slog.NewTextHandler(io.Discard, nil)) // no per-request log lines kept, as in production at its default level
	seedSimAssets(t, a)
	appURL := serveOn(t, a.srv.Handler())

	bare := fiber.New(fiber.Config{DisableStartupMessage: true})
	bare.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
	bareURL := serveOn(t, bare)

	targets := []struct{ name, url string }{
		{"bare Fiber handler", bareURL + "/"},
		{"/ (guest landing)", appURL + "/"},
		{"/markets (guest)", appURL + "/markets"},
		{"/instruments?q=ap", appURL + "/instruments?q=ap"},
	}
	if path := os.Getenv("LOADTEST_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	for _, tg := range targets {
		rps, p50, p99, errs := load(tg.url, conns, dur)
		t.Logf("| %s | %.0f | %.2f | %.2f | %d |", tg.name, rps, ms(p50), ms(p99), errs)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// serveOn serves app on a loopback port until the test ends and returns its base URL.
func serveOn(t *testing.T, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return "http://" + ln.Addr().String()
}

// load sends GETs to url from conns keep-alive connections for dur and reports the rate, the
// median and 99th-percentile latency, and the number of failed or non-200 answers.
func load(url string, conns int, dur time.Duration) (rps float64, p50, p99 time.Duration, errs int) {
	client := &fasthttp.Client{MaxConnsPerHost: conns, ReadTimeout: 10 * time.Second}
	var mu sync.Mutex
	var lat []time.Duration
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI(url)
			if os.Getenv("LOADTEST_GZIP") == "1" {
				req.Header.Set("Accept-Encoding", "gzip")
			}
			var mine []time.Duration
			bad := 0
			for time.Now().Before(deadline) {
				start := time.Now()
				err := client.Do(req, resp)
				if err != nil || resp.StatusCode() != 200 {
					bad++
					continue
				}
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(lat) == 0 {
		return 0, 0, 0, errs
	}
	slices.Sort(lat)
	return float64(len(lat)) / dur.Seconds(), lat[len(lat)/2], lat[len(lat)*99/100], errs
}
