package app

import (
	"net/http"
	_ "net/http/pprof" // TEMPORARY: removed before handing back
	"os"
)

func init() {
	if a := os.Getenv("WS_PPROF"); a != "" {
		go func() { _ = http.ListenAndServe(a, nil) }()
	}
}
