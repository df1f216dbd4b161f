// Package models holds the GORM structs that mirror the tables and the queries on them (the
// store). The SQL migrations in database/migrations are the schema's source of truth; the struct
// tags here follow them. Query methods take the *gorm.DB to run on, so the caller decides whether
// they run inside a transaction.
package models

import (
	"errors"

	"gorm.io/gorm"
)

// ErrNotFound is returned by lookups that find nothing.
var ErrNotFound = errors.New("models: not found")

// notFound maps GORM's record-not-found to ErrNotFound and leaves other errors as they are.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}
