-- The operators' audit log (issue 17): one row per administrator action, written in the same
-- transaction as the change it records, so an entry exists exactly when the change committed.
-- History must not be rewritable, not even by a bug in the application: a trigger refuses every
-- UPDATE, DELETE and TRUNCATE of the table. (A superuser can still drop the trigger; that takes a
-- migration, which leaves its own trace.)
--
-- actor_user_id has no foreign key on purpose: deleting an account would otherwise have to cascade
-- into, or null out, rows that must never change. actor_email keeps who it was regardless.
--
-- Paper accounts gain trading_frozen_at: an operator can freeze trading on an account; the engine
-- and the Alpaca API then refuse new orders on it (Alpaca's trading_blocked).

-- +goose Up
CREATE TABLE audit_entries (
    id             bigserial   PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    actor_user_id  bigint,
    actor_email    text        NOT NULL DEFAULT '',
    actor_session  text        NOT NULL DEFAULT '', -- the session's public handle (auth.Handle), never its secret
    ip             text        NOT NULL DEFAULT '',
    action         text        NOT NULL CHECK (action ~ '^[a-z][a-z_.]{0,63}$'),
    target_type    text        NOT NULL CHECK (length(target_type) BETWEEN 1 AND 64),
    target_id      text        NOT NULL CHECK (length(target_id) <= 128),
    before         jsonb,
    after          jsonb
);
CREATE INDEX audit_entries_at ON audit_entries (at);
CREATE INDEX audit_entries_actor ON audit_entries (actor_user_id, id);
CREATE INDEX audit_entries_target ON audit_entries (target_type, target_id, id);
CREATE INDEX audit_entries_action ON audit_entries (action, id);

-- +goose StatementBegin
CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW
    EXECUTE FUNCTION audit_entries_append_only();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries FOR EACH STATEMENT
    EXECUTE FUNCTION audit_entries_append_only();

ALTER TABLE paper_accounts ADD COLUMN trading_frozen_at timestamptz;

-- +goose Down
ALTER TABLE paper_accounts DROP COLUMN trading_frozen_at;
DROP TABLE audit_entries;
DROP FUNCTION audit_entries_append_only();
