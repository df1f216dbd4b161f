-- The durable trade-event log: one row per change to an order (new, fill, partial_fill,
-- canceled, expired, replaced, rejected, a held leg activating, ...), written in the same
-- transaction as the change, so that the log holds exactly what committed. Listeners (the
-- browser's /ws/trading, SSE /v2/events/trades, the /stream WebSocket) read it by id, on any
-- process: a client that reconnects resumes after its last id, a process that restarts loses
-- nothing.
--
-- Order of ids: every engine transaction holds its account's row lock from before it inserts
-- its events until it commits, so within one account ids are allocated in commit order and a
-- reader that has seen id N of an account will never later see a smaller one appear there.
-- Across accounts ids say nothing about commit order; every reader reads per account.
-- at is strictly increasing within an account too (the insert moves it a microsecond past the
-- previous event when the clock would tie), so Alpaca's since=<time> resume is exact.

-- +goose Up
CREATE TABLE trade_events (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id   bigint      NOT NULL REFERENCES paper_accounts (id) ON DELETE CASCADE,
    event        text        NOT NULL CHECK (length(event) BETWEEN 1 AND 32),
    -- Null only for account-wide events (account_reset).
    order_id     uuid,
    at           timestamptz NOT NULL,
    -- Fills only: this fill's price and quantity, the position after it, the fill's id.
    price        numeric,
    qty          numeric,
    position_qty numeric,
    fill_id      uuid,
    -- The order as it was just after the change (the engine's own shape, models.Order).
    order_json   jsonb
);
CREATE INDEX trade_events_account ON trade_events (account_id, id);
CREATE INDEX trade_events_account_at ON trade_events (account_id, at);

-- +goose Down
DROP TABLE trade_events;
