// Package jobs holds every background job: its River args type and its worker, one file per kind,
// and the periodic schedule. Jobs are enqueued inside the transaction that causes them and must be
// idempotent, because River retries a job that failed or whose process died mid-way.
package jobs

import (
	"log/slog"

	"github.com/riverqueue/river"

	"alpacawrapper/mail"
)

// Deps are the services workers use. Every field is required.
type Deps struct {
	Logger *slog.Logger
	Mailer mail.Sender
}

// Workers registers every job kind's worker.
func Workers(deps Deps) *river.Workers {
	w := river.NewWorkers()
	river.AddWorker(w, &SendEmailWorker{mailer: deps.Mailer})
	return w
}

// Periodic is the schedule of recurring jobs. River runs it on the elected leader only, so several
// instances never duplicate a periodic job.
func Periodic() []*river.PeriodicJob {
	return nil
}
