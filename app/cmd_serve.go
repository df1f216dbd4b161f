package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"time"

	"alpacawrapper/config"
	"alpacawrapper/database"
	"alpacawrapper/mail"
)

func runServe(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlags(cio, "serve", "[flags]",
		"Run the web server and the job workers in one process (the default command).\n"+
			"ROLES=web or ROLES=worker runs only one part, for deployments that split them.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return serve(ctx, cio, nil)
}

func runWorker(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlags(cio, "worker", "", "Run only the background job workers (no web server).")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return serve(ctx, cio, []config.Role{config.RoleWorker})
}

// serve runs the roles the configuration asks for (or the given ones) until ctx is cancelled by
// SIGINT or SIGTERM, then drains: HTTP first (no new work arrives), then River (running jobs finish
// or are handed back), then the database.
func serve(ctx context.Context, cio cmdIO, roles []config.Role) error {
	started := time.Now()
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if roles != nil {
		cfg.Roles = roles
	}
	// Take the port first: if it is in use, say so before anything else has started (the embedded
	// database's initdb and start take seconds).
	var ln net.Listener
	if cfg.HasRole(config.RoleWeb) {
		if ln, err = listen(cfg); err != nil {
			return err
		}
		defer ln.Close()
	}
	b, err := bootWith(ctx, cio, cfg)
	if err != nil {
		return err
	}
	defer b.close()
	log := b.log
	if b.cfg.MigrateOnStart {
		if err := migrateUp(ctx, b); err != nil {
			return err
		}
	}

	if b.cfg.HasRole(config.RoleWeb) && !b.cfg.MigrateOnStart {
		// Pictures an earlier version left on this machine's disk (MIGRATE_ON_START moved them
		// already). A failure costs those pictures until the next start, not the start itself.
		if err := moveAvatarFiles(ctx, b); err != nil {
			log.Warn("avatars left on disk", slog.Any("error", err))
		}
	}

	svc, err := NewServices(b.cfg, b.db, log, ServicesOptions{})
	if err != nil {
		return err
	}
	riverClient := svc.River
	if b.cfg.HasRole(config.RoleWorker) {
		// Not ctx: River treats the end of its start context as a hard stop that cancels running
		// jobs at once. The signal must instead start the graceful drain in stopRiver below.
		if err := riverClient.Start(context.WithoutCancel(ctx)); err != nil {
			return fmt.Errorf("start job workers: %w", err)
		}
		log.Info("job workers started", slog.Int("concurrency", b.cfg.WorkerConcurrency))
	}

	feedDone := make(chan struct{})
	if b.cfg.HasRole(config.RoleFeed) {
		feedCtx, stopFeed := context.WithCancel(ctx)
		defer stopFeed()
		go func() { defer close(feedDone); runFeed(feedCtx, svc, log) }()
	} else {
		close(feedDone)
	}

	relayDone := make(chan struct{})
	if b.cfg.HasRole(config.RoleWeb) {
		go func() { defer close(relayDone); runRelayClient(ctx, svc.Feed) }()
	} else {
		close(relayDone)
	}

	var srv *Server
	serveErr := make(chan error, 1)
	if ln != nil {
		migrator, err := database.NewMigrator(b.db.SQL, log)
		if err != nil {
			stopRiver(b, riverClient)
			return err
		}
		srv = NewServer(ServerDeps{Config: b.cfg, Logger: log, Version: Version(), Ready: readiness{b.db, migrator}, Services: svc})
		go func() { serveErr <- srv.Serve(ln) }()
		log.Info("listening", slog.String("url", "http://"+ln.Addr().String()), slog.String("env", string(b.cfg.Env)))
	}

	// The heartbeat tells the status page this process runs; it deletes its row when ctx ends.
	heartbeatCtx, stopHeartbeat := context.WithCancel(ctx)
	heartbeatDone := make(chan struct{})
	go func() { defer close(heartbeatDone); newHeartbeat(b, svc, srv, started).Run(heartbeatCtx) }()
	// Before the database closes (deferred earlier, so run later), on every way out.
	defer func() { stopHeartbeat(); <-heartbeatDone }()

	select {
	case <-ctx.Done():
		log.Info("shutting down", slog.Duration("timeout", b.cfg.ShutdownTimeout))
	case err := <-serveErr:
		stopRiver(b, riverClient)
		return fmt.Errorf("web server: %w", err)
	}

	// One deadline for the whole drain: SHUTDOWN_TIMEOUT is what a process manager is told to wait.
	drainCtx, cancelDrain := context.WithTimeout(context.Background(), b.cfg.ShutdownTimeout)
	defer cancelDrain()
	// Closing the hub first ends every live connection (close code 1001): the HTTP drain below does
	// not wait on upgraded WebSockets, which would otherwise outlive it.
	svc.Market.Hub.Close()
	if srv != nil {
		if err := srv.Shutdown(drainCtx); err != nil {
			log.Warn("http drain incomplete", slog.Any("error", err))
		}
	}
	stopRiverBy(drainCtx, b, riverClient)
	svc.Trading.Updates().Close()
	svc.APIKeys.Close()
	// The feed stops with ctx; wait for it so the last live candles are written before the database
	// closes.
	select {
	case <-feedDone:
	case <-drainCtx.Done():
		log.Warn("market feed did not stop in time")
	}
	select {
	case <-relayDone:
	case <-drainCtx.Done():
	}
	log.Info("stopped")
	return nil
}

// listen opens the web port before anything is served, so "port in use" is a one-line error
// rather than a failure in a goroutine.
func listen(cfg config.Config) (net.Listener, error) {
	ln, err := net.Listen("tcp", cfg.Addr())
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("cannot listen on %s: the port is already in use (stop the other process or set PORT)", cfg.Addr())
	case err != nil:
		return nil, fmt.Errorf("cannot listen on %s: %s (check HOST and PORT)", cfg.Addr(), strings.TrimPrefix(err.Error(), "listen tcp "+cfg.Addr()+": "))
	}
	return ln, nil
}

