//! A kept slice brought up to date from the rows a change touched.
//!
//! A share, an unshare, a transfer sent or answered, a new member, a new
//! owner: each changes a handful of rows, and a large project's slice is
//! 70,000 resources that reading whole again takes most of 200 ms. Most
//! changes cannot move the edges of the region (which resources the slice
//! holds, and their projects, parents and biosamples): only changes to
//! `resources`' ids, kinds and parents, to `resource_projects` and to
//! `run_biosamples` can, and those log their keys again as `s:<key>`
//! (`migrations/*/0006_region_changes.sql`). When none of those reaches a
//! kept slice, its region stands, and everything else it holds is read
//! again from the rows the change names:
//! - the rows of the changed resources (their owner, name and format),
//!   with their grants and pending transfers;
//! - every principal, from the ids the kept rows name and the ones just
//!   read, with the members of groups, as `load` reads them.
//!
//! Files arriving in runs and datasets, leaving them or moving between
//! them log `f:<id>` instead (`0007_file_changes.sql`): a file is a leaf of
//! every region, so its own row says whether it belongs (its run or
//! dataset is one the slice holds the files of), and the patch adds,
//! moves or drops it with its grants and transfers.
//!
//! The result is assembled in the same order as `load`'s, so it is the
//! same JSON, and the same version, as a fresh read; the tests of kept
//! slices compare the two after random changes of every kind.

use std::collections::HashSet;

use custody_policy::{Profile, World};
use sqlx::AnyConnection;

use super::{
    Scope, aggregate, fetch_parts, grants_in_order, resource_at, transfers_in_order, with_members,
};

/// True when a kept slice of `scope` can be patched: a resource context.
/// The group context's seed is found through grants (to the enclosing
/// groups), a viewer's slice through that person's groups, and a named
/// transfer's resource through the transfer: for those a grant, a
/// membership or a transfer can move the region, so they are read again.
pub fn patchable(scope: &Scope) -> bool {
    scope.groups.is_empty() && scope.viewer.is_none() && scope.transfers.is_empty()
}

