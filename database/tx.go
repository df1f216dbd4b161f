package database

import (
	"database/sql"
	"errors"

	"gorm.io/gorm"
)

// ErrNotInTransaction is returned by SQLTx for a GORM handle that is not inside a transaction.
var ErrNotInTransaction = errors.New("database: gorm handle is not inside a transaction")

// SQLTx returns the *sql.Tx beneath a GORM transaction, so that River's InsertTx joins it and a job is
// enqueued if, and only if, the write that caused it commits.
func SQLTx(tx *gorm.DB) (*sql.Tx, error) {
	switch p := tx.Statement.ConnPool.(type) {
	case *sql.Tx:
		return p, nil
	case *gorm.PreparedStmtTX:
		if t, ok := p.Tx.(*sql.Tx); ok {
			return t, nil
		}
	}
	return nil, ErrNotInTransaction
}
