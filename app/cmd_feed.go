package app

import (
	"context"

	"alpacawrapper/config"
)

// runFeedCommand is `alpacawrapper feed`: only the market feed and the matcher, for deployments
// that run them apart from the web processes (the Procfile's feed line). Any number may run: one is
// elected to stream and match, the others stand by to take over.
func runFeedCommand(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlags(cio, "feed", "", "Run only the market-data feed and the order matcher (no web server, no jobs).\n"+
		"One feed process is elected at a time; the others stand by.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return serve(ctx, cio, []config.Role{config.RoleFeed})
}
