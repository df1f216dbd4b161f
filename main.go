// Command alpacawrapper is the whole application in one binary: web server, job workers and the
// operator's tools. Run it with no arguments to serve; `alpacawrapper help` lists the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"alpacawrapper/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
