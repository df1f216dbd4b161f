-- Watchlists: named, ordered lists of assets. A list belongs to one person, or, with no owner, is
-- global: shown to everyone and changed only by administrators. One global list is the default
-- that guests see. Removing an asset deletes its row outright, so a list's items and its count
-- can never disagree (the original kept soft-removed rows that the count left out).

-- +goose Up
CREATE TABLE watchlists (
    id          bigserial   PRIMARY KEY,
    owner_id    bigint      REFERENCES users (id) ON DELETE CASCADE, -- NULL: a global list
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 60 AND name = btrim(name)),
    position    integer     NOT NULL DEFAULT 0,
    is_default  boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    -- Only a global list can be what guests see.
    CONSTRAINT watchlists_default_is_global CHECK (NOT is_default OR owner_id IS NULL)
);
-- One name per owner whatever its case; globals share owner 0, so their names are unique too. A
-- person's own list may still be called like a global one.
CREATE UNIQUE INDEX watchlists_owner_name ON watchlists ((coalesce(owner_id, 0)), lower(name));
-- At most one default.
CREATE UNIQUE INDEX watchlists_one_default ON watchlists ((true)) WHERE is_default;
CREATE INDEX watchlists_owner_position ON watchlists (owner_id, position);

CREATE TABLE watchlist_assets (
    watchlist_id bigint      NOT NULL REFERENCES watchlists (id) ON DELETE CASCADE,
    asset_id     bigint      NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    position     integer     NOT NULL,
    added_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (watchlist_id, asset_id)
);
CREATE INDEX watchlist_assets_list_position ON watchlist_assets (watchlist_id, position);
-- For the cascade from assets, and for "which symbols does anyone watch".
CREATE INDEX watchlist_assets_asset ON watchlist_assets (asset_id);

-- +goose Down
DROP TABLE watchlist_assets;
DROP TABLE watchlists;
