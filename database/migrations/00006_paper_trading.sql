-- Paper trading: accounts with their settings, orders with Alpaca's fields and statuses, fills with
-- their receipts, positions, the cash ledger and equity snapshots.
--
-- Invariants the engine keeps (and the invariant tests check):
--   * cash = sum of the account's ledger amounts, always (the ledger is the only way cash moves);
--   * a position's qty = the signed sum of its fills (in the same period);
--   * an order's filled_qty = the sum of its fills' qty and never exceeds its qty;
--   * every write that changes any of these is one transaction holding the account row lock.
-- A reset closes the current period (kept, not deleted) and starts a new one: rows carry the
-- period they belong to and pages show the current one.

-- +goose Up
CREATE TABLE paper_accounts (
    id                bigserial   PRIMARY KEY,
    user_id           bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name              text        NOT NULL CHECK (length(name) BETWEEN 1 AND 60 AND name = btrim(name)),
    -- Shown like Alpaca's account_number; random, not the id, so numbers do not reveal counts.
    number            text        NOT NULL UNIQUE,
    status            text        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'CLOSED')),
    currency          text        NOT NULL DEFAULT 'USD',
    starting_cash     numeric     NOT NULL CHECK (starting_cash > 0),
    cash              numeric     NOT NULL,
    -- Settings.
    margin            boolean     NOT NULL DEFAULT false, -- false: a cash account (multiplier 1)
    shorting_enabled  boolean     NOT NULL DEFAULT false,
    commission        text        NOT NULL DEFAULT 'free',
    regulatory_fees   boolean     NOT NULL DEFAULT false,
    realism           text        NOT NULL DEFAULT 'realistic' CHECK (realism IN ('easy', 'realistic', 'harsh')),
    -- The current period: bumped by a reset.
    period            integer     NOT NULL DEFAULT 1,
    period_started_at timestamptz NOT NULL DEFAULT now(),
    -- Equity at the previous close (Alpaca's last_equity), rolled by the snapshot job.
    last_equity       numeric     NOT NULL,
    last_equity_at    timestamptz,
    is_primary        boolean     NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX paper_accounts_user ON paper_accounts (user_id, id);
CREATE UNIQUE INDEX paper_accounts_user_name ON paper_accounts (user_id, lower(name));
CREATE UNIQUE INDEX paper_accounts_one_primary ON paper_accounts (user_id) WHERE is_primary;

-- One row per closed period: what the account looked like when it was reset.
CREATE TABLE paper_account_periods (
    account_id    bigint      NOT NULL REFERENCES paper_accounts (id) ON DELETE CASCADE,
    period        integer     NOT NULL,
    started_at    timestamptz NOT NULL,
    ended_at      timestamptz NOT NULL,
    starting_cash numeric     NOT NULL,
    ending_equity numeric     NOT NULL,
    PRIMARY KEY (account_id, period)
);

CREATE TABLE orders (
    id               uuid        PRIMARY KEY,
    account_id       bigint      NOT NULL REFERENCES paper_accounts (id) ON DELETE CASCADE,
    period           integer     NOT NULL,
    client_order_id  text        NOT NULL CHECK (length(client_order_id) BETWEEN 1 AND 48),
    asset_id         bigint      NOT NULL REFERENCES assets (id),
    symbol           text        NOT NULL,
    asset_class      text        NOT NULL,
    side             text        NOT NULL CHECK (side IN ('buy', 'sell')),
    type             text        NOT NULL CHECK (type IN ('market', 'limit', 'stop', 'stop_limit', 'trailing_stop')),
    time_in_force    text        NOT NULL CHECK (time_in_force IN ('day', 'gtc', 'opg', 'cls', 'ioc', 'fok')),
    order_class      text        NOT NULL DEFAULT 'simple' CHECK (order_class IN ('simple', 'bracket', 'oco', 'oto')),
    qty              numeric     CHECK (qty > 0),      -- NULL for a notional order until it fills
    notional         numeric     CHECK (notional > 0), -- NULL for a quantity order
    filled_qty       numeric     NOT NULL DEFAULT 0 CHECK (filled_qty >= 0),
    filled_avg_price numeric,
    limit_price      numeric,
    stop_price       numeric,
    trail_price      numeric,
    trail_percent    numeric,
    hwm              numeric,    -- a trailing stop's water mark
    triggered        boolean     NOT NULL DEFAULT false,
    -- false until the order has been evaluated in a session where it may trade: a queued order
    -- meets the open as an arriving order (and gets a gapped price), afterwards it rests.
    resting          boolean     NOT NULL DEFAULT false,
    extended_hours   boolean     NOT NULL DEFAULT false,
    status           text        NOT NULL CHECK (status IN ('new', 'accepted', 'held', 'partially_filled', 'filled',
                                     'canceled', 'expired', 'replaced', 'rejected', 'done_for_day')),
    -- Legs of bracket/OCO/OTO orders point at their parent (the entry, or an OCO's take-profit).
    parent_id        uuid        REFERENCES orders (id) ON DELETE CASCADE,
    leg              text        CHECK (leg IN ('take_profit', 'stop_loss')),
    replaces         uuid        REFERENCES orders (id),
    replaced_by      uuid        REFERENCES orders (id),
    -- Buying power the open order holds (recomputed as it fills); zero once it is closed.
    reserved         numeric     NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    -- When a day, opg or cls order expires (its session's close); NULL for gtc and legs of gtc.
    expires_at       timestamptz,
    reason           text        NOT NULL DEFAULT '', -- why it was rejected, canceled or expired, for people
    source           text        NOT NULL DEFAULT 'web' CHECK (source IN ('web', 'api', 'system')),
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    submitted_at     timestamptz NOT NULL,
    filled_at        timestamptz,
    canceled_at      timestamptz,
    expired_at       timestamptz,
    failed_at        timestamptz,
    replaced_at      timestamptz,
    CONSTRAINT orders_qty_or_notional CHECK ((qty IS NOT NULL) OR (notional IS NOT NULL)),
    CONSTRAINT orders_not_overfilled CHECK (qty IS NULL OR filled_qty <= qty)
);
CREATE UNIQUE INDEX orders_account_client_id ON orders (account_id, client_order_id);
CREATE INDEX orders_account_created ON orders (account_id, period, created_at DESC, id);
-- Open orders: the matcher's rebuild, buying power held, the expiry job.
CREATE INDEX orders_open ON orders (account_id) WHERE status IN ('new', 'accepted', 'held', 'partially_filled');
CREATE INDEX orders_expiring ON orders (expires_at) WHERE status IN ('new', 'accepted', 'held', 'partially_filled') AND expires_at IS NOT NULL;
CREATE INDEX orders_parent ON orders (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE fills (
    id            uuid        PRIMARY KEY,
    order_id      uuid        NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    account_id    bigint      NOT NULL REFERENCES paper_accounts (id) ON DELETE CASCADE,
    period        integer     NOT NULL,
    symbol        text        NOT NULL,
    side          text        NOT NULL CHECK (side IN ('buy', 'sell')),
    qty           numeric     NOT NULL CHECK (qty > 0),
    price         numeric     NOT NULL CHECK (price > 0),
    commission    numeric     NOT NULL DEFAULT 0,
    sec_fee       numeric     NOT NULL DEFAULT 0,
    taf_fee       numeric     NOT NULL DEFAULT 0,
    -- P&L this fill realised by closing (part of) a position, before fees.
    realized_pl   numeric     NOT NULL DEFAULT 0,
    partial       boolean     NOT NULL, -- Alpaca's partial_fill vs fill event
    cum_qty       numeric     NOT NULL,
    leaves_qty    numeric     NOT NULL,
    position_qty  numeric     NOT NULL, -- the position after this fill
    receipt       jsonb       NOT NULL,
    executed_at   timestamptz NOT NULL
);
CREATE INDEX fills_order ON fills (order_id);
CREATE INDEX fills_account_time ON fills (account_id, period, executed_at DESC, id);

CREATE TABLE positions (
    account_id      bigint      NOT NULL REFERENCES paper_accounts (id) ON DELETE CASCADE,
    period          integer     NOT NULL,
    symbol          text        NOT NULL,
    asset_id        bigint      NOT NULL REFERENCES assets (id),
    asset_class     text        NOT NULL,
    qty             numeric     NOT NULL, -- negative for a short; a flat position has no row
    avg_entry_price numeric     NOT NULL,
    opened_at       timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (account_id, period, symbol)
);

-- Every movement of cash. kind names what moved it; Alpaca's activity type is derived from it.
CREATE TABLE cash_ledger (
    id            bigserial   PRIMARY KEY,
    account_id    bigint      NOT NULL REFERENCES paper_accounts (id) ON DELETE CASCADE,
    period        integer     NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('deposit', 'fill', 'commission', 'regulatory_fee', 'reset')),
    amount        numeric     NOT NULL,
    balance_after numeric     NOT NULL,
    order_id      uuid        REFERENCES orders (id) ON DELETE SET NULL,
    fill_id       uuid        REFERENCES fills (id) ON DELETE SET NULL,
    description   text        NOT NULL,
    created_at    timestamptz NOT NULL
);
CREATE INDEX cash_ledger_account ON cash_ledger (account_id, period, id DESC);

CREATE TABLE equity_snapshots (
    account_id         bigint      NOT NULL REFERENCES paper_accounts (id) ON DELETE CASCADE,
    period             integer     NOT NULL,
    at                 timestamptz NOT NULL,
    kind               text        NOT NULL CHECK (kind IN ('intraday', 'close')),
    equity             numeric     NOT NULL,
    cash               numeric     NOT NULL,
    long_market_value  numeric     NOT NULL,
    short_market_value numeric     NOT NULL,
    -- Cash that came in (+) or went out (-) since the previous snapshot other than by trading
    -- (a reset's adjustment), so returns are not mistaken for deposits.
    net_flow           numeric     NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, at)
);
CREATE INDEX equity_snapshots_period ON equity_snapshots (account_id, period, at);

-- +goose Down
DROP TABLE equity_snapshots;
DROP TABLE cash_ledger;
DROP TABLE positions;
DROP TABLE fills;
DROP TABLE orders;
DROP TABLE paper_account_periods;
DROP TABLE paper_accounts;
