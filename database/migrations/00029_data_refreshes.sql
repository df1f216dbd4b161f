-- +goose Up
-- An operator's data refresh: the minute bars of chosen assets (or of a whole watchlist) are
-- fetched again for the last few days and every coarser candle they belong to is rebuilt. One row
-- per refresh, one per asset in it; each asset is one River job (refresh_asset) that records its
-- progress here as it goes, so the admin page can show it live and keep it as history.
CREATE TABLE data_refreshes (
    id              bigserial PRIMARY KEY,
    requested_by    bigint REFERENCES users (id) ON DELETE SET NULL,
    requested_email text NOT NULL DEFAULT '',
    watchlist_id    bigint REFERENCES watchlists (id) ON DELETE SET NULL,
    -- What was asked for, as the operator saw it ("AAPL, MSFT" or "watchlist Tech"), kept after
    -- the list is renamed or deleted.
    scope           text NOT NULL,
    days            integer NOT NULL CHECK (days BETWEEN 1 AND 366),
    -- The refreshed window ends here (the request's minute); every attempt covers the same chunks.
    window_end      timestamptz NOT NULL,
    status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
CREATE INDEX data_refreshes_newest ON data_refreshes (created_at DESC, id DESC);

CREATE TABLE data_refresh_items (
    refresh_id   bigint NOT NULL REFERENCES data_refreshes (id) ON DELETE CASCADE,
    asset_id     bigint NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    symbol       text NOT NULL,
    position     integer NOT NULL,
    job_id       bigint,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
    chunks_total integer NOT NULL CHECK (chunks_total >= 0),
    chunks_done  integer NOT NULL DEFAULT 0 CHECK (chunks_done >= 0),
    fetched      bigint NOT NULL DEFAULT 0, -- minute bars received from the provider
    built        bigint NOT NULL DEFAULT 0, -- candles written, minutes and every coarser timeframe
    error        text,
    started_at   timestamptz,
    finished_at  timestamptz,
    PRIMARY KEY (refresh_id, asset_id)
);
-- "Is this asset being refreshed already?"
CREATE INDEX data_refresh_items_active ON data_refresh_items (asset_id) WHERE status IN ('pending', 'running');

-- +goose Down
DROP TABLE data_refresh_items;
DROP TABLE data_refreshes;
