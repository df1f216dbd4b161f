package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"alpacawrapper/mail"
)

// SendEmailArgs queues one e-mail. The message travels in the job because its links carry
// single-use tokens that are stored only as hashes and cannot be rebuilt later.
type SendEmailArgs struct {
	Message mail.Message `json:"message"`
}

// Kind names the job in River's tables.
func (SendEmailArgs) Kind() string { return "send_email" }

// InsertOpts routes mail to its own queue so a slow mail server never holds up other jobs, and
// gives up after about a day of retries (the links expire long before that).
func (SendEmailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMail, MaxAttempts: 12}
}

// SendEmailWorker delivers queued e-mail.
type SendEmailWorker struct {
	river.WorkerDefaults[SendEmailArgs]
	mailer mail.Sender
}

// Work sends the message; an error makes River retry with back-off.
func (w *SendEmailWorker) Work(ctx context.Context, job *river.Job[SendEmailArgs]) error {
	if err := job.Args.Message.Validate(); err != nil {
		return river.JobCancel(err) // retrying a malformed message can never succeed
	}
	return w.mailer.Send(ctx, job.Args.Message)
}

// Timeout bounds one delivery attempt.
func (w *SendEmailWorker) Timeout(*river.Job[SendEmailArgs]) time.Duration { return time.Minute }
