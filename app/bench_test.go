package app

import (
	"testing"

	"github.com/valyala/fasthttp"

	"alpacawrapper/config"
)

// benchmarkPath measures one GET through the whole middleware chain (request id, access log,
// recovery, security headers, compression) without the network, so the number is the server's own
// cost per request.
func benchmarkPath(b *testing.B, path string, gzip bool) {
	s, _ := setup(b, config.Production)
	handler := s.Handler().Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var ctx fasthttp.RequestCtx
		ctx.Request.SetRequestURI(path)
		if gzip {
			ctx.Request.Header.Set("Accept-Encoding", "gzip")
		}
		handler(&ctx)
		if ctx.Response.StatusCode() != 200 {
			b.Fatalf("status %d", ctx.Response.StatusCode())
		}
	}
}

func BenchmarkLandingPage(b *testing.B)        { benchmarkPath(b, "/", false) }
func BenchmarkLandingPageGzip(b *testing.B)    { benchmarkPath(b, "/", true) }
func BenchmarkHealthz(b *testing.B)            { benchmarkPath(b, "/healthz", false) }
func BenchmarkStaticCSSVersioned(b *testing.B) { benchmarkPath(b, "/static/css/app.css?v=1", true) }
