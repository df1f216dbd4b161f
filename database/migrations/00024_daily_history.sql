-- +goose Up
-- Years of history: before the minutes a backfill loads, the provider's daily bars are stored as
-- 1D candles (source 'daily'); backfill_state records how far back they reach, so a re-run loads
-- only what is missing. The rule where the two meet is in candles/daily.go.
ALTER TABLE candles DROP CONSTRAINT candles_source_check;
ALTER TABLE candles ADD CONSTRAINT candles_source_check CHECK (source IN ('live', 'backfill', 'daily'));

ALTER TABLE backfill_state
    ADD COLUMN daily_from timestamptz,
    ADD COLUMN daily_bars bigint NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE backfill_state DROP COLUMN daily_bars, DROP COLUMN daily_from;
DELETE FROM candles WHERE source = 'daily';
ALTER TABLE candles DROP CONSTRAINT candles_source_check;
ALTER TABLE candles ADD CONSTRAINT candles_source_check CHECK (source IN ('live', 'backfill'));
