package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one sub-command of the binary.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, io cmdIO, args []string) error
}

// cmdIO carries the streams a command writes to, so tests can capture them.
type cmdIO struct {
	stdout, stderr io.Writer
}

// errUsage marks an error already explained by a usage message.
var errUsage = errors.New("usage")

func commands() []command {
	return []command{
		{"serve", "run the web server and job workers (the default)", runServe},
		{"worker", "run only the job workers", runWorker},
		{"feed", "run only the market feed and order matcher (one elected, others stand by)", runFeedCommand},
		{"migrate", "apply, roll back or inspect database migrations", runMigrate},
		{"createadmin", "create an administrator (prompts for the password)", runCreateAdmin},
		{"devdb", "start, stop or connect to the embedded development database", runDevDB},
		{"fakealpaca", "serve a local stand-in for Alpaca's APIs, for development", runFakeAlpaca},
		{"version", "print the version", runVersion},
	}
}

// Main runs the command named by args[0] (serve when absent) and returns the process exit code.
// Failures are one line on stderr, never a stack trace: they are meant for a person at a terminal.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cio := cmdIO{stdout: stdout, stderr: stderr}
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		printHelp(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, cio, args)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			fmt.Fprintf(stderr, "alpacawrapper %s: %s\n", name, oneLine(err))
			return 1
		}
	}
	fmt.Fprintf(stderr, "alpacawrapper: unknown command %q; run `alpacawrapper help` for the list\n", name)
	return 2
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "Alpaca Wrapper: live markets and paper trading.")
	fmt.Fprintln(w, "\nUsage: alpacawrapper <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `alpacawrapper <command> --help` for a command's flags.")
	fmt.Fprintln(w, "Configuration comes from environment variables; see the README.")
}

// oneLine folds a (possibly joined) error into a single line for the terminal, keeping every part.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}

// newFlags makes a flag set whose --help shows the command's purpose and its flags.
func newFlags(cio cmdIO, name, usage, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(cio.stderr)
	fs.Usage = func() {
		fmt.Fprintf(cio.stderr, "Usage: alpacawrapper %s %s\n\n%s\n", name, usage, about)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(cio.stderr, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args and maps a flag mistake to errUsage (the flag package already printed why).
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return errUsage
	}
	return err
}

func runVersion(_ context.Context, cio cmdIO, args []string) error {
	fs := newFlags(cio, "version", "", "Print the version of this build.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(cio.stdout, "alpacawrapper", Version())
	return nil
}

// lookupEnv is the real environment, for config.Load.
func lookupEnv(name string) (string, bool) { return os.LookupEnv(name) }
