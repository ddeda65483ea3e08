-- Changes that can move the edges of an access context's region, marked
-- apart (`s:<key>` beside each key of 0005), so that a kept context hit
-- only by other changes is patched instead of read again whole. The
-- SQLite twin, ../sqlite/0006_region_changes.sql, says why. An update of
-- a resource logs `s:` keys only for the rows whose id, kind or parent
-- changed (a row of one transition table with no equal row in the other).
CREATE OR REPLACE FUNCTION log_resources_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g BIGINT;
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1 RETURNING n INTO g;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM new_rows, LATERAL (VALUES (id), (parent_id), ('s:' || id), ('s:' || parent_id)) v (k) WHERE k IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (id), (parent_id), ('s:' || id), ('s:' || parent_id)) v (k) WHERE k IS NOT NULL;
    ELSE
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (id), (parent_id)) v (k) WHERE k IS NOT NULL
            UNION SELECT g, k FROM new_rows, LATERAL (VALUES (id), (parent_id)) v (k) WHERE k IS NOT NULL
            UNION SELECT g, 's:' || k FROM old_rows o, LATERAL (VALUES (o.id), (o.parent_id)) v (k)
                WHERE k IS NOT NULL AND NOT EXISTS (SELECT 1 FROM new_rows n
                    WHERE n.id = o.id AND n.kind = o.kind AND n.parent_id IS NOT DISTINCT FROM o.parent_id)
            UNION SELECT g, 's:' || k FROM new_rows n, LATERAL (VALUES (n.id), (n.parent_id)) v (k)
                WHERE k IS NOT NULL AND NOT EXISTS (SELECT 1 FROM old_rows o
                    WHERE o.id = n.id AND o.kind = n.kind AND o.parent_id IS NOT DISTINCT FROM n.parent_id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE OR REPLACE FUNCTION log_resource_projects_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g BIGINT;
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1 RETURNING n INTO g;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM new_rows, LATERAL (VALUES (resource_id), (project_id), ('s:' || resource_id), ('s:' || project_id)) v (k) WHERE k IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (resource_id), (project_id), ('s:' || resource_id), ('s:' || project_id)) v (k) WHERE k IS NOT NULL;
    ELSE
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (resource_id), (project_id), ('s:' || resource_id), ('s:' || project_id)) v (k) WHERE k IS NOT NULL
            UNION SELECT g, k FROM new_rows, LATERAL (VALUES (resource_id), (project_id), ('s:' || resource_id), ('s:' || project_id)) v (k) WHERE k IS NOT NULL;
    END IF;
    RETURN NULL;
END;
$$;
CREATE OR REPLACE FUNCTION log_run_biosamples_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g BIGINT;
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1 RETURNING n INTO g;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM new_rows, LATERAL (VALUES (run_id), (biosample_id), ('s:' || run_id), ('s:' || biosample_id)) v (k) WHERE k IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (run_id), (biosample_id), ('s:' || run_id), ('s:' || biosample_id)) v (k) WHERE k IS NOT NULL;
    ELSE
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (run_id), (biosample_id), ('s:' || run_id), ('s:' || biosample_id)) v (k) WHERE k IS NOT NULL
            UNION SELECT g, k FROM new_rows, LATERAL (VALUES (run_id), (biosample_id), ('s:' || run_id), ('s:' || biosample_id)) v (k) WHERE k IS NOT NULL;
    END IF;
    RETURN NULL;
END;
$$;
