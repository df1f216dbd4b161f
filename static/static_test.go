package static

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"regexp"
	"testing"
)

func TestPathKnownFileHasContentHash(t *testing.T) {
	b, err := fs.ReadFile(FS(), "css/app.css")
	if err != nil {
		t.Fatalf("read embedded css/app.css: %v", err)
	}
	sum := sha256.Sum256(b)
	want := "/static/css/app.css?v=" + hex.EncodeToString(sum[:])[:10]
	if got := Path("css/app.css"); got != want {
		t.Fatalf("Path(css/app.css) = %q, want %q", got, want)
	}
}

func TestPathFormatForAllEmbeddedFiles(t *testing.T) {
	re := regexp.MustCompile(`^/static/[a-z0-9._/-]+\?v=[0-9a-f]{10}$`)
	n := 0
	err := fs.WalkDir(FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		if got := Path(name); !re.MatchString(got) {
			t.Errorf("Path(%q) = %q, does not match %s", name, got, re)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no embedded files")
	}
}

func TestPathNormalisesPrefixes(t *testing.T) {
	want := Path("js/app.js")
	for _, in := range []string{"/js/app.js", "static/js/app.js", "/static/js/app.js"} {
		if got := Path(in); got != want {
			t.Errorf("Path(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPathUnknownFile(t *testing.T) {
	for in, want := range map[string]string{
		"nope.css":       "/static/nope.css",
		"css/missing.js": "/static/css/missing.js",
		"":               "/static/",
		"css":            "/static/css", // a directory is not a file
	} {
		if got := Path(in); got != want {
			t.Errorf("Path(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPathIsStable(t *testing.T) {
	if a, b := Path("js/htmx.min.js"), Path("js/htmx.min.js"); a != b {
		t.Fatalf("Path not stable: %q vs %q", a, b)
	}
}

func TestRequiredAssetsEmbedded(t *testing.T) {
	for _, name := range []string{
		"css/app.css",
		"js/app.js",
		"js/theme.js",
		"js/htmx.min.js",
		"js/htmx-ext-ws.min.js",
		"js/lightweight-charts.standalone.production.js",
		"img/logo.svg",
		"img/favicon.svg",
	} {
		if _, err := fs.Stat(FS(), name); err != nil {
			t.Errorf("%s not embedded: %v", name, err)
		}
	}
}