/// `kept`, read for `scope` (`patchable`), brought up to date after the
/// changes that logged `changed`, none of them at the region's edges but
/// files (`f:` keys). None when the rows read contradict that (a changed
/// resource is gone), or a file that changed is one the scope names, so
/// the caller reads the slice whole.
pub async fn patch(
    conn: &mut AnyConnection,
    profile: Profile,
    scope: &Scope,
    kept: World,
    changed: &[String],
) -> Result<Option<World>, sqlx::Error> {
    let postgres = crate::db::Backend::of(conn) == crate::db::Backend::Postgres;
    let changed: HashSet<&str> = changed.iter().map(String::as_str).collect();
    let World {
        resources,
        grants,
        transfers,
        ..
    } = kept;
    let files: HashSet<&str> = changed
        .iter()
        .filter_map(|key| key.strip_prefix("f:"))
        .collect();
    // A file the scope names is a seed, whose run or dataset and projects
    // join the region; the contents of `within` containers are seeds too.
    if !files.is_empty()
        && (!scope.within.is_empty()
            || scope.resources.iter().any(|r| files.contains(r.as_str()))
            || !files_are_leaves(&resources, &files))
    {
        return Ok(None);
    }
    // Only a slice that goes down holds files it was not named (those of
    // the containers in `holds_files_of`).
    let inside = if scope.down && !files.is_empty() {
        files_inside(conn, postgres, &resources, scope, &files).await?
    } else {
        HashSet::new()
    };
    // The resources are in id order (`load`'s): a changed file is looked
    // up, not every id hashed on each patch.
    let leaving: HashSet<&str> = files
        .iter()
        .copied()
        .filter(|id| resource_at(&resources, id).is_some() && !inside.contains(*id))
        .collect();
    let touched: HashSet<&str> = resources
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| changed.contains(id) && !leaving.contains(id))
        .chain(inside.iter().map(String::as_str))
        .collect();
    let is_touched = |id: &str| touched.contains(id) || leaving.contains(id);
    let (kept_grants, kept_transfers) = (
        grants
            .into_iter()
            .filter(|g| !is_touched(&g.resource))
            .collect::<Vec<_>>(),
        transfers
            .into_iter()
            .filter(|t| !is_touched(&t.resource))
            .collect::<Vec<_>>(),
    );
    // The principals the unchanged rows name, as `load`'s `direct_p` does:
    // owners, grantees, the scope's principals (a pending transfer's
    // sender and recipient are found from its id).
    let mut named: HashSet<&str> = scope.principals.iter().map(String::as_str).collect();
    named.extend(
        resources
            .iter()
            .filter(|r| !is_touched(&r.id))
            .map(|r| r.owner.as_str()),
    );
    named.extend(kept_grants.iter().map(|g| g.principal.as_str()));
    let emails: Vec<String> = scope
        .emails
        .iter()
        .map(|e| custody_policy::normalize_email(e))
        .collect();
    let transfer_ids: Vec<&str> = kept_transfers.iter().map(|t| t.id.as_str()).collect();
    let params = vec![
        as_json(touched.iter().copied()),
        as_json(named.into_iter()),
        as_json(emails.iter().map(String::as_str)),
        as_json(transfer_ids.into_iter()),
    ];
    let fresh = fetch_parts(conn, &statement(postgres, profile), params).await?;
    if fresh.resources.len() != touched.len() {
        return Ok(None);
    }
    let mut resources: Vec<_> = resources
        .into_iter()
        .filter(|r| !leaving.contains(r.id.as_str()))
        .collect();
    let mut arrived = Vec::new();
    for row in fresh.resources {
        let Some(i) = resource_at(&resources, &row.id) else {
            if inside.contains(&row.id) {
                arrived.push(row);
                continue;
            }
            return Ok(None);
        };
        let r = &mut resources[i];
        let moved = r.parent != row.parent && files.contains(row.id.as_str());
        if r.kind != row.kind || (r.parent != row.parent && !moved) {
            return Ok(None);
        }
        r.owner = row.owner;
        r.name = row.name;
        r.parent = row.parent;
        r.format = row.format;
    }
    if !arrived.is_empty() {
        resources.extend(arrived);
        resources.sort_unstable_by(|x, y| x.id.cmp(&y.id));
    }
    let mut grants = kept_grants;
    grants.extend(fresh.grants);
    let mut transfers = kept_transfers;
    transfers.extend(fresh.transfers);
    Ok(Some(World {
        profile,
        principals: with_members(fresh.principals, fresh.members, Vec::new()),
        resources,
        grants: grants_in_order(grants),
        transfers: transfers_in_order(transfers),
    }))
}

/// True when none of `files` is held as more than a file of a run or
/// dataset: associated with a project, or named as a run's biosample. The
/// policy refuses such a world, but the tables allow the rows, and a
/// resource held that way brings its run or dataset into the region as
/// context (`load`'s `lvl1`), which only a whole read finds.
fn files_are_leaves(resources: &[custody_policy::Resource], files: &HashSet<&str>) -> bool {
    let named = resources
        .iter()
        .flat_map(|r| &r.biosamples)
        .any(|b| files.contains(b.as_str()));
    !named
        && files.iter().all(|id| {
            resource_at(resources, id)
                .and_then(|i| resources.get(i))
                .is_none_or(|r| {
                    r.kind == custody_policy::ResourceKind::File && r.projects.is_empty()
                })
        })
}

/// A list of ids as one JSON array, bound as one parameter.
fn as_json<'a>(items: impl Iterator<Item = &'a str>) -> String {
    serde_json::to_string(&items.collect::<Vec<_>>()).unwrap_or_default()
}

/// Which of `files` (ids of files that arrived, left or moved) belong to
/// the slice of a scope that goes down, as `load`'s `files` finds them: a
/// file whose run or dataset is a seed (a resource the scope names) or is
/// associated with a seed project (`assoc`). The slice knows those
/// containers: they and their projects are in it, and no change that
/// could move them was logged (or the slice would be read whole).
async fn files_inside(
    conn: &mut AnyConnection,
    postgres: bool,
    resources: &[custody_policy::Resource],
    scope: &Scope,
    files: &HashSet<&str>,
) -> Result<HashSet<String>, sqlx::Error> {
    let seeds: HashSet<&str> = scope
        .resources
        .iter()
        .map(String::as_str)
        .filter(|id| resource_at(resources, id).is_some())
        .collect();
    let holds_files_of = |id: &str| {
        seeds.contains(id)
            || resource_at(resources, id)
                .and_then(|i| resources.get(i))
                .is_some_and(|r| r.projects.iter().any(|p| seeds.contains(p.as_str())))
    };
    let list = if postgres {
        "SELECT value FROM json_array_elements_text($1::json)"
    } else {
        "SELECT value FROM json_each($1)"
    };
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(&format!(
        "SELECT r.id, r.parent_id FROM ({list}) x CROSS JOIN resources r
         WHERE r.id = x.value AND r.kind = 'file'"
    ))
    .bind(as_json(files.iter().copied()))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(id, parent)| {
            !seeds.contains(id.as_str()) && parent.as_deref().is_some_and(holds_files_of)
        })
        .map(|(id, _)| id)
        .collect())
}

