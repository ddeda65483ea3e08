-- The world's generation: a number that every change to what the policy
-- reads (principals but their passwords, memberships, admins, resources,
-- associations, run biosamples, grants, transfers) moves on, in the same
-- transaction, by trigger, so that no writer can forget it. A reader that
-- sees the same generation in its snapshot sees the same world, which lets
-- the server keep a large project's access context between reads
-- (`context_cache.rs`) and check it with one row's read.
--
-- SQLite has row triggers only: a bulk import moves it once per row.
CREATE TABLE world_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT NOT NULL
);
INSERT INTO world_generation (id, n) VALUES (1, 0);
CREATE TRIGGER principals_insert_generation AFTER INSERT ON principals
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER principals_update_generation AFTER UPDATE OF id, kind, email, email_norm, name, data_owner ON principals
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER principals_delete_generation AFTER DELETE ON principals
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER group_members_insert_generation AFTER INSERT ON group_members
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER group_members_update_generation AFTER UPDATE ON group_members
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER group_members_delete_generation AFTER DELETE ON group_members
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER group_admins_insert_generation AFTER INSERT ON group_admins
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER group_admins_update_generation AFTER UPDATE ON group_admins
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER group_admins_delete_generation AFTER DELETE ON group_admins
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER resources_insert_generation AFTER INSERT ON resources
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER resources_update_generation AFTER UPDATE ON resources
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER resources_delete_generation AFTER DELETE ON resources
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER resource_projects_insert_generation AFTER INSERT ON resource_projects
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER resource_projects_update_generation AFTER UPDATE ON resource_projects
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER resource_projects_delete_generation AFTER DELETE ON resource_projects
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER run_biosamples_insert_generation AFTER INSERT ON run_biosamples
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER run_biosamples_update_generation AFTER UPDATE ON run_biosamples
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER run_biosamples_delete_generation AFTER DELETE ON run_biosamples
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER grants_insert_generation AFTER INSERT ON grants
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER grants_update_generation AFTER UPDATE ON grants
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER grants_delete_generation AFTER DELETE ON grants
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER transfers_insert_generation AFTER INSERT ON transfers
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER transfers_update_generation AFTER UPDATE ON transfers
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER transfers_delete_generation AFTER DELETE ON transfers
    BEGIN UPDATE world_generation SET n = n + 1 WHERE id = 1; END;
