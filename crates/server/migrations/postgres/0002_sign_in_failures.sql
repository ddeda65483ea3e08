-- Failed sign-ins, counted per login and per client address over a
-- window, to throttle password guessing (429 with Retry-After). In the
-- database, so that every server instance counts the same attempts.
-- `scope` is `login:<normalized login>` or `address:<ip>`.
CREATE TABLE sign_in_failures (
    scope TEXT NOT NULL,
    at    BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_scope ON sign_in_failures (scope, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
