-- Accounts: people, their browser sessions, single-use e-mail tokens, API refresh-token families,
-- API keys for programs, and the shared rate-limit counters. Secrets (session ids, tokens, key
-- secrets) are stored only as SHA-256 hashes: a copy of this database opens no account.

-- +goose Up
CREATE TABLE users (
    id                  bigserial PRIMARY KEY,
    email               citext      NOT NULL UNIQUE CHECK (length(email) <= 254),
    name                text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    password_hash       text        NOT NULL,
    role                text        NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    active              boolean     NOT NULL DEFAULT true,
    email_verified_at   timestamptz,
    time_zone           text        NOT NULL DEFAULT 'America/New_York',
    avatar_file         text,
    terms_accepted_at   timestamptz NOT NULL,
    last_login_at       timestamptz,
    -- Tokens issued before this instant are void: set on password change and on disabling.
    credentials_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
    id_hash        bytea       PRIMARY KEY,
    user_id        bigint      REFERENCES users (id) ON DELETE CASCADE, -- NULL: a guest's session
    csrf_token     text        NOT NULL,
    flashes        jsonb       NOT NULL DEFAULT '[]',
    user_agent     text        NOT NULL DEFAULT '',
    ip             text        NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_seen_at   timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL  -- absolute limit; idle expiry is computed from last_seen_at
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE user_tokens (
    id          bigserial   PRIMARY KEY,
    user_id     bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text        NOT NULL CHECK (purpose IN ('reset_password', 'verify_email')),
    token_hash  bytea       NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_tokens_user_purpose ON user_tokens (user_id, purpose);

CREATE TABLE refresh_tokens (
    id          bigserial   PRIMARY KEY,
    user_id     bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   uuid        NOT NULL,
    token_hash  bytea       NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz, -- rotated: presenting it again is a theft signal
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE api_keys (
    id           bigserial   PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key_id       text        NOT NULL UNIQUE CHECK (key_id ~ '^[A-Z0-9]{20}$'),
    secret_hash  bytea       NOT NULL,
    label        text        NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_user ON api_keys (user_id);

CREATE TABLE rate_limits (
    key         text        PRIMARY KEY,
    hits        integer     NOT NULL,
    window_ends timestamptz NOT NULL
);
CREATE INDEX rate_limits_window_ends ON rate_limits (window_ends);

-- +goose Down
DROP TABLE rate_limits;
DROP TABLE api_keys;
DROP TABLE refresh_tokens;
DROP TABLE user_tokens;
DROP TABLE sessions;
DROP TABLE users;
