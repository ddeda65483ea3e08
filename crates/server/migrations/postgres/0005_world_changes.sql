-- Which ids each change to the world touches, so that a kept access
-- context is let go of only when a change reaches it (`context_cache.rs`),
-- not whenever anything anywhere changes. The SQLite twin,
-- ../sqlite/0005_world_changes.sql, says what is logged and why.
--
-- PostgreSQL logs a statement's rows at once, from its transition tables
-- (which a trigger may have for one event only: one trigger per event),
-- each table with a function of its own, so that the statements are
-- planned once per connection. TRUNCATE logs `*`, which every kept context
-- depends on. The triggers of 0004 are replaced: these move the generation
-- on and log under the new one.
CREATE TABLE world_changes (
    generation BIGINT NOT NULL,
    key        TEXT NOT NULL
);
CREATE INDEX world_changes_generation ON world_changes (generation);

CREATE FUNCTION log_world_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT n, '*' FROM world_generation WHERE id = 1;
    RETURN NULL;
END;
$$;

-- A trigger with transition tables cannot name columns, and a password's
-- change must not move the world on: updates of principals log by row.
CREATE FUNCTION log_principal_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g BIGINT;
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1 RETURNING n INTO g;
    INSERT INTO world_changes (generation, key)
        SELECT DISTINCT g, k FROM (VALUES (OLD.id), ('e:' || OLD.email_norm),
            (CASE WHEN OLD.data_owner = 1 THEN '*data_owner' END), (NEW.id),
            ('e:' || NEW.email_norm), (CASE WHEN NEW.data_owner = 1 THEN '*data_owner' END)) v (k)
        WHERE k IS NOT NULL;
    RETURN NULL;
END;
$$;

CREATE FUNCTION log_principals_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g BIGINT;
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1 RETURNING n INTO g;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM new_rows, LATERAL (VALUES (id), ('e:' || email_norm), (CASE WHEN data_owner = 1 THEN '*data_owner' END)) v (k) WHERE k IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (id), ('e:' || email_norm), (CASE WHEN data_owner = 1 THEN '*data_owner' END)) v (k) WHERE k IS NOT NULL;
    ELSE
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (id), ('e:' || email_norm), (CASE WHEN data_owner = 1 THEN '*data_owner' END)) v (k) WHERE k IS NOT NULL
            UNION SELECT g, k FROM new_rows, LATERAL (VALUES (id), ('e:' || email_norm), (CASE WHEN data_owner = 1 THEN '*data_owner' END)) v (k) WHERE k IS NOT NULL;
    END IF;
    RETURN NULL;
END;
$$;
DROP TRIGGER principals_generation ON principals;
CREATE TRIGGER principals_insert_changes AFTER INSERT ON principals REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_principals_changes();
CREATE TRIGGER principals_update_changes AFTER UPDATE OF id, kind, email, email_norm, name, data_owner ON principals
    FOR EACH ROW EXECUTE FUNCTION log_principal_update();
CREATE TRIGGER principals_delete_changes AFTER DELETE ON principals REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_principals_changes();
CREATE TRIGGER principals_truncate_changes AFTER TRUNCATE ON principals
    FOR EACH STATEMENT EXECUTE FUNCTION log_world_truncate();
CREATE FUNCTION log_group_members_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g BIGINT;
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1 RETURNING n INTO g;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM new_rows, LATERAL (VALUES (group_id), (member_id)) v (k) WHERE k IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (group_id), (member_id)) v (k) WHERE k IS NOT NULL;
    ELSE
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (group_id), (member_id)) v (k) WHERE k IS NOT NULL
            UNION SELECT g, k FROM new_rows, LATERAL (VALUES (group_id), (member_id)) v (k) WHERE k IS NOT NULL;
    END IF;
    RETURN NULL;
END;
$$;
DROP TRIGGER group_members_generation ON group_members;
CREATE TRIGGER group_members_insert_changes AFTER INSERT ON group_members REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_group_members_changes();
CREATE TRIGGER group_members_update_changes AFTER UPDATE ON group_members REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_group_members_changes();
CREATE TRIGGER group_members_delete_changes AFTER DELETE ON group_members REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_group_members_changes();
CREATE TRIGGER group_members_truncate_changes AFTER TRUNCATE ON group_members
    FOR EACH STATEMENT EXECUTE FUNCTION log_world_truncate();
CREATE FUNCTION log_group_admins_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g BIGINT;
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1 RETURNING n INTO g;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM new_rows, LATERAL (VALUES (group_id), (admin_id)) v (k) WHERE k IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (group_id), (admin_id)) v (k) WHERE k IS NOT NULL;
    ELSE
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (group_id), (admin_id)) v (k) WHERE k IS NOT NULL
            UNION SELECT g, k FROM new_rows, LATERAL (VALUES (group_id), (admin_id)) v (k) WHERE k IS NOT NULL;
    END IF;
    RETURN NULL;
END;
$$;
DROP TRIGGER group_admins_generation ON group_admins;
CREATE TRIGGER group_admins_insert_changes AFTER INSERT ON group_admins REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_group_admins_changes();
CREATE TRIGGER group_admins_update_changes AFTER UPDATE ON group_admins REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_group_admins_changes();
CREATE TRIGGER group_admins_delete_changes AFTER DELETE ON group_admins REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_group_admins_changes();
CREATE TRIGGER group_admins_truncate_changes AFTER TRUNCATE ON group_admins
    FOR EACH STATEMENT EXECUTE FUNCTION log_world_truncate();
