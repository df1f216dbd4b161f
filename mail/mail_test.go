package mail

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	good := Message{To: "ada@example.com", Subject: "Reset your password", Text: "Follow the link."}
	if err := good.Validate(); err != nil {
		t.Fatalf("good message: %v", err)
	}
	cases := map[string]Message{
		"bad recipient":      {To: "not an address", Subject: "s", Text: "t"},
		"empty subject":      {To: "a@example.com", Subject: " ", Text: "t"},
		"header injection":   {To: "a@example.com", Subject: "hi\r\nBcc: victim@example.com", Text: "t"},
		"missing plain text": {To: "a@example.com", Subject: "s"},
	}
	for name, m := range cases {
		if err := m.Validate(); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestComposeIsAValidMIMEMessage(t *testing.T) {
	t.Parallel()
	raw := compose("Alpaca Wrapper <no-reply@example.com>", Message{
		To: "ada@example.com", Subject: "Vérifiez votre adresse", Text: "Plain body with a long line " + strings.Repeat("x", 100),
		HTML: "<p>HTML body</p>",
	}, time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))

	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "Vérifiez votre adresse" {
		t.Errorf("subject = %q (%v)", subject, err)
	}
	if msg.Header.Get("Message-ID") == "" || msg.Header.Get("Date") == "" {
		t.Error("Message-ID and Date are required headers")
	}
	_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	r := multipart.NewReader(msg.Body, params["boundary"])
	var types []string
	for {
		part, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(part) // multipart decodes quoted-printable itself
		types = append(types, part.Header.Get("Content-Type"))
		if strings.HasPrefix(part.Header.Get("Content-Type"), "text/plain") && !strings.Contains(string(body), strings.Repeat("x", 100)) {
			t.Errorf("plain part lost content: %q", body)
		}
	}
	if len(types) != 2 || !strings.HasPrefix(types[0], "text/plain") || !strings.HasPrefix(types[1], "text/html") {
		t.Errorf("parts = %v, want text/plain then text/html", types)
	}
}

func TestLogSenderWritesTheMessage(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	s := NewLogSender(slog.New(slog.NewTextHandler(&buf, nil)))
	err := s.Send(context.Background(), Message{To: "ada@example.com", Subject: "Verify", Text: "Open http://localhost/verify?token=abc"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "http://localhost/verify?token=abc") || !strings.Contains(buf.String(), "ada@example.com") {
		t.Errorf("log lacks the link or recipient: %s", buf.String())
	}
}

// fakeSMTP is a minimal SMTP server speaking the real protocol over TCP, recording what it gets.
type fakeSMTP struct {
	addr     string
	received chan session
}

type session struct {
	from, to, auth string
	data           []byte
}

func startFakeSMTP(t *testing.T, rejectRcpt bool) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	f := &fakeSMTP{addr: ln.Addr().String(), received: make(chan session, 1)}
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r, w := bufio.NewReader(conn), bufio.NewWriter(conn)
		reply := func(s string) { w.WriteString(s + "\r\n"); w.Flush() }
		var s session
		reply("220 fake ESMTP")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			verb := strings.ToUpper(strings.Fields(line + " x")[0])
			switch verb {
			case "EHLO", "HELO":
				reply("250-fake\r\n250 AUTH PLAIN")
			case "AUTH":
				s.auth = line
				reply("235 ok")
			case "MAIL":
				s.from = line
				reply("250 ok")
			case "RCPT":
				s.to = line
				if rejectRcpt {
					reply("550 no such user")
				} else {
					reply("250 ok")
				}
			case "DATA":
				reply("354 go ahead")
				var data bytes.Buffer
				for {
					l, err := r.ReadString('\n')
					if err != nil || l == ".\r\n" {
						break
					}
					data.WriteString(l)
				}
				s.data = data.Bytes()
				reply("250 queued")
			case "QUIT":
				reply("221 bye")
				f.received <- s
				return
			default:
				reply("502 unknown")
			}
		}
	}()
	return f
}

func TestSMTPSenderDelivers(t *testing.T) {
	t.Parallel()
	srv := startFakeSMTP(t, false)
	host, port, _ := net.SplitHostPort(srv.addr)
	s := NewSMTPSender(SMTPOptions{Host: host, Port: mustAtoi(t, port), Username: "mailer", Password: "s3cret", From: "Alpaca Wrapper <no-reply@example.com>"})
	err := s.Send(context.Background(), Message{To: "ada@example.com", Subject: "Welcome", Text: "Hello Ada"})
	if err != nil {
		t.Fatal(err)
	}
	got := <-srv.received
	if got.from != "MAIL FROM:<no-reply@example.com>" || !strings.HasPrefix(got.to, "RCPT TO:<ada@example.com>") {
		t.Errorf("envelope: %q %q", got.from, got.to)
	}
	wantAuth := base64.StdEncoding.EncodeToString([]byte("\x00mailer\x00s3cret"))
	if got.auth != "AUTH PLAIN "+wantAuth {
		t.Errorf("auth = %q", got.auth)
	}
	if !bytes.Contains(got.data, []byte("Hello Ada")) || !bytes.Contains(got.data, []byte("Subject: Welcome")) {
		t.Errorf("data:\n%s", got.data)
	}
}

func TestSMTPSenderReportsRejection(t *testing.T) {
	t.Parallel()
	srv := startFakeSMTP(t, true)
	host, port, _ := net.SplitHostPort(srv.addr)
	s := NewSMTPSender(SMTPOptions{Host: host, Port: mustAtoi(t, port), From: "no-reply@example.com"})
	err := s.Send(context.Background(), Message{To: "ghost@example.com", Subject: "Hi", Text: "t"})
	if err == nil || !strings.Contains(err.Error(), "RCPT TO") || !strings.Contains(err.Error(), "550") {
		t.Errorf("err = %v, want the server's 550 on RCPT TO", err)
	}
}

func TestSMTPSenderUnreachable(t *testing.T) {
	t.Parallel()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close()
	s := NewSMTPSender(SMTPOptions{Host: "127.0.0.1", Port: addr.Port, From: "no-reply@example.com", Timeout: 2 * time.Second})
	if err := s.Send(context.Background(), Message{To: "a@example.com", Subject: "s", Text: "t"}); err == nil || !strings.Contains(err.Error(), "mail: connect") {
		t.Errorf("err = %v", err)
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
