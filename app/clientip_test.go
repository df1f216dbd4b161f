package app

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// headerTestPeer lets a test choose the socket peer: app.Test always connects from 0.0.0.0.
const headerTestPeer = "X-Test-Peer"

// clientIPApp answers every request with the client address withClientIP worked out.
func clientIPApp(t *testing.T, proxies ...string) *fiber.App {
	t.Helper()
	trusted, err := parseTrustedProxies(proxies)
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(func(c *fiber.Ctx) error {
		if peer := c.Get(headerTestPeer); peer != "" {
			c.Context().SetRemoteAddr(&net.TCPAddr{IP: net.ParseIP(peer), Port: 40000})
		}
		return c.Next()
	})
	app.Use(withClientIP(trusted))
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString(clientIPOf(c)) })
	return app
}

// askClientIP sends a request from peer with the given X-Forwarded-For lines and returns the
// client address the app saw.
func askClientIP(t *testing.T, app *fiber.App, peer string, forwardedFor ...string) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set(headerTestPeer, peer)
	for _, v := range forwardedFor {
		req.Header.Add(fiber.HeaderXForwardedFor, v)
	}
	resp, err := app.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

func TestClientIP(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		proxies      []string
		peer         string
		forwardedFor []string
		want         string
	}{
		{
			name: "no proxies configured: the header is ignored",
			peer: "203.0.113.7", forwardedFor: []string{"198.51.100.1"},
			want: "203.0.113.7",
		},
		{
			name:    "an untrusted peer's header is ignored",
			proxies: []string{"10.0.0.0/8"}, peer: "203.0.113.7", forwardedFor: []string{"198.51.100.1"},
			want: "203.0.113.7",
		},
		{
			name:    "a trusted peer without the header is the client",
			proxies: []string{"10.0.0.1"}, peer: "10.0.0.1",
			want: "10.0.0.1",
		},
		{
			name:    "a trusted proxy names the client",
			proxies: []string{"10.0.0.1"}, peer: "10.0.0.1", forwardedFor: []string{"198.51.100.1"},
			want: "198.51.100.1",
		},
		{
			name:    "the rightmost untrusted entry wins; spoofed entries to its left are ignored",
			proxies: []string{"10.0.0.0/8"}, peer: "10.0.0.1",
			forwardedFor: []string{"1.1.1.1, 127.0.0.1, 198.51.100.1, 10.0.0.2"},
			want:         "198.51.100.1",
		},
		{
			name:    "a client-sent header line before the proxy's own line is not believed",
			proxies: []string{"10.0.0.0/8"}, peer: "10.0.0.1",
			forwardedFor: []string{"6.6.6.6", "198.51.100.1, 10.0.0.2"},
			want:         "198.51.100.1",
		},
		{
			name:    "every entry trusted: the leftmost is the client",
			proxies: []string{"10.0.0.0/8"}, peer: "10.0.0.1",
			forwardedFor: []string{"10.0.0.3, 10.0.0.2"},
			want:         "10.0.0.3",
		},
		{
			name:    "malformed entries left of the client are skipped",
			proxies: []string{"10.0.0.0/8"}, peer: "10.0.0.1",
			forwardedFor: []string{"<script>, unknown, 198.51.100.1"},
			want:         "198.51.100.1",
		},
		{
			name:    "empty entries are skipped",
			proxies: []string{"10.0.0.0/8"}, peer: "10.0.0.1",
			forwardedFor: []string{"198.51.100.1,, 10.0.0.2 ,"},
			want:         "198.51.100.1",
		},
		{
			name:    "a malformed entry from a trusted hop ends the walk at that hop",
			proxies: []string{"10.0.0.0/8"}, peer: "10.0.0.1",
			forwardedFor: []string{"6.6.6.6, unknown, 10.0.0.2"},
			want:         "10.0.0.2",
		},
		{
			name:    "a malformed rightmost entry leaves the peer as the client",
			proxies: []string{"10.0.0.0/8"}, peer: "10.0.0.1",
			forwardedFor: []string{"6.6.6.6, unknown"},
			want:         "10.0.0.1",
		},
		{
			name:    "entries with ports",
			proxies: []string{"10.0.0.0/8"}, peer: "10.0.0.1",
			forwardedFor: []string{"198.51.100.1:5123, [2001:db8::9]:443, 10.0.0.2:80"},
			want:         "2001:db8::9",
		},
		{
			name:    "IPv6 peer and entries, written canonically",
			proxies: []string{"fd00::/8", "2001:db8::1"}, peer: "2001:db8::1",
			forwardedFor: []string{"2001:DB8:0:0:0:0:0:7, fd00::2"},
			want:         "2001:db8::7",
		},
		{
			name:    "an untrusted IPv6 peer",
			proxies: []string{"fd00::/8"}, peer: "2001:db8::5", forwardedFor: []string{"198.51.100.1"},
			want: "2001:db8::5",
		},
		{
			name:    "IPv4-mapped addresses match IPv4 ranges and are written as IPv4",
			proxies: []string{"10.0.0.0/8"}, peer: "::ffff:10.0.0.1",
			forwardedFor: []string{"::ffff:198.51.100.1"},
			want:         "198.51.100.1",
		},
		{
			name:    "a bracketed IPv6 entry without a port",
			proxies: []string{"10.0.0.0/8"}, peer: "10.0.0.1",
			forwardedFor: []string{"[2001:db8::9]"},
			want:         "2001:db8::9",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			app := clientIPApp(t, tc.proxies...)
			if got := askClientIP(t, app, tc.peer, tc.forwardedFor...); got != tc.want {
				t.Errorf("client IP = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestClientIPFromARealSocket checks the peer address comes from the connection itself, not from
// anything app.Test fakes.
func TestClientIPFromARealSocket(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		proxies []string
		want    string
	}{
		{name: "untrusted loopback peer", want: "127.0.0.1"},
		{name: "trusted loopback peer", proxies: []string{"127.0.0.1"}, want: "198.51.100.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			trusted, err := parseTrustedProxies(tc.proxies)
			if err != nil {
				t.Fatal(err)
			}
			app := fiber.New(fiber.Config{DisableStartupMessage: true})
			app.Use(withClientIP(trusted))
			app.Get("/", func(c *fiber.Ctx) error { return c.SendString(clientIPOf(c)) })
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			go func() { _ = app.Listener(ln) }()
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = app.ShutdownWithContext(ctx)
			})

			req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/", nil)
			req.Header.Set(fiber.HeaderXForwardedFor, "198.51.100.1")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if string(body) != tc.want {
				t.Errorf("client IP = %q, want %q", body, tc.want)
			}
		})
	}
}

