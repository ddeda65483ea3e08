-- Which ids each change to the world touches, so that a kept access
-- context is let go of only when a change reaches it (`context_cache.rs`),
-- not whenever anything anywhere changes.
--
-- Every change to what the policy reads moves the world's generation on
-- (0004) and now also logs, under the generation it made, the keys it
-- touched: the ids of the row's own columns that the slice query
-- (`slice.rs`) selects rows by, before and after (a resource's id and
-- parent; both ends of a membership, admin, association, run biosample or
-- grant; a transfer's id and resource; a principal's id, its normalized
-- email as `e:<email>`, and `*data_owner` when it has or had that role).
-- A slice read at generation g is what a read now would give when no key
-- logged after g is one of the slice's (`slice::dependencies`).
--
-- The triggers of 0004 are replaced by ones that move the generation on
-- and log in one body, so the logged generation is always the new one.
-- Old entries are pruned by the writers (`db::prune_world_changes`).
CREATE TABLE world_changes (
    generation BIGINT NOT NULL,
    key        TEXT NOT NULL
);
CREATE INDEX world_changes_generation ON world_changes (generation);

DROP TRIGGER principals_insert_generation;
CREATE TRIGGER principals_insert_generation AFTER INSERT ON principals
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT NEW.id AS key UNION ALL SELECT 'e:' || NEW.email_norm UNION ALL SELECT CASE WHEN NEW.data_owner = 1 THEN '*data_owner' END) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER principals_update_generation;
CREATE TRIGGER principals_update_generation AFTER UPDATE OF id, kind, email, email_norm, name, data_owner ON principals
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.id AS key UNION ALL SELECT 'e:' || OLD.email_norm UNION ALL SELECT CASE WHEN OLD.data_owner = 1 THEN '*data_owner' END UNION ALL SELECT NEW.id UNION ALL SELECT 'e:' || NEW.email_norm UNION ALL SELECT CASE WHEN NEW.data_owner = 1 THEN '*data_owner' END) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER principals_delete_generation;
CREATE TRIGGER principals_delete_generation AFTER DELETE ON principals
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.id AS key UNION ALL SELECT 'e:' || OLD.email_norm UNION ALL SELECT CASE WHEN OLD.data_owner = 1 THEN '*data_owner' END) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER group_members_insert_generation;
CREATE TRIGGER group_members_insert_generation AFTER INSERT ON group_members
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT NEW.group_id AS key UNION ALL SELECT NEW.member_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER group_members_update_generation;
CREATE TRIGGER group_members_update_generation AFTER UPDATE ON group_members
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.group_id AS key UNION ALL SELECT OLD.member_id UNION ALL SELECT NEW.group_id UNION ALL SELECT NEW.member_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER group_members_delete_generation;
CREATE TRIGGER group_members_delete_generation AFTER DELETE ON group_members
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.group_id AS key UNION ALL SELECT OLD.member_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER group_admins_insert_generation;
CREATE TRIGGER group_admins_insert_generation AFTER INSERT ON group_admins
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT NEW.group_id AS key UNION ALL SELECT NEW.admin_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER group_admins_update_generation;
CREATE TRIGGER group_admins_update_generation AFTER UPDATE ON group_admins
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.group_id AS key UNION ALL SELECT OLD.admin_id UNION ALL SELECT NEW.group_id UNION ALL SELECT NEW.admin_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER group_admins_delete_generation;
CREATE TRIGGER group_admins_delete_generation AFTER DELETE ON group_admins
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.group_id AS key UNION ALL SELECT OLD.admin_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER resources_insert_generation;
CREATE TRIGGER resources_insert_generation AFTER INSERT ON resources
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT NEW.id AS key UNION ALL SELECT NEW.parent_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER resources_update_generation;
CREATE TRIGGER resources_update_generation AFTER UPDATE ON resources
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.id AS key UNION ALL SELECT OLD.parent_id UNION ALL SELECT NEW.id UNION ALL SELECT NEW.parent_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER resources_delete_generation;
CREATE TRIGGER resources_delete_generation AFTER DELETE ON resources
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.id AS key UNION ALL SELECT OLD.parent_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER resource_projects_insert_generation;
CREATE TRIGGER resource_projects_insert_generation AFTER INSERT ON resource_projects
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT NEW.resource_id AS key UNION ALL SELECT NEW.project_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER resource_projects_update_generation;
CREATE TRIGGER resource_projects_update_generation AFTER UPDATE ON resource_projects
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.resource_id AS key UNION ALL SELECT OLD.project_id UNION ALL SELECT NEW.resource_id UNION ALL SELECT NEW.project_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER resource_projects_delete_generation;
CREATE TRIGGER resource_projects_delete_generation AFTER DELETE ON resource_projects
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.resource_id AS key UNION ALL SELECT OLD.project_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER run_biosamples_insert_generation;
CREATE TRIGGER run_biosamples_insert_generation AFTER INSERT ON run_biosamples
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT NEW.run_id AS key UNION ALL SELECT NEW.biosample_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER run_biosamples_update_generation;
CREATE TRIGGER run_biosamples_update_generation AFTER UPDATE ON run_biosamples
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.run_id AS key UNION ALL SELECT OLD.biosample_id UNION ALL SELECT NEW.run_id UNION ALL SELECT NEW.biosample_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER run_biosamples_delete_generation;
CREATE TRIGGER run_biosamples_delete_generation AFTER DELETE ON run_biosamples
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.run_id AS key UNION ALL SELECT OLD.biosample_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER grants_insert_generation;
CREATE TRIGGER grants_insert_generation AFTER INSERT ON grants
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT NEW.resource_id AS key UNION ALL SELECT NEW.principal_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER grants_update_generation;
CREATE TRIGGER grants_update_generation AFTER UPDATE ON grants
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.resource_id AS key UNION ALL SELECT OLD.principal_id UNION ALL SELECT NEW.resource_id UNION ALL SELECT NEW.principal_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER grants_delete_generation;
CREATE TRIGGER grants_delete_generation AFTER DELETE ON grants
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.resource_id AS key UNION ALL SELECT OLD.principal_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER transfers_insert_generation;
CREATE TRIGGER transfers_insert_generation AFTER INSERT ON transfers
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT NEW.id AS key UNION ALL SELECT NEW.resource_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER transfers_update_generation;
CREATE TRIGGER transfers_update_generation AFTER UPDATE ON transfers
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.id AS key UNION ALL SELECT OLD.resource_id UNION ALL SELECT NEW.id UNION ALL SELECT NEW.resource_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER transfers_delete_generation;
CREATE TRIGGER transfers_delete_generation AFTER DELETE ON transfers
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.id AS key UNION ALL SELECT OLD.resource_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
