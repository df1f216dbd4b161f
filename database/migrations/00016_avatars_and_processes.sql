-- Nothing on local disk, and every process visible: uploads live in PostgreSQL, so any web process
-- serves any picture, and each running process keeps a row up to date so an operator can see who
-- is running what (the status page).

-- +goose Up
-- avatars holds profile pictures. name is the one users.avatar_file points at (the URL's last
-- segment); the bytes were checked to be a PNG, JPEG or GIF at upload. etag is derived from the
-- bytes, so a cached copy is revalidated without sending them again.
CREATE TABLE avatars (
    name          text        PRIMARY KEY CHECK (name ~ '^[0-9]+-[0-9a-f]{16}\.(png|jpg|gif)$'),
    user_id       bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_type  text        NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/gif')),
    data          bytea       NOT NULL CHECK (octet_length(data) BETWEEN 1 AND 2097152),
    etag          text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX avatars_user_id ON avatars (user_id);

-- processes has one row per running process (serve, worker): what it runs and how many live
-- connections it holds, renewed by a heartbeat. A row whose heartbeat stopped is a process that
-- died without saying so; the status page shows it as gone and the next heartbeat of any process
-- deletes it after a while.
CREATE TABLE processes (
    name          text        PRIMARY KEY,
    roles         text[]      NOT NULL,
    version       text        NOT NULL DEFAULT '',
    started_at    timestamptz NOT NULL,
    heartbeat_at  timestamptz NOT NULL DEFAULT now(),
    clients       jsonb       NOT NULL DEFAULT '{}'
);

-- +goose Down
DROP TABLE processes;
DROP TABLE avatars;
