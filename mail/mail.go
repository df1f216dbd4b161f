// Package mail sends e-mail: through an SMTP server in production, or into the log in development
// so that sign-up and password-reset links can be followed without a mail server.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// Message is one e-mail. Text is required; HTML is optional and sent as the alternative part.
type Message struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html,omitempty"`
}

// Validate rejects a message that no server would accept, before it is queued.
func (m Message) Validate() error {
	if _, err := mail.ParseAddress(m.To); err != nil {
		return fmt.Errorf("mail: recipient %q is not an e-mail address", m.To)
	}
	if strings.TrimSpace(m.Subject) == "" || strings.ContainsAny(m.Subject, "\r\n") {
		return errors.New("mail: subject must be one non-empty line")
	}
	if strings.TrimSpace(m.Text) == "" {
		return errors.New("mail: text body is required")
	}
	return nil
}

// Sender delivers messages. Implementations must be safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}
