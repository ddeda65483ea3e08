-- Changes that can move the edges of an access context's region, marked
-- apart, so that a kept context hit only by other changes (a grant, a
-- transfer, a membership, an owner or a name) is patched from those rows
-- instead of read again whole (`context_cache.rs`, `slice::patch`).
--
-- The region of a resource context is found through three tables:
-- `resources` (a row's id and parent), `resource_projects` and
-- `run_biosamples`. Their changes now log, besides the keys of 0005
-- (which every reader still checks), each key again as `s:<key>`. An
-- update of a resource that keeps its id, kind and parent (a new owner, a
-- new name or format) logs only the keys of 0005: it changes rows of the
-- region, never its edges.
DROP TRIGGER resources_insert_generation;
CREATE TRIGGER resources_insert_generation AFTER INSERT ON resources
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT NEW.id AS key UNION ALL SELECT NEW.parent_id
            UNION ALL SELECT 's:' || NEW.id UNION ALL SELECT 's:' || NEW.parent_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER resources_update_generation;
CREATE TRIGGER resources_update_generation AFTER UPDATE ON resources
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.id AS key UNION ALL SELECT OLD.parent_id UNION ALL SELECT NEW.id UNION ALL SELECT NEW.parent_id
            UNION ALL SELECT 's:' || x.key FROM (SELECT OLD.id AS key UNION ALL SELECT OLD.parent_id UNION ALL SELECT NEW.id UNION ALL SELECT NEW.parent_id) x
                WHERE OLD.id IS NOT NEW.id OR OLD.kind IS NOT NEW.kind OR OLD.parent_id IS NOT NEW.parent_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER resources_delete_generation;
CREATE TRIGGER resources_delete_generation AFTER DELETE ON resources
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.id AS key UNION ALL SELECT OLD.parent_id
            UNION ALL SELECT 's:' || OLD.id UNION ALL SELECT 's:' || OLD.parent_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER resource_projects_insert_generation;
CREATE TRIGGER resource_projects_insert_generation AFTER INSERT ON resource_projects
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT NEW.resource_id AS key UNION ALL SELECT NEW.project_id
            UNION ALL SELECT 's:' || NEW.resource_id UNION ALL SELECT 's:' || NEW.project_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER resource_projects_update_generation;
CREATE TRIGGER resource_projects_update_generation AFTER UPDATE ON resource_projects
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.resource_id AS key UNION ALL SELECT OLD.project_id UNION ALL SELECT NEW.resource_id UNION ALL SELECT NEW.project_id
            UNION ALL SELECT 's:' || OLD.resource_id UNION ALL SELECT 's:' || OLD.project_id UNION ALL SELECT 's:' || NEW.resource_id UNION ALL SELECT 's:' || NEW.project_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER resource_projects_delete_generation;
CREATE TRIGGER resource_projects_delete_generation AFTER DELETE ON resource_projects
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.resource_id AS key UNION ALL SELECT OLD.project_id
            UNION ALL SELECT 's:' || OLD.resource_id UNION ALL SELECT 's:' || OLD.project_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER run_biosamples_insert_generation;
CREATE TRIGGER run_biosamples_insert_generation AFTER INSERT ON run_biosamples
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT NEW.run_id AS key UNION ALL SELECT NEW.biosample_id
            UNION ALL SELECT 's:' || NEW.run_id UNION ALL SELECT 's:' || NEW.biosample_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER run_biosamples_update_generation;
CREATE TRIGGER run_biosamples_update_generation AFTER UPDATE ON run_biosamples
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.run_id AS key UNION ALL SELECT OLD.biosample_id UNION ALL SELECT NEW.run_id UNION ALL SELECT NEW.biosample_id
            UNION ALL SELECT 's:' || OLD.run_id UNION ALL SELECT 's:' || OLD.biosample_id UNION ALL SELECT 's:' || NEW.run_id UNION ALL SELECT 's:' || NEW.biosample_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER run_biosamples_delete_generation;
CREATE TRIGGER run_biosamples_delete_generation AFTER DELETE ON run_biosamples
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.run_id AS key UNION ALL SELECT OLD.biosample_id
            UNION ALL SELECT 's:' || OLD.run_id UNION ALL SELECT 's:' || OLD.biosample_id) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
