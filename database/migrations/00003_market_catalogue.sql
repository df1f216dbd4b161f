-- Market catalogue: the provider's assets, the US equity trading calendar, and a record of every
-- sync of either. There is no "is syncing" flag (the original raced on one): River's unique jobs
-- and a transaction-level advisory lock in the sync itself allow one sync of a kind at a time.

-- +goose Up
CREATE TABLE assets (
    id                  bigserial   PRIMARY KEY,
    provider_id         text        UNIQUE, -- the provider's id (Alpaca's UUID); NULL once another symbol took it
    symbol              text        NOT NULL UNIQUE,
    name                text        NOT NULL,
    class               text        NOT NULL CHECK (class IN ('us_equity', 'crypto')),
    exchange            text        NOT NULL,
    active              boolean     NOT NULL,
    tradable            boolean     NOT NULL DEFAULT false,
    marginable          boolean     NOT NULL DEFAULT false,
    shortable           boolean     NOT NULL DEFAULT false,
    easy_to_borrow      boolean     NOT NULL DEFAULT false,
    fractionable        boolean     NOT NULL DEFAULT false,
    margin_requirement  numeric,    -- maintenance margin in percent; NULL when unknown
    min_order_size      numeric,    -- crypto only
    min_trade_increment numeric,    -- crypto only
    price_increment     numeric,    -- crypto only
    synced_at           timestamptz NOT NULL, -- when the provider last listed it
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now() -- when a field last changed
) WITH (fillfactor = 50);
-- Half-empty pages: every sync rewrites every row (synced_at), and a rewrite that fits on its own
-- page and changes no indexed column is a HOT update, which adds nothing to the indexes. Without
-- the room, each daily sync would add tens of thousands of entries to the trigram indexes.
-- Search: exact and prefix matches on the symbol whatever the case typed, name prefixes, and
-- trigram similarity (which also serves ILIKE and regular expressions) for typos and words inside names.
CREATE INDEX assets_symbol_upper ON assets (upper(symbol) text_pattern_ops);
CREATE INDEX assets_name_lower ON assets (lower(name) text_pattern_ops);
CREATE INDEX assets_symbol_trgm ON assets USING gin (symbol gin_trgm_ops);
CREATE INDEX assets_name_trgm ON assets USING gin (name gin_trgm_ops);
-- Filters and facet counts.
CREATE INDEX assets_class_exchange ON assets (class, exchange);
CREATE INDEX assets_active_tradable ON assets (active, tradable);

-- One row per trading day; holidays and weekends have none. Times are UTC instants.
CREATE TABLE market_days (
    date          date        PRIMARY KEY, -- the trading day in America/New_York
    open          timestamptz NOT NULL,    -- regular session
    close         timestamptz NOT NULL,    -- 16:00 ET, or 13:00 ET on early-close days
    session_open  timestamptz NOT NULL,    -- pre-market start, 04:00 ET
    session_close timestamptz NOT NULL,    -- after-hours end, 20:00 ET (17:00 ET after an early close)
    synced_at     timestamptz NOT NULL,
    CHECK (session_open <= open AND open < close AND close <= session_close)
);

-- Every sync of the catalogue or the calendar, for the admin pages. A run is inserted when it starts
-- and completed when it ends, so one without finished_at is running, or died with its process.
CREATE TABLE sync_runs (
    id           bigserial   PRIMARY KEY,
    kind         text        NOT NULL CHECK (kind IN ('assets', 'calendar')),
    job_id       bigint,     -- the River job that ran it, when there was one
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    upserted     integer     NOT NULL DEFAULT 0, -- rows inserted or refreshed
    deactivated  integer     NOT NULL DEFAULT 0, -- assets no longer listed, or calendar days withdrawn
    error        text        -- NULL: succeeded (or still running)
);
CREATE INDEX sync_runs_kind_started ON sync_runs (kind, started_at DESC);

-- +goose Down
DROP TABLE sync_runs;
DROP TABLE market_days;
DROP TABLE assets;
