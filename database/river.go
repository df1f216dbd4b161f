package database

import (
	"database/sql"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
)

// RiverClient is the job queue client. It is typed on *sql.Tx so InsertTx accepts the transaction
// of a GORM write (see SQLTx).
type RiverClient = river.Client[*sql.Tx]

// NewRiver builds a River client on the shared pool. Queries go through database/sql, the same pool
// GORM uses; LISTEN/NOTIFY goes through a dedicated pgx connection so new jobs start at once rather
// than at the next poll. A config without Queues gives an insert-only client.
func (db *DB) NewRiver(cfg *river.Config) (*RiverClient, error) {
	client, err := river.NewClient(riverdatabasesql.NewWithPgxListener(db.SQL, db.listenerPool), cfg)
	if err != nil {
		return nil, fmt.Errorf("database: river client: %w", err)
	}
	return client, nil
}
