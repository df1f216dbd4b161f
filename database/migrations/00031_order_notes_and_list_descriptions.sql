-- The journal habit of the original (issue 14, item 17): its paper trades carried notes; here a
-- person may keep a note and tags on any real order, written and edited after the fact, and find
-- fills by them on the activity page. Notes live in their own table, not in orders: editing one
-- never locks or rewrites the row the engine fills, and the engine's writes never touch a note.
-- Tags are stored lower-case, each 1–32 characters without commas or spaces, at most 10.
--
-- Watchlists regain the original's description.

-- +goose Up
CREATE TABLE order_notes (
    order_id    uuid        PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    account_id  bigint      NOT NULL REFERENCES paper_accounts (id) ON DELETE CASCADE,
    note        text        NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    tags        text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 10),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_notes_account ON order_notes (account_id);
CREATE INDEX order_notes_tags ON order_notes USING gin (tags);

ALTER TABLE watchlists ADD COLUMN description text NOT NULL DEFAULT ''
    CHECK (length(description) <= 280);

-- +goose Down
ALTER TABLE watchlists DROP COLUMN description;
DROP TABLE order_notes;