// newMailer picks SMTP when configured and the log otherwise (configuration forbids the log in
// production).
func newMailer(cfg config.Config, log *slog.Logger) mail.Sender {
	if cfg.SMTP.Host == "" {
		return mail.NewLogSender(log)
	}
	return mail.NewSMTPSender(mail.SMTPOptions{
		Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, Username: cfg.SMTP.Username,
		Password: cfg.SMTP.Password, From: cfg.SMTP.From,
	})
}

// stopRiver lets running jobs finish within the shutdown timeout, then cancels them; River hands
// cancelled jobs back to the queue for another worker.
func stopRiver(b *base, client *database.RiverClient) {
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.ShutdownTimeout)
	defer cancel()
	stopRiverBy(ctx, b, client)
}

// stopRiverBy lets running jobs finish until ctx ends, then cancels them.
func stopRiverBy(ctx context.Context, b *base, client *database.RiverClient) {
	if !b.cfg.HasRole(config.RoleWorker) {
		return
	}
	if err := client.Stop(ctx); err != nil {
		b.log.Warn("job workers did not stop in time; cancelling", slog.Any("error", err))
		hard, cancelHard := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancelHard()
		_ = client.StopAndCancel(hard)
	}
}

// readiness joins the two checks /readyz makes.
type readiness struct {
	db       *database.DB
	migrator *database.Migrator
}

func (r readiness) Ping(ctx context.Context) error { return r.db.Ping(ctx) }
func (r readiness) Status(ctx context.Context) (database.Status, error) {
	return r.migrator.Status(ctx)
}

// minLevel raises the threshold of a handler, for libraries that talk more than we want to hear.
type minLevel struct {
	slog.Handler
	level slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(attrs), h.level}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.level}
}
