package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable reports whether err means that PostgreSQL could not be reached or did not answer in
// time: a refused or lost connection, the server shutting down or starting up, too many
// connections, or a deadline that ran out while waiting on it. Such a failure says nothing about
// the request, so the caller should answer "try again shortly" (503) rather than "we broke" (500).
//
// A context cancelled by the client going away is not unavailability: nobody is left to answer.
func Unavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return unavailableCode(pgErr.Code)
	}
	// *net.OpError, not net.Error: every syscall.Errno (a full disk, a missing folder) satisfies
	// that interface too.
	var connectErr *pgconn.ConnectError
	var netErr *net.OpError
	switch {
	case errors.As(err, &connectErr), errors.As(err, &netErr):
		return true
	case errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err):
		return true
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone):
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true // the server closed the connection under a query
	case pgconn.SafeToRetry(err):
		return true // pgx knows the query never reached the server: the connection was gone
	}
	// pgx reports a connection it closed itself (after a fatal error or a timeout), and a pool
	// closed at shutdown, only in words.
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "closed pool")
}

// unavailableCode picks the SQLSTATEs that mean the server, not the query, is the problem.
func unavailableCode(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"): // connection_exception and its subclasses
		return true
	case code == "57P01", code == "57P02", code == "57P03": // admin shutdown, crash shutdown, cannot connect now
		return true
	case code == "53300": // too_many_connections
		return true
	case code == "57014": // query_canceled: the statement or lock timeout, or our own deadline
		return true
	}
	return false
}
