package jobs

import "github.com/riverqueue/river"

// QueueMail is the queue for outgoing e-mail.
const QueueMail = "mail"

// Queues are the queues this process works and how many jobs of each it runs at once.
func Queues(concurrency int) map[string]river.QueueConfig {
	return map[string]river.QueueConfig{
		river.QueueDefault: {MaxWorkers: concurrency},
		QueueMail:          {MaxWorkers: max(2, concurrency/4)},
	}
}
