-- Candles: OHLCV rows of every timeframe in one table, and the backfill progress per asset.
--
-- The 1-minute rows (timeframe '1m') are the source of truth. Every coarser row is derived: it is
-- recomputed from the stored minutes of its bucket whenever one of them is written, live or
-- backfilled, and upserted whole. A replayed, retried or late minute therefore replaces itself and
-- the recomputed bucket comes out the same: volume is never added twice. One table rather than a
-- separate bars_1m keeps one query path (and one primary-key index) for charts of any timeframe,
-- and the recomputation reads the minutes through that same index.
--
-- Bucket boundaries are decided in Go (market.BucketOf) from the trading calendar, never in SQL,
-- so live and backfilled rows can only land on the same timestamps.

-- +goose Up
CREATE TABLE candles (
    asset_id     bigint      NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    timeframe    text        NOT NULL CHECK (timeframe IN ('1m', '5m', '15m', '30m', '1h', '4h', '1D')),
    bucket_start timestamptz NOT NULL,
    open         numeric     NOT NULL,
    high         numeric     NOT NULL,
    low          numeric     NOT NULL,
    close        numeric     NOT NULL,
    volume       numeric     NOT NULL CHECK (volume >= 0),
    trade_count  bigint      NOT NULL DEFAULT 0 CHECK (trade_count >= 0),
    vwap         numeric     NOT NULL,
    -- Which path last changed the row. Coarser rows take the source of the write that recomputed them.
    source       text        NOT NULL CHECK (source IN ('live', 'backfill')),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (asset_id, timeframe, bucket_start)
);

CREATE TABLE backfill_state (
    asset_id        bigint      PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    -- [backfilled_from, backfilled_to) is the one contiguous span already loaded; a retry resumes
    -- from its edges instead of starting over.
    backfilled_from timestamptz,
    backfilled_to   timestamptz,
    bars_loaded     bigint      NOT NULL DEFAULT 0,
    last_error      text        NOT NULL DEFAULT '',
    started_at      timestamptz,
    finished_at     timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (backfilled_from IS NULL OR backfilled_to IS NULL OR backfilled_from <= backfilled_to)
);

-- +goose Down
DROP TABLE backfill_state;
DROP TABLE candles;
