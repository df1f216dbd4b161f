package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// The admin home's figures: counts per day over a window, each a range scan of one indexed
// timestamp column (migration 00028), and the jobs that failed lately (River's state and
// finalized_at index).

// DayCount is how many of something happened on one day (in the zone asked for).
type DayCount struct {
	Day   time.Time // midnight of the day, as a date
	Count int64
}

// DailyActivity are the admin home's series over the same days.
type DailyActivity struct {
	SignUps     []DayCount
	ActiveUsers []DayCount // distinct people who signed in or placed an order that day
	Orders      []DayCount
	Fills       []DayCount
}

// DailyActivitySince counts per day, in loc, from since (inclusive) on. Days with nothing are
// absent; the caller lays the days out.
func DailyActivitySince(ctx context.Context, db *gorm.DB, since time.Time, loc *time.Location) (DailyActivity, error) {
	tz := loc.String()
	var out DailyActivity
	queries := []struct {
		into *[]DayCount
		sql  string
		args []any
	}{
		{&out.SignUps, `SELECT (created_at AT TIME ZONE ?)::date AS day, count(*) AS count
			FROM users WHERE created_at >= ? GROUP BY 1`, []any{tz, since}},
		// Active: signed in (a session begun) or placed an order. Sessions that ended are gone, so
		// a sign-in is counted while its session lasts; an order is counted for good.
		{&out.ActiveUsers, `SELECT day, count(DISTINCT user_id) AS count FROM (
				SELECT (created_at AT TIME ZONE ?)::date AS day, user_id FROM sessions
					WHERE user_id IS NOT NULL AND created_at >= ?
				UNION ALL
				SELECT (o.created_at AT TIME ZONE ?)::date, a.user_id FROM orders o
					JOIN paper_accounts a ON a.id = o.account_id WHERE o.created_at >= ?
			) x GROUP BY day`, []any{tz, since, tz, since}},
		{&out.Orders, `SELECT (created_at AT TIME ZONE ?)::date AS day, count(*) AS count
			FROM orders WHERE created_at >= ? GROUP BY 1`, []any{tz, since}},
		{&out.Fills, `SELECT (executed_at AT TIME ZONE ?)::date AS day, count(*) AS count
			FROM fills WHERE executed_at >= ? GROUP BY 1`, []any{tz, since}},
	}
	for _, q := range queries {
		if err := db.WithContext(ctx).Raw(q.sql, q.args...).Scan(q.into).Error; err != nil {
			return out, fmt.Errorf("models: daily activity: %w", err)
		}
	}
	return out, nil
}

// FailedJobs are River's jobs that failed lately.
type FailedJobs struct {
	Discarded int64 // gave up after their last attempt, since the time asked for
	Retrying  int64 // failed an attempt and wait for the next (any age)
}

// FailedJobsSince counts the jobs discarded since since, and those waiting to retry.
func FailedJobsSince(ctx context.Context, db *gorm.DB, since time.Time) (FailedJobs, error) {
	var out FailedJobs
	err := db.WithContext(ctx).Raw(`SELECT
			(SELECT count(*) FROM river_job WHERE state = 'discarded' AND finalized_at >= ?) AS discarded,
			(SELECT count(*) FROM river_job WHERE state = 'retryable') AS retrying`, since).Scan(&out).Error
	if err != nil {
		return out, fmt.Errorf("models: failed jobs: %w", err)
	}
	return out, nil
}
