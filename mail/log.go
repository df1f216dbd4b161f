package mail

import (
	"context"
	"log/slog"
)

// LogSender writes each message to the log instead of sending it. It exists for development and
// tests; configuration refuses it in production because messages hold single-use links.
type LogSender struct {
	log *slog.Logger
}

// NewLogSender returns a Sender that logs messages at info level.
func NewLogSender(log *slog.Logger) *LogSender { return &LogSender{log: log} }

// Send logs the message, body included, so a developer can follow its links.
func (s *LogSender) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "e-mail (development: not sent)",
		slog.String("to", m.To), slog.String("subject", m.Subject), slog.String("body", m.Text))
	return nil
}
