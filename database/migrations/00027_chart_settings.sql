-- Chart settings remembered per person (issue 16): the indicators a signed-in person last set up
-- on the chart page, in the chart's own ind= notation (static/js/indicators.js parses it), so the
-- next chart they open starts with them. One row per person; a URL's ind= still wins on the page.

-- +goose Up
CREATE TABLE chart_settings (
    user_id    bigint      PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    indicators text        NOT NULL DEFAULT '' CHECK (length(indicators) <= 4000),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE chart_settings;
