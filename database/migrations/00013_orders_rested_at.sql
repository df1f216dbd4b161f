-- An order's "resting" flag becomes the time it last met a usable quote (issue 11, bug 3): an order
-- is arriving until it has met a usable quote in the session in progress, so one that rested
-- yesterday meets today's first quote as an arriving order and gets the better opening price on a
-- gap. A flag cannot say which session it was set in; a time can. Existing resting orders keep
-- their last change as the time they rested.

-- +goose Up
ALTER TABLE orders ADD COLUMN rested_at timestamptz;
UPDATE orders SET rested_at = updated_at WHERE resting;
ALTER TABLE orders DROP COLUMN resting;

-- +goose Down
ALTER TABLE orders ADD COLUMN resting boolean NOT NULL DEFAULT false;
UPDATE orders SET resting = true WHERE rested_at IS NOT NULL;
ALTER TABLE orders DROP COLUMN rested_at;
