-- A file arriving in, leaving or moving between runs and datasets, marked
-- apart as `f:<id>` instead of `s:` keys, so that a kept context is
-- patched instead of read again whole. The SQLite twin,
-- ../sqlite/0007_file_changes.sql, says why. A file's update is told by a
-- row of each transition table with the same id, both files.
CREATE OR REPLACE FUNCTION log_resources_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g BIGINT;
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1 RETURNING n INTO g;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM new_rows, LATERAL (VALUES (id), (parent_id)) v (k) WHERE k IS NOT NULL
            UNION ALL SELECT g, 'f:' || id FROM new_rows WHERE kind = 'file'
            UNION ALL SELECT g, k FROM new_rows, LATERAL (VALUES ('s:' || id), ('s:' || parent_id)) v (k)
                WHERE k IS NOT NULL AND kind <> 'file';
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (id), (parent_id)) v (k) WHERE k IS NOT NULL
            UNION ALL SELECT g, 'f:' || id FROM old_rows WHERE kind = 'file'
            UNION ALL SELECT g, k FROM old_rows, LATERAL (VALUES ('s:' || id), ('s:' || parent_id)) v (k)
                WHERE k IS NOT NULL AND kind <> 'file';
    ELSE
        INSERT INTO world_changes (generation, key)
            SELECT g, k FROM old_rows, LATERAL (VALUES (id), (parent_id)) v (k) WHERE k IS NOT NULL
            UNION SELECT g, k FROM new_rows, LATERAL (VALUES (id), (parent_id)) v (k) WHERE k IS NOT NULL
            UNION SELECT g, 'f:' || n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE n.kind = 'file' AND o.kind = 'file' AND o.parent_id IS DISTINCT FROM n.parent_id
            UNION SELECT g, 's:' || k FROM old_rows o, LATERAL (VALUES (o.id), (o.parent_id)) v (k)
                WHERE k IS NOT NULL AND NOT EXISTS (SELECT 1 FROM new_rows n
                    WHERE n.id = o.id AND n.kind = o.kind AND n.parent_id IS NOT DISTINCT FROM o.parent_id)
                AND NOT (o.kind = 'file' AND EXISTS (SELECT 1 FROM new_rows n WHERE n.id = o.id AND n.kind = 'file'))
            UNION SELECT g, 's:' || k FROM new_rows n, LATERAL (VALUES (n.id), (n.parent_id)) v (k)
                WHERE k IS NOT NULL AND NOT EXISTS (SELECT 1 FROM old_rows o
                    WHERE o.id = n.id AND o.kind = n.kind AND o.parent_id IS NOT DISTINCT FROM n.parent_id)
                AND NOT (n.kind = 'file' AND EXISTS (SELECT 1 FROM old_rows o WHERE o.id = n.id AND o.kind = 'file'));
    END IF;
    RETURN NULL;
END;
$$;
