-- Workgroups: a notification about a group membership change (added to or
-- removed from a group) names the group. No foreign key, like
-- `resource_id`: a notification outlives what it talks about.
ALTER TABLE notifications ADD COLUMN group_id TEXT;
