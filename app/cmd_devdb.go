package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"time"

	"alpacawrapper/database/localpg"
)

func runDevDB(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlags(cio, "devdb", "start|stop|status|url|psql|run -- COMMAND...",
		"Manage the private PostgreSQL cluster used when DATABASE_URL is unset (development and test).\n"+
			"It lives under $DATA_DIR/postgres ($DATA_DIR/postgres-test with APP_ENV=test).\n\n"+
			"  start   start it and keep it running until `devdb stop`\n"+
			"  stop    stop it, whoever is using it\n"+
			"  status  say whether it is running, and where\n"+
			"  url     print its connection URL (starting it if needed)\n"+
			"  psql    open psql on it\n"+
			"  run     start it, run COMMAND with DATABASE_URL set, then stop it if nothing else uses it\n"+
			"          (this is how `make test` shares one cluster across every package)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	dir := embeddedDir(cfg)
	log := newLogger(cfg, cio.stderr)

	switch fs.Arg(0) {
	case "start", "url":
		opts := clusterOptions(cfg, log)
		opts.Persistent = true
		c, err := localpg.Start(ctx, opts)
		if err != nil {
			return err
		}
		fmt.Fprintln(cio.stdout, c.URL(""))
		return nil
	case "stop":
		if err := localpg.Stop(ctx, dir); err != nil {
			return err
		}
		fmt.Fprintln(cio.stdout, "stopped")
		return nil
	case "status":
		info, err := localpg.Status(dir)
		if err != nil {
			return err
		}
		if !info.Running {
			fmt.Fprintf(cio.stdout, "not running (%s)\n", dir)
			return nil
		}
		fmt.Fprintf(cio.stdout, "running: %s (pid %d, %d users, data in %s)\n", info.URL(""), info.PID, info.Leases, info.DataDir)
		return nil
	case "psql":
		c, err := localpg.Start(ctx, clusterOptions(cfg, log))
		if err != nil {
			return err
		}
		defer releaseCluster(c, log)
		cmd := c.PsqlCommand(ctx, "")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, cio.stdout, cio.stderr
		return cmd.Run()
	case "run":
		return devdbRun(ctx, cio, clusterOptions(cfg, log), fs.Args()[1:])
	}
	return fmt.Errorf("unknown action %q: use start, stop, status, url, psql or run", fs.Arg(0))
}

// devdbRun runs a command against the cluster, holding it open for the command's whole run.
func devdbRun(ctx context.Context, cio cmdIO, opts localpg.Options, argv []string) error {
	if len(argv) > 0 && argv[0] == "--" {
		argv = argv[1:]
	}
	if len(argv) == 0 {
		return errors.New("run needs a command, e.g. `devdb run -- go test ./...`")
	}
	c, err := localpg.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer releaseCluster(c, opts.Logger)
	opts.Logger.Info("running with the embedded database", "url", c.URL(""))

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+c.URL(""))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, cio.stdout, cio.stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return fmt.Errorf("%s exited with status %d", argv[0], exit.ExitCode())
		}
		return err
	}
	return nil
}

// releaseCluster gives up this process's hold on the embedded cluster; the last holder stops it.
func releaseCluster(c *localpg.Cluster, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Release(ctx); err != nil {
		log.Warn("embedded database did not stop cleanly", slog.Any("error", err))
	}
}
