package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/jobs"
	"alpacawrapper/mail"
)

// slowSMTP is a mail server that accepts a connection and then says nothing until released: a job
// sending mail through it is a job that is running for as long as the test likes.
type slowSMTP struct {
	ln        net.Listener
	connected chan struct{}  // closed when the first client connects
	hungUp    chan time.Time // when the client closed the connection before it was released
	release   chan struct{}  // close to let the conversation go ahead
	delivered chan string    // the message data, once received
}

func newSlowSMTP(t *testing.T) *slowSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &slowSMTP{ln: ln, connected: make(chan struct{}), hungUp: make(chan time.Time, 1),
		release: make(chan struct{}), delivered: make(chan string, 1)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		close(s.connected)
		s.serve(conn)
	}()
	return s
}

func (s *slowSMTP) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *slowSMTP) serve(conn net.Conn) {
	// The client speaks only after our greeting, so a read returns only when it hangs up, or when
	// the release below interrupts it with a past deadline.
	gone := make(chan error, 1)
	go func() {
		_, err := conn.Read(make([]byte, 1))
		gone <- err
	}()
	select {
	case <-gone:
		s.hungUp <- time.Now()
		return
	case <-s.release:
		_ = conn.SetReadDeadline(time.Unix(1, 0))
		if err := <-gone; !errors.Is(err, os.ErrDeadlineExceeded) {
			s.hungUp <- time.Now()
			return
		}
		_ = conn.SetReadDeadline(time.Time{})
	}
	r := bufio.NewReader(conn)
	say := func(line string) { fmt.Fprintf(conn, "%s\r\n", line) }
	say("220 slow.test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch cmd := strings.ToUpper(strings.Fields(line + " x")[0]); cmd {
		case "EHLO", "HELO":
			say("250 slow.test")
		case "DATA":
			say("354 go ahead")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(l)
			}
			say("250 queued")
			s.delivered <- data.String()
		case "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

// startWorker runs the built binary's worker role against url, with mail going to smtp.
func startWorker(t *testing.T, url string, smtp *slowSMTP, shutdownTimeout time.Duration) *exec.Cmd {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "worker")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "APP_ENV=test", "LOG_LEVEL=info", "DATABASE_URL=" + url,
		"SHUTDOWN_TIMEOUT=" + shutdownTimeout.String(), "SMTP_HOST=127.0.0.1", fmt.Sprintf("SMTP_PORT=%d", smtp.port())}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd
}

// queueMail inserts one e-mail job, as the app's outbox does.
func queueMail(t *testing.T, url string) {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, database.Options{URL: url, MaxConns: 2, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	client, err := db.NewRiver(&river.Config{Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	msg := mail.Message{To: "ann@example.com", Subject: "Shutdown test", Text: "sent across a SIGTERM"}
	if _, err := client.Insert(ctx, jobs.SendEmailArgs{Message: msg}, nil); err != nil {
		t.Fatal(err)
	}
}

// waitExit waits for the process to end and returns its error.
func waitExit(t *testing.T, cmd *exec.Cmd, within time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(within):
		t.Fatalf("the process did not exit within %s", within)
		return nil
	}
}

func TestSIGTERMLetsARunningJobFinish(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	smtp := newSlowSMTP(t)
	cmd := startWorker(t, url, smtp, 20*time.Second)
	queueMail(t, url)
	select {
	case <-smtp.connected:
	case <-time.After(30 * time.Second):
		t.Fatal("the mail job never started")
	}

	signalled := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The job is running; the signal alone must not cancel it.
	select {
	case at := <-smtp.hungUp:
		t.Fatalf("the running job was cancelled %s after the signal; it must be let finish", at.Sub(signalled))
	case <-time.After(1500 * time.Millisecond):
	}
	close(smtp.release)
	select {
	case data := <-smtp.delivered:
		if !strings.Contains(data, "sent across a SIGTERM") {
			t.Errorf("delivered %q", data)
		}
	case <-smtp.hungUp:
		t.Fatal("the job gave up on the mail server")
	case <-time.After(10 * time.Second):
		t.Fatal("the mail was not delivered after release")
	}
	if err := waitExit(t, cmd, 15*time.Second); err != nil {
		t.Fatalf("exit: %v", err)
	}
}

func TestSIGTERMCancelsARunningJobAtTheShutdownTimeout(t *testing.T) {
	t.Parallel()
	const timeout = 2 * time.Second
	url := dbtest.URL(t)
	smtp := newSlowSMTP(t)
	cmd := startWorker(t, url, smtp, timeout)
	queueMail(t, url)
	select {
	case <-smtp.connected:
	case <-time.After(30 * time.Second):
		t.Fatal("the mail job never started")
	}

	signalled := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var cancelledAfter time.Duration
	select {
	case at := <-smtp.hungUp:
		cancelledAfter = at.Sub(signalled)
	case <-time.After(timeout + 10*time.Second):
		t.Fatal("the job still runs long after the shutdown timeout")
	}
	t.Logf("running job cancelled %s after SIGTERM (SHUTDOWN_TIMEOUT=%s)", cancelledAfter.Round(time.Millisecond), timeout)
	if cancelledAfter < timeout-200*time.Millisecond {
		t.Errorf("the job was cancelled after %s, before the shutdown timeout (%s)", cancelledAfter, timeout)
	}
	if err := waitExit(t, cmd, 10*time.Second); err != nil {
		t.Fatalf("exit: %v", err)
	}
}
