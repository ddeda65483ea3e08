-- A file arriving in, leaving or moving between runs and datasets, marked
-- apart as `f:<id>` instead of `s:` keys, so that a kept context of a
-- project whose runs receive files is patched instead of read again whole
-- (`slice::patch`). A file is a leaf of every region: it is in no project,
-- names no biosamples and holds nothing, so its own row decides whether it
-- belongs to a context (its run or dataset is among the project's) and
-- nothing else's place depends on it. The keys of 0005 (the file's id and
-- its parents', before and after) are still logged, so every kept context
-- that holds the file or its run or dataset still sees the change.
--
-- Any other change of a resource's id, kind or parent logs `s:` keys as in
-- 0006; so does a file whose id or kind changes.
DROP TRIGGER resources_insert_generation;
CREATE TRIGGER resources_insert_generation AFTER INSERT ON resources
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT NEW.id AS key UNION ALL SELECT NEW.parent_id
            UNION ALL SELECT 'f:' || NEW.id WHERE NEW.kind = 'file'
            UNION ALL SELECT 's:' || NEW.id WHERE NEW.kind <> 'file'
            UNION ALL SELECT 's:' || NEW.parent_id WHERE NEW.kind <> 'file') k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER resources_update_generation;
CREATE TRIGGER resources_update_generation AFTER UPDATE ON resources
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.id AS key UNION ALL SELECT OLD.parent_id UNION ALL SELECT NEW.id UNION ALL SELECT NEW.parent_id
            UNION ALL SELECT 'f:' || NEW.id
                WHERE OLD.kind = 'file' AND NEW.kind = 'file' AND OLD.id = NEW.id AND OLD.parent_id IS NOT NEW.parent_id
            UNION ALL SELECT 's:' || x.key FROM (SELECT OLD.id AS key UNION ALL SELECT OLD.parent_id UNION ALL SELECT NEW.id UNION ALL SELECT NEW.parent_id) x
                WHERE (OLD.id IS NOT NEW.id OR OLD.kind IS NOT NEW.kind OR OLD.parent_id IS NOT NEW.parent_id)
                    AND NOT (OLD.kind = 'file' AND NEW.kind = 'file' AND OLD.id = NEW.id)) k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
DROP TRIGGER resources_delete_generation;
CREATE TRIGGER resources_delete_generation AFTER DELETE ON resources
BEGIN
    UPDATE world_generation SET n = n + 1 WHERE id = 1;
    INSERT INTO world_changes (generation, key)
        SELECT w.n, k.key FROM world_generation w, (SELECT OLD.id AS key UNION ALL SELECT OLD.parent_id
            UNION ALL SELECT 'f:' || OLD.id WHERE OLD.kind = 'file'
            UNION ALL SELECT 's:' || OLD.id WHERE OLD.kind <> 'file'
            UNION ALL SELECT 's:' || OLD.parent_id WHERE OLD.kind <> 'file') k
        WHERE w.id = 1 AND k.key IS NOT NULL;
END;
