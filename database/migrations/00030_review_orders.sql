-- Review before sending (issue 14): the trade pages show an order's figures and legs for a last
-- look before it is sent, as Alpaca's and Robinhood's dashboards do. On for every account, the
-- ones that exist included; the owner may turn it off per account.

-- +goose Up
ALTER TABLE paper_accounts ADD COLUMN review_orders boolean NOT NULL DEFAULT true;

-- +goose Down
ALTER TABLE paper_accounts DROP COLUMN review_orders;