func TestClientIPOfFallsBackToThePeer(t *testing.T) {
	t.Parallel()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString(clientIPOf(c)) })
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set(fiber.HeaderXForwardedFor, "198.51.100.1")
	resp, err := app.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if body, _ := io.ReadAll(resp.Body); string(body) != "0.0.0.0" { // app.Test's fake peer
		t.Errorf("client IP = %q, want the peer", body)
	}
}

func TestClientIPParseTrustedProxies(t *testing.T) {
	t.Parallel()
	t.Run("addresses become single-host networks", func(t *testing.T) {
		nets, err := parseTrustedProxies([]string{"10.0.0.1", "2001:db8::1", "::ffff:192.0.2.1", "10.0.0.0/8", " fd00::/8 "})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range nets {
			got = append(got, n.String())
		}
		want := "10.0.0.1/32 2001:db8::1/128 192.0.2.1/32 10.0.0.0/8 fd00::/8"
		if strings.Join(got, " ") != want {
			t.Errorf("got %v, want %s", got, want)
		}
	})
	t.Run("nothing configured trusts nobody", func(t *testing.T) {
		nets, err := parseTrustedProxies(nil)
		if err != nil || len(nets) != 0 {
			t.Errorf("got %v, %v", nets, err)
		}
	})
	t.Run("a bad entry is named", func(t *testing.T) {
		_, err := parseTrustedProxies([]string{"10.0.0.1", "proxy.internal"})
		if err == nil || !strings.HasPrefix(err.Error(), "app: ") || !strings.Contains(err.Error(), `"proxy.internal"`) {
			t.Errorf("err = %v", err)
		}
	})
}
