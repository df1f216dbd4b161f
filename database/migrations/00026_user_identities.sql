-- Sign-in with OpenID Connect providers (issue 20). An identity is the provider's account, named
-- by its issuer and subject: the only pair a provider promises never to reassign. The e-mail
-- address is a copy of what the provider last said, shown on the settings page and never used to
-- find an account. password_hash '' is an account made through a provider, with no password yet.

-- +goose Up
CREATE TABLE user_identities (
    id           bigserial   PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider     text        NOT NULL CHECK (length(provider) BETWEEN 1 AND 31),
    issuer       text        NOT NULL CHECK (length(issuer) BETWEEN 1 AND 500),
    subject      text        NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    email        text        NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    UNIQUE (issuer, subject)
);
CREATE INDEX user_identities_user ON user_identities (user_id);

-- +goose Down
DROP TABLE user_identities;
