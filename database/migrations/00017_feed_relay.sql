-- The elected market feed and the quote relay (issue 15, items 1 and 2).
--
-- feed_lease is one row: who holds the feed role, under which epoch, until when. A process takes
-- the role by holding a session advisory lock (see feedlease), then bumps the epoch; it renews
-- expires_at while it holds the lock. Every fill the matcher applies checks, inside its
-- transaction, that its epoch is still the row's and the lease has not expired (FOR KEY SHARE,
-- so a takeover, which locks the row FOR UPDATE, waits for fills in flight and fences the rest).
--
-- feed_demand is what each web process's browsers want streamed, rewritten by the process on
-- every change and heartbeat. It is scratch state (lost on a server crash, rebuilt within a
-- heartbeat), so it is unlogged: no WAL for a table rewritten every few seconds.

-- +goose Up
CREATE TABLE feed_lease (
    id          smallint    PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    epoch       bigint      NOT NULL DEFAULT 0,
    holder      text        NOT NULL DEFAULT '',
    acquired_at timestamptz,
    expires_at  timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO feed_lease DEFAULT VALUES;

CREATE UNLOGGED TABLE feed_demand (
    process    text        NOT NULL,
    symbol     text        NOT NULL,
    priority   smallint    NOT NULL,
    refs       integer     NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (process, symbol)
);

-- +goose Down
DROP TABLE feed_demand;
DROP TABLE feed_lease;
