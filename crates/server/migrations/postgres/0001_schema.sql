-- Custody's schema (PostgreSQL). The SQLite twin is ../sqlite/0001_schema.sql;
-- keep them in step. Ids are the specification's text ids, unique across
-- principals and resources. Timestamps are milliseconds since the Unix epoch.

-- Users, service accounts and groups: one table, so that grants, owners and
-- group members reference one id space. `email_norm` (trimmed, lowercase)
-- makes emails unique case-insensitively.
CREATE TABLE principals (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('user', 'service_account', 'group')),
    email         TEXT,
    email_norm    TEXT UNIQUE,
    name          TEXT,
    data_owner    BIGINT NOT NULL DEFAULT 0 CHECK (data_owner IN (0, 1)),
    password_hash TEXT,
    created_at    BIGINT NOT NULL
);

-- Group membership (nesting allowed; cycles are refused by the code that
-- adds members) and the admins who manage a group's members.
CREATE TABLE group_members (
    group_id  TEXT NOT NULL REFERENCES principals (id),
    member_id TEXT NOT NULL REFERENCES principals (id),
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX group_members_member ON group_members (member_id);

CREATE TABLE group_admins (
    group_id TEXT NOT NULL REFERENCES principals (id),
    admin_id TEXT NOT NULL REFERENCES principals (id),
    PRIMARY KEY (group_id, admin_id)
);

-- Projects, runs, biosamples, libraries, pools, lab requeues, analyses,
-- datasets and files. A file has a parent (a run or a dataset) and a format.
CREATE TABLE resources (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('project', 'run', 'biosample', 'library', 'pool',
                                             'lab_requeue', 'analysis', 'dataset', 'file')),
    owner_id   TEXT NOT NULL REFERENCES principals (id),
    name       TEXT,
    parent_id  TEXT REFERENCES resources (id),
    format     TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX resources_owner ON resources (owner_id);
CREATE INDEX resources_parent ON resources (parent_id);
CREATE INDEX resources_kind_name ON resources (kind, name);

-- Which projects a non-project resource is associated with (many to many).
CREATE TABLE resource_projects (
    resource_id TEXT NOT NULL REFERENCES resources (id),
    project_id  TEXT NOT NULL REFERENCES resources (id),
    PRIMARY KEY (resource_id, project_id)
);
CREATE INDEX resource_projects_project ON resource_projects (project_id);

-- The biosamples sequenced on a run.
CREATE TABLE run_biosamples (
    run_id       TEXT NOT NULL REFERENCES resources (id),
    biosample_id TEXT NOT NULL REFERENCES resources (id),
    PRIMARY KEY (run_id, biosample_id)
);
CREATE INDEX run_biosamples_biosample ON run_biosamples (biosample_id);

-- Shares: one principal's access (level `read` or `write`, plus permissions
-- in the `direct` profile, comma-separated) on one resource.
CREATE TABLE grants (
    resource_id  TEXT NOT NULL REFERENCES resources (id),
    principal_id TEXT NOT NULL REFERENCES principals (id),
    level        TEXT NOT NULL CHECK (level IN ('read', 'write')),
    permissions  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (resource_id, principal_id)
);
CREATE INDEX grants_principal ON grants (principal_id);

-- Ownership transfers. `to_email` is an address that may have no account
-- yet; at most one transfer of a resource is pending at a time.
CREATE TABLE transfers (
    id            TEXT PRIMARY KEY,
    resource_id   TEXT NOT NULL REFERENCES resources (id),
    from_id       TEXT NOT NULL REFERENCES principals (id),
    to_email      TEXT NOT NULL,
    to_email_norm TEXT NOT NULL,
    message       TEXT,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'canceled')),
    created_at    BIGINT NOT NULL,
    decided_at    BIGINT,
    decided_by    TEXT REFERENCES principals (id)
);
CREATE UNIQUE INDEX transfers_one_pending ON transfers (resource_id) WHERE status = 'pending';
CREATE INDEX transfers_to ON transfers (to_email_norm);
CREATE INDEX transfers_from ON transfers (from_id);

-- Every confirmed action: who, what, the digest of the preview they saw and
-- its summary. Append-only (the triggers refuse updates and deletes).
CREATE TABLE audit_log (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         BIGINT NOT NULL,
    actor_id   TEXT NOT NULL,
    action     TEXT NOT NULL,
    digest     TEXT NOT NULL,
    summary    TEXT NOT NULL,
    outcome    TEXT NOT NULL
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Per-person notifications (transfer offered, accepted, ...; share received
-- or removed).
CREATE TABLE notifications (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    principal_id TEXT NOT NULL REFERENCES principals (id),
    kind         TEXT NOT NULL,
    actor_id     TEXT NOT NULL,
    resource_id  TEXT,
    transfer_id  TEXT,
    text         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    read_at      BIGINT
);
CREATE INDEX notifications_principal ON notifications (principal_id, id);

-- Sessions: only a hash of the cookie's id is stored, so a leaked database
-- holds no usable session.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    principal_id TEXT NOT NULL REFERENCES principals (id),
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_principal ON sessions (principal_id);

-- The first answer to each idempotency key, returned again on a retry.
CREATE TABLE idempotency_keys (
    principal_id TEXT NOT NULL REFERENCES principals (id),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT NOT NULL,
    response     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (principal_id, key)
);
