-- The relay's health per web process, beside its heartbeat (issue 15, item 6): how old the last
-- relayed quote batch was when it arrived, and when that was. NULL for a process that receives no
-- relay (it runs the feed itself, or has no web role).

-- +goose Up
ALTER TABLE processes
    ADD COLUMN relay_lag_ms  double precision,
    ADD COLUMN relay_last_at timestamptz;

-- +goose Down
ALTER TABLE processes
    DROP COLUMN relay_lag_ms,
    DROP COLUMN relay_last_at;
