package jobs

import "github.com/riverqueue/river"

// QueueMail is the queue for outgoing e-mail.
const QueueMail = "mail"

// Queues are the queues this process works and how many jobs of each it runs at once.
//
// Jobs share the process's connection pool with requests, the matcher and the feed, and a job
// such as a candle backfill holds a connection for most of its run. So the workers of all queues
// together take at most half of the pool (poolSize), whatever WORKER_CONCURRENCY asks: a burst of
// backfills must not leave a login waiting for a connection until its deadline (a 503).
func Queues(concurrency, poolSize int) map[string]river.QueueConfig {
	budget := max(2, poolSize/2)
	mail := max(1, min(max(2, concurrency/4), budget/4))
	return map[string]river.QueueConfig{
		river.QueueDefault: {MaxWorkers: max(1, min(concurrency, budget-mail))},
		QueueMail:          {MaxWorkers: mail},
	}
}
