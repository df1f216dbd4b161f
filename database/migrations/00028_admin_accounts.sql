-- Operators' paper-account actions and the admin home (issue 17, items 1 and 4).
--
-- An operator's cash adjustment is a ledger line of its own kind, 'adjustment', with the reason in
-- its description: cash never changes without a line that says why.
--
-- The admin home counts sign-ups, sign-ins, orders and fills per day over the last 30 days. Each
-- count reads a range of one timestamp column, so each gets an index on it; without them the home
-- page would scan the whole of orders and fills, which grow without bound.

-- +goose Up
ALTER TABLE cash_ledger DROP CONSTRAINT cash_ledger_kind_check;
ALTER TABLE cash_ledger ADD CONSTRAINT cash_ledger_kind_check
    CHECK (kind IN ('deposit', 'fill', 'commission', 'regulatory_fee', 'reset', 'adjustment'));

CREATE INDEX users_created_at ON users (created_at);
CREATE INDEX sessions_user_created ON sessions (created_at) INCLUDE (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX orders_created_at ON orders (created_at) INCLUDE (account_id);
CREATE INDEX fills_executed_at ON fills (executed_at);

-- +goose Down
DROP INDEX fills_executed_at;
DROP INDEX orders_created_at;
DROP INDEX sessions_user_created;
DROP INDEX users_created_at;
ALTER TABLE cash_ledger DROP CONSTRAINT cash_ledger_kind_check;
ALTER TABLE cash_ledger ADD CONSTRAINT cash_ledger_kind_check
    CHECK (kind IN ('deposit', 'fill', 'commission', 'regulatory_fee', 'reset'));
