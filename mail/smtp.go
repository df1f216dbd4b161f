package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"time"
)

// SMTPOptions configure an SMTP sender.
type SMTPOptions struct {
	Host     string
	Port     int    // 587 (STARTTLS) by default
	Username string // empty: no authentication
	Password string
	From     string // the From header, e.g. "Alpaca Wrapper <no-reply@example.com>"
	Timeout  time.Duration
}

// SMTPSender delivers messages to an SMTP server, upgrading to TLS whenever the server offers it.
type SMTPSender struct {
	opts SMTPOptions
}

// NewSMTPSender returns a Sender for the server in opts.
func NewSMTPSender(opts SMTPOptions) *SMTPSender {
	if opts.Port == 0 {
		opts.Port = 587
	}
	if opts.Timeout == 0 {
		opts.Timeout = 30 * time.Second
	}
	return &SMTPSender{opts: opts}
}

// Send delivers m. Errors are returned for the job queue to retry with back-off.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()

	addr := net.JoinHostPort(s.opts.Host, strconv.Itoa(s.opts.Port))
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("mail: connect %s: %w", addr, err)
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	// net/smtp knows no contexts: closing the connection is how a cancelled job (a hard stop at
	// shutdown) interrupts a server that is slow to answer.
	stopClosing := context.AfterFunc(ctx, func() { conn.Close() })
	defer stopClosing()
	c, err := smtp.NewClient(conn, s.opts.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: greet %s: %w", addr, err)
	}
	defer c.Close()

	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: s.opts.Host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("mail: starttls: %w", err)
		}
	}
	if s.opts.Username != "" {
		// PlainAuth refuses to send the password over an unencrypted link to a remote host.
		if err := c.Auth(smtp.PlainAuth("", s.opts.Username, s.opts.Password, s.opts.Host)); err != nil {
			return fmt.Errorf("mail: authenticate: %w", err)
		}
	}
	from, err := parseFrom(s.opts.From)
	if err != nil {
		return err
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(compose(s.opts.From, m, time.Now())); err != nil {
		return fmt.Errorf("mail: write body: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: end body: %w", err)
	}
	return c.Quit()
}

func parseFrom(from string) (string, error) {
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return "", fmt.Errorf("mail: MAIL_FROM %q is not an address", from)
	}
	return addr.Address, nil
}

// compose builds a MIME message: plain text, plus an HTML alternative when there is one.
func compose(from string, m Message, now time.Time) []byte {
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", from)
	header("To", m.To)
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", now.UTC().Format(time.RFC1123Z))
	header("Message-ID", "<"+randomID()+"@alpacawrapper>")
	header("MIME-Version", "1.0")

	part := func(contentType, body string) {
		fmt.Fprintf(&b, "Content-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", contentType)
		qp := quotedprintable.NewWriter(&b)
		_, _ = qp.Write([]byte(body))
		_ = qp.Close()
		b.WriteString("\r\n")
	}
	if m.HTML == "" {
		part("text/plain", m.Text)
		return b.Bytes()
	}
	boundary := "alt-" + randomID()
	fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=%q\r\n\r\n", boundary)
	fmt.Fprintf(&b, "--%s\r\n", boundary)
	part("text/plain", m.Text)
	fmt.Fprintf(&b, "--%s\r\n", boundary)
	part("text/html", m.HTML)
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes()
}

func randomID() string {
	var r [12]byte
	_, _ = rand.Read(r[:])
	return hex.EncodeToString(r[:])
}
