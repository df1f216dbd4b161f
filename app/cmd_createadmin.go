package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"alpacawrapper/apperr"
)

func runCreateAdmin(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlags(cio, "createadmin", "--email ADDRESS [--name NAME]",
		"Create an administrator, or make an existing account one. The password is typed at a prompt\n"+
			"(twice, not echoed) or, when standard input is not a terminal, read from its first line:\n"+
			"  printf '%s\\n' \"$ADMIN_PASSWORD\" | alpacawrapper createadmin --email ops@example.com\n"+
			"There is no default password.")
	email := fs.String("email", "", "the administrator's e-mail address (required)")
	name := fs.String("name", "", "display name (default: the part of the address before @)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *email == "" {
		fs.Usage()
		return errUsage
	}
	password, err := readPassword(cio, os.Stdin)
	if err != nil {
		return err
	}

	b, err := boot(ctx, cio)
	if err != nil {
		return err
	}
	defer b.close()
	b.cfg.Roles = nil // insert-only job client: this command works no jobs
	svc, err := NewServices(b.cfg, b.db, b.log, ServicesOptions{})
	if err != nil {
		return err
	}
	u, created, err := svc.Accounts.CreateAdmin(ctx, *email, *name, password)
	if rej, ok := apperr.As(err); ok {
		var problems []string
		for field, msg := range rej.Fields {
			problems = append(problems, field+": "+msg)
		}
		return errors.New(strings.Join(problems, "; "))
	}
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(cio.stdout, "created administrator %s (id %d)\n", u.Email, u.ID)
	} else {
		fmt.Fprintf(cio.stdout, "%s is now an administrator; their password was replaced, their sessions ended and their API keys revoked\n", u.Email)
	}
	return nil
}

// readPassword prompts twice without echo on a terminal, or reads one line from a pipe.
func readPassword(cio cmdIO, stdin *os.File) (string, error) {
	fd := int(stdin.Fd())
	if !term.IsTerminal(fd) {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password: %w", err)
		}
		if line = strings.TrimRight(line, "\r\n"); line == "" {
			return "", errors.New("no password on standard input")
		}
		return line, nil
	}
	fmt.Fprint(cio.stderr, "Password: ")
	first, err := term.ReadPassword(fd)
	fmt.Fprintln(cio.stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	fmt.Fprint(cio.stderr, "Password again: ")
	second, err := term.ReadPassword(fd)
	fmt.Fprintln(cio.stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	if string(first) != string(second) {
		return "", errors.New("the two passwords don't match")
	}
	return string(first), nil
}