/// The patch's one statement: the touched resources' rows, grants and
/// pending transfers, then every principal the slice names (`load`'s
/// `direct_p` and `closure`) from the ids passed in and those just read.
/// Its text depends only on the backend and the profile, so it is planned
/// once per connection.
fn statement(postgres: bool, profile: Profile) -> String {
    let list = |n: usize| {
        if postgres {
            format!("SELECT value FROM json_array_elements_text(${n}::json)")
        } else {
            format!("SELECT value FROM json_each(${n})")
        }
    };
    let (touched, named, emails, transfers) = (list(1), list(2), list(3), list(4));
    let data_owners = match profile {
        Profile::Direct => "UNION SELECT id FROM principals WHERE data_owner = 1",
        Profile::Basespace => "",
    };
    let (aggregate_open, aggregate_close) = aggregate(postgres);
    format!(
        "WITH RECURSIVE
         touched(id) AS MATERIALIZED ({touched}),
         named(id) AS MATERIALIZED ({named}),
         emails(v) AS MATERIALIZED ({emails}),
         kept_t(id) AS MATERIALIZED ({transfers}),
         rows_r(id, kind, owner_id, name, parent_id, format) AS MATERIALIZED (
             SELECT r.id, r.kind, r.owner_id, r.name, r.parent_id, r.format FROM touched x CROSS JOIN resources r WHERE r.id = x.id),
         held(resource_id, principal_id, level, permissions) AS MATERIALIZED (
             SELECT g.resource_id, g.principal_id, g.level, g.permissions FROM touched x CROSS JOIN grants g WHERE g.resource_id = x.id),
         pend(id) AS MATERIALIZED (
             SELECT t.id FROM touched x CROSS JOIN transfers t WHERE t.resource_id = x.id AND t.status = 'pending'),
         parties(id) AS MATERIALIZED (SELECT id FROM pend UNION SELECT id FROM kept_t),
         direct_p(id) AS MATERIALIZED (SELECT id FROM named
             UNION SELECT owner_id FROM rows_r
             UNION SELECT principal_id FROM held
             UNION SELECT t.from_id FROM parties x CROSS JOIN transfers t WHERE t.id = x.id
             UNION SELECT p.id FROM parties x CROSS JOIN transfers t CROSS JOIN principals p
                 WHERE t.id = x.id AND p.email_norm = t.to_email_norm
             UNION SELECT p.id FROM emails e CROSS JOIN principals p WHERE p.email_norm = e.v
             {data_owners}),
         closure(id) AS MATERIALIZED (SELECT id FROM direct_p
             UNION SELECT m.member_id FROM closure c CROSS JOIN group_members m WHERE m.group_id = c.id)
         {aggregate_open}SELECT 'r' AS tag, id AS a, kind AS b, owner_id AS c, name AS d, parent_id AS e, format AS f FROM rows_r
         UNION ALL SELECT 'g', resource_id, principal_id, level, permissions, NULL, NULL FROM held
         UNION ALL SELECT 't', t.id, t.resource_id, t.from_id, t.to_email, t.status, t.message
             FROM pend x CROSS JOIN transfers t WHERE t.id = x.id
         UNION ALL SELECT 'P', p.id, p.kind, p.email, p.name, CASE WHEN p.data_owner = 1 THEN 'y' ELSE 'n' END, NULL
             FROM closure x CROSS JOIN principals p WHERE p.id = x.id
         UNION ALL SELECT 'm', m.group_id, m.member_id, NULL, NULL, NULL, NULL
             FROM closure x CROSS JOIN group_members m WHERE m.group_id = x.id
         {aggregate_close}"
    )
}
