-- The world's generation: a number that every change to what the policy
-- reads (principals but their passwords, memberships, admins, resources,
-- associations, run biosamples, grants, transfers) moves on, in the same
-- transaction, by trigger, so that no writer can forget it. A reader that
-- sees the same generation in its snapshot sees the same world, which lets
-- the server keep a large project's access context between reads
-- (`context_cache.rs`) and check it with one row's read.
--
-- PostgreSQL bumps it once per statement. The row's lock is held to the
-- end of the writing transaction; confirmations already apply one at a
-- time (the advisory lock in `db.rs`), so it adds no waiting to them.
CREATE TABLE world_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT NOT NULL
);
INSERT INTO world_generation (id, n) VALUES (1, 0);

CREATE FUNCTION bump_world_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER principals_generation AFTER INSERT OR UPDATE OF id, kind, email, email_norm, name, data_owner OR DELETE OR TRUNCATE ON principals
    FOR EACH STATEMENT EXECUTE FUNCTION bump_world_generation();
CREATE TRIGGER group_members_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON group_members
    FOR EACH STATEMENT EXECUTE FUNCTION bump_world_generation();
CREATE TRIGGER group_admins_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON group_admins
    FOR EACH STATEMENT EXECUTE FUNCTION bump_world_generation();
CREATE TRIGGER resources_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON resources
    FOR EACH STATEMENT EXECUTE FUNCTION bump_world_generation();
CREATE TRIGGER resource_projects_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON resource_projects
    FOR EACH STATEMENT EXECUTE FUNCTION bump_world_generation();
CREATE TRIGGER run_biosamples_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON run_biosamples
    FOR EACH STATEMENT EXECUTE FUNCTION bump_world_generation();
CREATE TRIGGER grants_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON grants
    FOR EACH STATEMENT EXECUTE FUNCTION bump_world_generation();
CREATE TRIGGER transfers_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON transfers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_world_generation();
