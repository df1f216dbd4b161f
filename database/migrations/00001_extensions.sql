-- Extensions every later migration may rely on. Both are "trusted" since PostgreSQL 13, so the
-- database owner can create them without superuser rights (managed services included).

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm; -- trigram search over asset symbols and names
CREATE EXTENSION IF NOT EXISTS citext;  -- case-insensitive e-mail addresses

-- +goose Down
DROP EXTENSION IF EXISTS citext;
DROP EXTENSION IF EXISTS pg_trgm;
