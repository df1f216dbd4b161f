package jobs

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"alpacawrapper/database"
	"alpacawrapper/mail"
)

// MailOutbox queues e-mail as send_email jobs in the caller's transaction.
type MailOutbox struct {
	river *database.RiverClient
}

// NewMailOutbox returns an outbox that inserts jobs with client (an insert-only client is enough).
func NewMailOutbox(client *database.RiverClient) *MailOutbox { return &MailOutbox{river: client} }

// Enqueue validates m and inserts its job in tx.
func (o *MailOutbox) Enqueue(ctx context.Context, tx *gorm.DB, m mail.Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	stx, err := database.SQLTx(tx)
	if err != nil {
		return err
	}
	if _, err := o.river.InsertTx(ctx, stx, SendEmailArgs{Message: m}, nil); err != nil {
		return fmt.Errorf("jobs: enqueue e-mail: %w", err)
	}
	return nil
}
