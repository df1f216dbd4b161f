-- A position's cost basis in cash: what its open quantity cost to the cent (negative for a short:
-- what opening it brought in). Realised P&L is released from it as the position closes, so the
-- cash the fills moved always equals the realised P&L less the open positions' cost basis, to
-- the cent (issue 11, bug 8). Rows that exist are given qty × average entry price.

-- +goose Up
ALTER TABLE positions ADD COLUMN cost_basis numeric NOT NULL DEFAULT 0;
UPDATE positions SET cost_basis = round(qty * avg_entry_price, 2);

-- +goose Down
ALTER TABLE positions DROP COLUMN cost_basis;
