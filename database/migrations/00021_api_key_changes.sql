-- Processes keep verified API keys in memory (auth/apikeys_cache.go), so a bot's request costs no
-- key lookup. Whatever can make a remembered key wrong tells every process at once, with a NOTIFY
-- on channel api_key_changes at commit: a key revoked, rebound or deleted (a deleted account or
-- person cascades here); its owner disabled or enabled; an owner's primary account changing (an
-- unbound key acts on it). Each process then forgets every key it holds. These are rare changes,
-- so the NOTIFY's commit-time lock costs nothing that matters; the WHEN clauses keep the frequent
-- updates (last_used_at, cash, logins) from firing at all.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION notify_api_key_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('api_key_changes', '');
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER api_keys_changed AFTER UPDATE ON api_keys FOR EACH ROW
    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.account_id IS DISTINCT FROM NEW.account_id
          OR OLD.secret_hash IS DISTINCT FROM NEW.secret_hash OR OLD.user_id IS DISTINCT FROM NEW.user_id
          OR OLD.key_id IS DISTINCT FROM NEW.key_id)
    EXECUTE FUNCTION notify_api_key_changes();
CREATE TRIGGER api_keys_deleted AFTER DELETE ON api_keys FOR EACH ROW
    EXECUTE FUNCTION notify_api_key_changes();
CREATE TRIGGER users_active_changed AFTER UPDATE ON users FOR EACH ROW
    WHEN (OLD.active IS DISTINCT FROM NEW.active)
    EXECUTE FUNCTION notify_api_key_changes();
CREATE TRIGGER paper_accounts_primary_changed AFTER UPDATE ON paper_accounts FOR EACH ROW
    WHEN (OLD.is_primary IS DISTINCT FROM NEW.is_primary OR OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION notify_api_key_changes();
CREATE TRIGGER paper_accounts_deleted AFTER DELETE ON paper_accounts FOR EACH ROW
    EXECUTE FUNCTION notify_api_key_changes();

-- +goose Down
DROP TRIGGER paper_accounts_deleted ON paper_accounts;
DROP TRIGGER paper_accounts_primary_changed ON paper_accounts;
DROP TRIGGER users_active_changed ON users;
DROP TRIGGER api_keys_deleted ON api_keys;
DROP TRIGGER api_keys_changed ON api_keys;
DROP FUNCTION notify_api_key_changes();
