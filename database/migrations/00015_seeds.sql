-- +goose Up
-- seeds records the one-time starter content the app has put in place (the starter watchlists), so
-- that it is made once on a fresh install and never comes back after an administrator removes it.
CREATE TABLE seeds (
    name    text        PRIMARY KEY,
    done_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE seeds;
