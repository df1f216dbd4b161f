package jobs

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertest"
	"github.com/riverqueue/river/rivertype"

	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/mail"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// recordingSender keeps what it was asked to send, and fails when told to.
type recordingSender struct {
	mu   sync.Mutex
	sent []mail.Message
	fail error
}

func (r *recordingSender) Send(_ context.Context, m mail.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.sent = append(r.sent, m)
	return nil
}

func TestSendEmail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	welcome := mail.Message{To: "ada@example.com", Subject: "Welcome", Text: "Hello"}

	setup := func(t *testing.T, sender *recordingSender) (*rivertest.Worker[SendEmailArgs, *sql.Tx], *database.DB) {
		db := dbtest.Shared(t)
		w := rivertest.NewWorker(t, riverdatabasesql.New(db.SQL), &river.Config{}, &SendEmailWorker{mailer: sender})
		return w, db
	}

	t.Run("delivers the message", func(t *testing.T) {
		sender := &recordingSender{}
		w, _ := setup(t, sender)
		tx := dbtest.Tx(t)
		stx, _ := database.SQLTx(tx)
		res, err := w.Work(ctx, t, stx, SendEmailArgs{Message: welcome}, nil)
		if err != nil || res.EventKind != river.EventKindJobCompleted {
			t.Fatalf("result %+v, err %v", res, err)
		}
		if len(sender.sent) != 1 || sender.sent[0] != welcome {
			t.Errorf("sent %+v", sender.sent)
		}
	})
	t.Run("a failing server is retried", func(t *testing.T) {
		sender := &recordingSender{fail: errors.New("mail: connect: refused")}
		w, _ := setup(t, sender)
		stx, _ := database.SQLTx(dbtest.Tx(t))
		res, err := w.Work(ctx, t, stx, SendEmailArgs{Message: welcome}, nil)
		// A first failure is scheduled for a retry a second away (River keeps such a job available).
		if err == nil || res.EventKind != river.EventKindJobFailed || res.Job.State == rivertype.JobStateDiscarded {
			t.Errorf("want a failure to retry, got %s / state %s, err %v", res.EventKind, res.Job.State, err)
		}
	})
	t.Run("a malformed message is cancelled, not retried", func(t *testing.T) {
		sender := &recordingSender{}
		w, _ := setup(t, sender)
		stx, _ := database.SQLTx(dbtest.Tx(t))
		res, _ := w.Work(ctx, t, stx, SendEmailArgs{Message: mail.Message{To: "nobody", Subject: "x", Text: "y"}}, nil)
		if res.Job.State != rivertype.JobStateCancelled || len(sender.sent) != 0 {
			t.Errorf("state %s, sent %d", res.Job.State, len(sender.sent))
		}
	})
}

func TestSendEmailGoesToTheMailQueue(t *testing.T) {
	t.Parallel()
	opts := SendEmailArgs{}.InsertOpts()
	if opts.Queue != QueueMail || opts.MaxAttempts == 0 {
		t.Errorf("insert opts = %+v", opts)
	}
	if _, ok := Queues(10, 20)[QueueMail]; !ok {
		t.Error("the mail queue must be worked")
	}
}
