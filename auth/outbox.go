package auth

import (
	"context"

	"gorm.io/gorm"

	"alpacawrapper/mail"
)

// Outbox queues an e-mail inside the caller's transaction, so the message is sent if and only if
// the change that caused it commits. jobs.MailOutbox implements it on River.
type Outbox interface {
	Enqueue(ctx context.Context, tx *gorm.DB, m mail.Message) error
}
