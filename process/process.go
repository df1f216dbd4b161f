// Package process names this process for operators and keeps a row about it in PostgreSQL (the
// processes table, migration 00016): its roles, version, start, live connections and relay lag,
// renewed by a heartbeat. Every process reads every row, so any web process can answer the status
// endpoint for the whole deployment, together with who holds the elected feed.
package process

import (
	"fmt"
	"os"
)

// Name is how this process is named in logs, in the processes table and in the feed lease: the
// configured name (PROCESS_NAME: a platform's dyno or container name, such as web.2) when there is
// one, else host:pid, which is unique on a machine and says where to look.
func Name(configured string) string {
	if configured != "" {
		return configured
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}
