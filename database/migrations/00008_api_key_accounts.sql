-- Each API key acts on one paper account, chosen when the key is made, as an Alpaca key belongs
-- to one account. Keys made before this column existed act on their owner's primary account.
-- NULL (a person without an account when the key was made) also means the primary account,
-- resolved when the key is used.

-- +goose Up
ALTER TABLE api_keys ADD COLUMN account_id bigint REFERENCES paper_accounts (id) ON DELETE CASCADE;
UPDATE api_keys k SET account_id = a.id FROM paper_accounts a WHERE a.user_id = k.user_id AND a.is_primary;
CREATE INDEX api_keys_account ON api_keys (account_id);

-- +goose Down
DROP INDEX api_keys_account;
ALTER TABLE api_keys DROP COLUMN account_id;