CREATE FUNCTION log_resources_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g BIGINT;
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1 RETURNING n INTO g;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM new_rows, LATERAL (VALUES (id), (parent_id)) v (k) WHERE k IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (id), (parent_id)) v (k) WHERE k IS NOT NULL;
    ELSE
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (id), (parent_id)) v (k) WHERE k IS NOT NULL
            UNION SELECT g, k FROM new_rows, LATERAL (VALUES (id), (parent_id)) v (k) WHERE k IS NOT NULL;
    END IF;
    RETURN NULL;
END;
$$;
DROP TRIGGER resources_generation ON resources;
CREATE TRIGGER resources_insert_changes AFTER INSERT ON resources REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_resources_changes();
CREATE TRIGGER resources_update_changes AFTER UPDATE ON resources REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_resources_changes();
CREATE TRIGGER resources_delete_changes AFTER DELETE ON resources REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_resources_changes();
CREATE TRIGGER resources_truncate_changes AFTER TRUNCATE ON resources
    FOR EACH STATEMENT EXECUTE FUNCTION log_world_truncate();
CREATE FUNCTION log_resource_projects_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g BIGINT;
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1 RETURNING n INTO g;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM new_rows, LATERAL (VALUES (resource_id), (project_id)) v (k) WHERE k IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (resource_id), (project_id)) v (k) WHERE k IS NOT NULL;
    ELSE
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (resource_id), (project_id)) v (k) WHERE k IS NOT NULL
            UNION SELECT g, k FROM new_rows, LATERAL (VALUES (resource_id), (project_id)) v (k) WHERE k IS NOT NULL;
    END IF;
    RETURN NULL;
END;
$$;
DROP TRIGGER resource_projects_generation ON resource_projects;
CREATE TRIGGER resource_projects_insert_changes AFTER INSERT ON resource_projects REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_resource_projects_changes();
CREATE TRIGGER resource_projects_update_changes AFTER UPDATE ON resource_projects REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_resource_projects_changes();
CREATE TRIGGER resource_projects_delete_changes AFTER DELETE ON resource_projects REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_resource_projects_changes();
CREATE TRIGGER resource_projects_truncate_changes AFTER TRUNCATE ON resource_projects
    FOR EACH STATEMENT EXECUTE FUNCTION log_world_truncate();
CREATE FUNCTION log_run_biosamples_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g BIGINT;
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1 RETURNING n INTO g;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM new_rows, LATERAL (VALUES (run_id), (biosample_id)) v (k) WHERE k IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (run_id), (biosample_id)) v (k) WHERE k IS NOT NULL;
    ELSE
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (run_id), (biosample_id)) v (k) WHERE k IS NOT NULL
            UNION SELECT g, k FROM new_rows, LATERAL (VALUES (run_id), (biosample_id)) v (k) WHERE k IS NOT NULL;
    END IF;
    RETURN NULL;
END;
$$;
DROP TRIGGER run_biosamples_generation ON run_biosamples;
CREATE TRIGGER run_biosamples_insert_changes AFTER INSERT ON run_biosamples REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_run_biosamples_changes();
CREATE TRIGGER run_biosamples_update_changes AFTER UPDATE ON run_biosamples REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_run_biosamples_changes();
CREATE TRIGGER run_biosamples_delete_changes AFTER DELETE ON run_biosamples REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_run_biosamples_changes();
CREATE TRIGGER run_biosamples_truncate_changes AFTER TRUNCATE ON run_biosamples
    FOR EACH STATEMENT EXECUTE FUNCTION log_world_truncate();
CREATE FUNCTION log_grants_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g BIGINT;
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1 RETURNING n INTO g;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM new_rows, LATERAL (VALUES (resource_id), (principal_id)) v (k) WHERE k IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (resource_id), (principal_id)) v (k) WHERE k IS NOT NULL;
    ELSE
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (resource_id), (principal_id)) v (k) WHERE k IS NOT NULL
            UNION SELECT g, k FROM new_rows, LATERAL (VALUES (resource_id), (principal_id)) v (k) WHERE k IS NOT NULL;
    END IF;
    RETURN NULL;
END;
$$;
DROP TRIGGER grants_generation ON grants;
CREATE TRIGGER grants_insert_changes AFTER INSERT ON grants REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_grants_changes();
CREATE TRIGGER grants_update_changes AFTER UPDATE ON grants REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_grants_changes();
CREATE TRIGGER grants_delete_changes AFTER DELETE ON grants REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_grants_changes();
CREATE TRIGGER grants_truncate_changes AFTER TRUNCATE ON grants
    FOR EACH STATEMENT EXECUTE FUNCTION log_world_truncate();
CREATE FUNCTION log_transfers_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g BIGINT;
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1 RETURNING n INTO g;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM new_rows, LATERAL (VALUES (id), (resource_id)) v (k) WHERE k IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (id), (resource_id)) v (k) WHERE k IS NOT NULL;
    ELSE
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (id), (resource_id)) v (k) WHERE k IS NOT NULL
            UNION SELECT g, k FROM new_rows, LATERAL (VALUES (id), (resource_id)) v (k) WHERE k IS NOT NULL;
    END IF;
    RETURN NULL;
END;
$$;
DROP TRIGGER transfers_generation ON transfers;
CREATE TRIGGER transfers_insert_changes AFTER INSERT ON transfers REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_transfers_changes();
CREATE TRIGGER transfers_update_changes AFTER UPDATE ON transfers REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_transfers_changes();
CREATE TRIGGER transfers_delete_changes AFTER DELETE ON transfers REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_transfers_changes();
CREATE TRIGGER transfers_truncate_changes AFTER TRUNCATE ON transfers
    FOR EACH STATEMENT EXECUTE FUNCTION log_world_truncate();
DROP FUNCTION bump_world_generation();
