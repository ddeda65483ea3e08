//! The slice of the world that custody-policy needs, read with one SQL
//! query whose cost grows with the slice, never with the database.
//!
//! A preview of any action on resources `S` (share, unshare, leave,
//! transfer, set as owner, batches of these) can change access only on
//! `down(S)`: `S`, what a project of `S` holds, the files of runs and
//! datasets among those, and the biosamples of runs among those (names).
//! The access to each of those depends on its containers (`up`): its
//! projects; a file's run or dataset and that one's projects; a
//! biosample's runs (rule 4) and their projects. The slice holds all these
//! resources with their owners and grants, every principal those reach
//! (owners, grantees, groups with all their nested members, pending
//! transfers' senders and recipients, data owners in the `direct`
//! profile), and the principals and emails the caller names (the actor,
//! the people being added in a dialog). A resource held only as context
//! lists only the projects and biosamples that are in the slice.
//!
//! A change to the members of group `G` (adding or removing a user, a
//! service account or a group; a person leaving) changes the people of `G`
//! and of every group that encloses it (`encl(G)`), and so can change
//! access only where a grant to one of those groups reaches: the resources
//! granted to `encl(G)` join the seed, and their `down` and `up` regions
//! follow exactly as for a resource action (a membership change acts like
//! granting or revoking those grants for the people who join or leave).
//! The groups of `encl(G)` join the principals, with all their members;
//! the principals named (those being added) come with their members.
//! Then every group in the slice comes with its `admins` (who may change
//! its members), and the admins themselves; a slice of resources alone
//! leaves admins out (no action on resources depends on them).
//!
//! The tests prove the claim: on every scenario and on generated worlds,
//! the preview on the slice equals the preview on the whole world.

mod patch;

pub use patch::{patch, patchable};

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use custody_policy::{
    Access, Grant, Level, Permission, Permissions, Principal, PrincipalKind, Profile, Resource,
    ResourceKind, Role, Transfer, TransferStatus, World,
};
use rustc_hash::FxHasher;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Executor};

/// What to slice around.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// The resources the actions may name.
    pub resources: Vec<String>,
    /// Containers whose contents join `resources` (what a project holds,
    /// a run's or dataset's files, a run's biosamples): a list of a large
    /// project's contents checks them on one slice read from the
    /// container's id, not on slices of their ids sent back in pages.
    pub within: Vec<String>,
    /// Transfers named by id (their resources join `resources`).
    pub transfers: Vec<String>,
    /// Principals to include with what the policy needs about them.
    pub principals: Vec<String>,
    /// Accounts to include by email (a transfer's recipient).
    pub emails: Vec<String>,
    /// Groups whose members the actions may change (`add_member`,
    /// `remove_member`): the slice holds what any such change can reach.
    pub groups: Vec<String>,
    /// True: what a preview needs (`down` and `up`); false: only what the
    /// access to `resources` themselves depends on (`up`), for reading.
    pub down: bool,
    /// Only what this person's own access depends on: their groups and
    /// the grants to them or those groups, not everyone the grants reach.
    /// Exact for that person's access and no one else's: for reading what
    /// they may see, never for a preview or for who has access. A large
    /// project's grants reach most of an organisation, which a list of its
    /// contents would otherwise load again for every page of candidates.
    pub viewer: Option<String>,
}

/// The query's inputs as one `VALUES` list of (list name, value), so that
/// the statement text depends only on how many values there are. The
/// values are never compared by the planner directly: with SQLite's STAT4
/// planner, a parameter in `id IN ($1)` makes the statement re-prepare on
/// every new binding, which costs ten times the query itself.
#[derive(Default)]
struct Params(Vec<String>);

/// The numbers of values a list is padded to (then multiples of the last).
const PADDED: [usize; 3] = [10, 50, 400];

/// `items` padded with empty ids (which name nothing) to one of a few
/// lengths: SQLite plans a statement once per connection and text, and
/// planning one for a new number of values takes longer than reading a
/// page of them (a list of a project's contents names hundreds).
fn padded(items: &[String]) -> Vec<String> {
    let last = PADDED[PADDED.len() - 1];
    let size = PADDED
        .into_iter()
        .find(|&n| n >= items.len())
        .unwrap_or_else(|| items.len().div_ceil(last) * last);
    let mut out = items.to_vec();
    out.resize(size, String::new());
    out
}

impl Params {
    fn add(&mut self, list: &str, items: &[String]) -> String {
        let mut out = String::new();
        for item in items {
            self.0.push(item.clone());
            out.push_str(&format!(", ('{list}', ${})", self.0.len()));
        }
        out
    }
}

/// Reads the slice for `scope` as a world of `profile`.
pub async fn load(
    conn: &mut AnyConnection,
    profile: Profile,
    scope: &Scope,
) -> Result<World, sqlx::Error> {
    let mut params = Params::default();
    let emails: Vec<String> = scope
        .emails
        .iter()
        .map(|e| custody_policy::normalize_email(e))
        .collect();
    let inputs = format!(
        "('-', '-'){}{}{}{}{}{}{}",
        params.add("s", &padded(&scope.resources)),
        params.add("w", &scope.within),
        params.add("t", &scope.transfers),
        params.add("p", &padded(&scope.principals)),
        params.add("e", &emails),
        params.add("g", &scope.groups),
        params.add("v", scope.viewer.as_slice())
    );
    // Every join starts from the (small) slice and probes a table by its
    // index: `CROSS JOIN` makes SQLite keep that order (its planner would
    // otherwise scan whole tables); PostgreSQL plans it as a plain join.
    //
    // The files of `assoc` are kept apart (`files`): they are most of a
    // large project's slice, and a file is in no project, names no
    // biosamples and is no biosample (the policy refuses a world where one
    // is), so of the steps that build and read `ctx` only its owner, its
    // grants, its row and a pending transfer concern it. Carried through
    // `lvl1` and `ctx` they cost a fifth of the query. `files` keeps their
    // rows, which finding them read already: probing `resources` again
    // for each file's owner and row took a fifth of what was left.
    //
    // Every resource's grants are read once, into `held`, for both the
    // grantees (`direct_p`) and the grants written out: most resources
    // have none, and a probe that finds nothing costs as much as one that
    // finds a row. (SQLite, the L project's context: the query 260 to 290
    // ms before these two, 150 to 250 after on a noisy host.)
    let down = if scope.down {
        "assoc(id) AS MATERIALIZED (SELECT id FROM seed
             UNION SELECT rp.resource_id FROM seed s CROSS JOIN resource_projects rp WHERE rp.project_id = s.id),
         files(id, kind, owner_id, name, parent_id, format) AS MATERIALIZED (
             SELECT f.id, f.kind, f.owner_id, f.name, f.parent_id, f.format FROM assoc a CROSS JOIN resources f
             WHERE f.parent_id = a.id AND f.id NOT IN (SELECT id FROM assoc)),
         down(id) AS MATERIALIZED (SELECT id FROM assoc
             UNION SELECT rb.biosample_id FROM assoc a CROSS JOIN run_biosamples rb WHERE rb.run_id = a.id),"
    } else {
        "files(id, kind, owner_id, name, parent_id, format) AS MATERIALIZED (
             SELECT r.id, r.kind, r.owner_id, r.name, r.parent_id, r.format FROM seed s CROSS JOIN resources r
             WHERE 1 = 0 AND r.id = s.id),
         down(id) AS MATERIALIZED (SELECT id FROM seed),"
    };
    // The contents of the containers named in `within` join the seed.
    let contents = if scope.within.is_empty() {
        ""
    } else {
        "UNION SELECT rp.resource_id FROM input i CROSS JOIN resource_projects rp WHERE i.k = 'w' AND rp.project_id = i.v
             UNION SELECT r.id FROM input i CROSS JOIN resources r WHERE i.k = 'w' AND r.parent_id = i.v
             UNION SELECT rb.biosample_id FROM input i CROSS JOIN run_biosamples rb WHERE i.k = 'w' AND rb.run_id = i.v"
    };
    // The parents a file of `down` needs: what `down` adds to `assoc` (the
    // files of runs and datasets of `assoc`, and their biosamples) has its
    // parent in `assoc` already, so only `assoc`'s own files are looked up
    // (a third of the probes on a large project).
    let parents_of = if scope.down { "assoc" } else { "down" };
    // The group context's parts, only when groups are named: each part
    // adds to the time SQLite takes to plan the statement (once per
    // connection and statement text), which the resource contexts, by far
    // the most frequent, need not pay. Admins matter only to membership
    // changes, so they come with the groups.
    let groups = !scope.groups.is_empty();
    let (encl, from_encl, in_encl, everyone, people, admins) = if groups {
        (
            "encl(id) AS MATERIALIZED (SELECT p.id FROM input i CROSS JOIN principals p
                 WHERE i.k = 'g' AND p.id = i.v AND p.kind = 'group'
             UNION SELECT m.group_id FROM encl e CROSS JOIN group_members m WHERE m.member_id = e.id),",
            "UNION SELECT g.resource_id FROM encl e CROSS JOIN grants g WHERE g.principal_id = e.id",
            "UNION SELECT id FROM encl",
            ",
         everyone(id) AS MATERIALIZED (SELECT id FROM closure
             UNION SELECT a.admin_id FROM closure c CROSS JOIN group_admins a WHERE a.group_id = c.id)",
            "everyone",
            "UNION ALL SELECT 'a', a.group_id, a.admin_id, NULL, NULL, NULL, NULL
             FROM closure x CROSS JOIN group_admins a WHERE a.group_id = x.id",
        )
    } else {
        ("", "", "", "", "closure", "")
    };
    let data_owners = match profile {
        Profile::Direct if scope.viewer.is_none() => {
            "UNION SELECT id FROM principals WHERE data_owner = 1"
        }
        _ => "",
    };
    // For one viewer: their groups stand for every grantee, and the people
    // are the owners and those groups, without their members.
    let (mine, grantees, closure, grants_to, members_of) = if scope.viewer.is_some() {
        (
            "mine(id) AS MATERIALIZED (SELECT p.id FROM input i CROSS JOIN principals p WHERE i.k = 'v' AND p.id = i.v
                 UNION SELECT m.group_id FROM mine x CROSS JOIN group_members m WHERE m.member_id = x.id),",
            "UNION SELECT id FROM mine",
            "closure(id) AS MATERIALIZED (SELECT id FROM direct_p)",
            "AND g.principal_id IN (SELECT id FROM mine)",
            "AND m.member_id IN (SELECT id FROM mine)",
        )
    } else {
        (
            "",
            "UNION SELECT principal_id FROM held",
            "closure(id) AS MATERIALIZED (SELECT id FROM direct_p
             UNION SELECT m.member_id FROM closure c CROSS JOIN group_members m WHERE m.group_id = c.id)",
            "",
            "",
        )
    };
    // The rows come back as one JSON array in one row: drivers hand rows
    // over one at a time (sqlx's SQLite driver through a channel from its
    // worker thread), which on a large project's 100,000 rows costs more
    // than the query itself.
    let postgres = crate::db::Backend::of(conn) == crate::db::Backend::Postgres;
    let (aggregate_open, aggregate_close) = aggregate(postgres);
    let head = format!(
        "WITH RECURSIVE
         input(k, v) AS (VALUES {inputs}),
         {encl}
         {mine}
         seed(id) AS MATERIALIZED (SELECT r.id FROM input i CROSS JOIN resources r WHERE i.k = 's' AND r.id = i.v
             UNION SELECT t.resource_id FROM input i CROSS JOIN transfers t WHERE i.k = 't' AND t.id = i.v
             {contents}
             {from_encl})"
    );
    // The way the joins run is part of the statement's text: PostgreSQL
    // keeps one plan per text (generic plans: `db.rs`), made with the join
    // settings of the transaction that first runs it.
    let joins = if postgres && choose_joins(conn, &head, &params.0, scope.down).await? {
        "-- joins by hashing\n"
    } else {
        ""
    };
    let sql = format!(
        "{joins}{head},
         {down}
         lvl1(id) AS MATERIALIZED (SELECT id FROM down
             UNION SELECT r.parent_id FROM {parents_of} d CROSS JOIN resources r WHERE r.id = d.id AND r.parent_id IS NOT NULL
             UNION SELECT rb.run_id FROM down d CROSS JOIN run_biosamples rb WHERE rb.biosample_id = d.id),
         ctx(id) AS MATERIALIZED (SELECT id FROM lvl1
             UNION SELECT rp.project_id FROM lvl1 l CROSS JOIN resource_projects rp WHERE rp.resource_id = l.id),
         pend(id) AS MATERIALIZED (SELECT t.id FROM ctx c CROSS JOIN transfers t WHERE t.resource_id = c.id AND t.status = 'pending'
             UNION SELECT t.id FROM files c CROSS JOIN transfers t WHERE t.resource_id = c.id AND t.status = 'pending'
             UNION SELECT t.id FROM input i CROSS JOIN transfers t WHERE i.k = 't' AND t.id = i.v),
         held(resource_id, principal_id, level, permissions) AS MATERIALIZED (
             SELECT g.resource_id, g.principal_id, g.level, g.permissions FROM ctx c CROSS JOIN grants g WHERE g.resource_id = c.id
             UNION ALL SELECT g.resource_id, g.principal_id, g.level, g.permissions FROM files c CROSS JOIN grants g WHERE g.resource_id = c.id),
         direct_p(id) AS MATERIALIZED (SELECT r.owner_id FROM ctx c CROSS JOIN resources r WHERE r.id = c.id
             UNION SELECT owner_id FROM files
             {grantees}
             UNION SELECT t.from_id FROM pend x CROSS JOIN transfers t WHERE t.id = x.id
             UNION SELECT p.id FROM pend x CROSS JOIN transfers t CROSS JOIN principals p
                 WHERE t.id = x.id AND p.email_norm = t.to_email_norm
             UNION SELECT p.id FROM input i CROSS JOIN principals p WHERE i.k = 'p' AND p.id = i.v
             UNION SELECT p.id FROM input i CROSS JOIN principals p WHERE i.k = 'e' AND p.email_norm = i.v
             {in_encl}
             {data_owners}),
         {closure}{everyone}
         {aggregate_open}SELECT 'r' AS tag, r.id AS a, r.kind AS b, r.owner_id AS c, r.name AS d, r.parent_id AS e, r.format AS f
             FROM ctx x CROSS JOIN resources r WHERE r.id = x.id
         UNION ALL SELECT 'r', id, kind, owner_id, name, parent_id, format FROM files
         UNION ALL SELECT 'p', rp.resource_id, rp.project_id, NULL, NULL, NULL, NULL
             FROM ctx x CROSS JOIN resource_projects rp WHERE rp.resource_id = x.id
         UNION ALL SELECT 'b', rb.run_id, rb.biosample_id, NULL, NULL, NULL, NULL
             FROM ctx x CROSS JOIN run_biosamples rb WHERE rb.run_id = x.id
         UNION ALL SELECT 'g', g.resource_id, g.principal_id, g.level, g.permissions, NULL, NULL
             FROM held g WHERE 1 = 1 {grants_to}
         UNION ALL SELECT 't', t.id, t.resource_id, t.from_id, t.to_email, t.status, t.message
             FROM pend x CROSS JOIN transfers t WHERE t.id = x.id
         UNION ALL SELECT 'P', p.id, p.kind, p.email, p.name, CASE WHEN p.data_owner = 1 THEN 'y' ELSE 'n' END, NULL
             FROM {people} x CROSS JOIN principals p WHERE p.id = x.id
         UNION ALL SELECT 'm', m.group_id, m.member_id, NULL, NULL, NULL, NULL
             FROM closure x CROSS JOIN group_members m WHERE m.group_id = x.id {members_of}
         {admins}{aggregate_close}"
    );
    let started = std::time::Instant::now();
    let parts = fetch_parts(conn, &sql, params.0).await?;
    let fetched = started.elapsed();
    let world = assemble(profile, parts);
    tracing::trace!(?fetched, total = ?started.elapsed(), "slice loaded");
    Ok(world)
}

/// Runs a statement whose one row is the tagged rows as one JSON array
/// (`aggregate`) with `params` bound in order, and sorts the rows into
/// parts.
async fn fetch_parts(
    conn: &mut AnyConnection,
    sql: &str,
    params: Vec<String>,
) -> Result<Parts, sqlx::Error> {
    let mut query = sqlx::query_as::<_, (Option<String>,)>(sql);
    for p in params {
        query = query.bind(p);
    }
    let (text,) = query.fetch_one(&mut *conn).await?;
    serde_json::from_str(text.as_deref().unwrap_or("[]"))
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// The text around a query of tagged rows (`tag, a, b, c, d, e, f`) that
/// makes them one JSON array in one row, in each backend's words.
fn aggregate(postgres: bool) -> (&'static str, &'static str) {
    if postgres {
        (
            "SELECT COALESCE(json_agg(json_build_array(tag, a, b, c, d, e, f))::text, '[]') FROM (",
            ") q",
        )
    } else {
        (
            "SELECT json_group_array(json_array(tag, a, b, c, d, e, f)) FROM (",
            ")",
        )
    }
}

/// Above this many resources in the seed and its projects' contents, a
/// PostgreSQL slice is read with the joins the planner picks (see
/// [`choose_joins`]).
const PROBES_UP_TO: i64 = 5_000;

/// PostgreSQL only: sets, for the rest of the transaction, how the slice's
/// joins run, from the size of its seed. The planner estimates the rows of
/// recursive and materialized CTEs from averages, so it hashes whole
/// tables to join a few hundred rows: on a database holding a
/// 70,000-resource project, the context of a 400-resource project took
/// 230 to 320 ms that way and 80 ms by index probes, and concurrent reads
/// of small contexts starved confirmations of CPU (18 confirmed actions a
/// second from 32 clients). A slice that holds most of a table is the
/// opposite case: the 70,000-resource project's context takes 0.47 s by
/// hashing and 1.2 s by probes. The seed's size (with what its projects
/// hold when the slice goes `down`), counted by index up to a limit, tells
/// the two apart for the price of one small query. True when it chose
/// hashing.
async fn choose_joins(
    conn: &mut AnyConnection,
    head: &str,
    params: &[String],
    down: bool,
) -> Result<bool, sqlx::Error> {
    let held = if down {
        format!(
            "+ (SELECT count(*) FROM (SELECT 1 FROM seed s CROSS JOIN resource_projects rp
                 WHERE rp.project_id = s.id LIMIT {PROBES_UP_TO}) x)"
        )
    } else {
        String::new()
    };
    let sql = format!("{head} SELECT (SELECT count(*) FROM seed) {held}");
    let mut query = sqlx::query_as::<_, (i64,)>(&sql);
    for p in params {
        query = query.bind(p);
    }
    let (size,) = query.fetch_one(&mut *conn).await?;
    let hashing = size > PROBES_UP_TO;
    let on = if hashing { "on" } else { "off" };
    conn.execute(&*format!(
        "SET LOCAL enable_hashjoin = {on}; SET LOCAL enable_mergejoin = {on}"
    ))
    .await?;
    Ok(hashing)
}

/// One row of the query: its tag, then its columns (tags name no more
/// than seven, and are never escaped, so they are borrowed from the text).
type Row<'a> = (
    &'a str,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The slice's rows sorted into the world's parts as they are read: a
/// large project's 100,000 rows never stand in a list of their own.
#[derive(Default)]
struct Parts {
    principals: Vec<Principal>,
    members: Vec<(String, String)>,
    admins: Vec<(String, String)>,
    resources: Vec<Resource>,
    projects: Vec<(String, String)>,
    biosamples: Vec<(String, String)>,
    grants: Vec<Grant>,
    transfers: Vec<Transfer>,
}

impl Parts {
    fn add(&mut self, (tag, a, b, c, d, e, f): Row) {
        let a = a.unwrap_or_default();
        let b = b.unwrap_or_default();
        match tag {
            "r" => {
                let Some(kind) = resource_kind(&b) else {
                    return;
                };
                self.resources.push(Resource {
                    id: a,
                    kind,
                    owner: c.unwrap_or_default(),
                    name: d,
                    projects: Vec::new(),
                    biosamples: Vec::new(),
                    parent: e,
                    format: f,
                });
            }
            "p" => self.projects.push((a, b)),
            "b" => self.biosamples.push((a, b)),
            "g" => self.grants.push(Grant {
                resource: a,
                principal: b,
                access: access_from_row(c.as_deref().unwrap_or(""), d.as_deref().unwrap_or("")),
            }),
            "t" => self.transfers.push(Transfer {
                id: a,
                resource: b,
                from: c.unwrap_or_default(),
                to: d.unwrap_or_default(),
                status: transfer_status(e.as_deref().unwrap_or("")),
                message: f,
            }),
            "P" => {
                let kind = match b.as_str() {
                    "group" => PrincipalKind::Group,
                    "service_account" => PrincipalKind::ServiceAccount,
                    _ => PrincipalKind::User,
                };
                let roles = if e.as_deref() == Some("y") {
                    vec![Role::DataOwner]
                } else {
                    Vec::new()
                };
                self.principals.push(Principal {
                    id: a,
                    kind,
                    email: c,
                    name: d,
                    members: Vec::new(),
                    admins: Vec::new(),
                    roles,
                });
            }
            "m" => self.members.push((a, b)),
            "a" => self.admins.push((a, b)),
            _ => {}
        }
    }
}

impl<'de> serde::Deserialize<'de> for Parts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Parts, D::Error> {
        struct Rows;
        impl<'de> serde::de::Visitor<'de> for Rows {
            type Value = Parts;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of the slice's rows")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut rows: A,
            ) -> Result<Parts, A::Error> {
                let mut parts = Parts::default();
                while let Some(row) = rows.next_element::<Row<'de>>()? {
                    parts.add(row);
                }
                Ok(parts)
            }
        }
        d.deserialize_seq(Rows)
    }
}

/// Builds the world from the rows' parts, in id order so that equal slices
/// give equal JSON (and equal versions).
fn assemble(profile: Profile, parts: Parts) -> World {
    let Parts {
        principals,
        members,
        admins,
        mut resources,
        projects,
        biosamples,
        grants,
        transfers,
    } = parts;
    // Sorted lists and binary searches rather than maps of 70,000 keys: a
    // large project's slice assembles in a third of the time.
    resources.sort_unstable_by(|x, y| x.id.cmp(&y.id));
    resources.dedup_by(|x, y| x.id == y.id);
    for (pairs, projects_list) in [(projects, true), (biosamples, false)] {
        for (id, other) in sorted_pairs(pairs) {
            if resource_at(&resources, &other).is_none() {
                continue;
            }
            if let Some(i) = resource_at(&resources, &id) {
                let r = &mut resources[i];
                if projects_list {
                    r.projects.push(other);
                } else {
                    r.biosamples.push(other);
                }
            }
        }
    }
    World {
        profile,
        principals: with_members(principals, members, admins),
        resources,
        grants: grants_in_order(grants),
        transfers: transfers_in_order(transfers),
    }
}

/// Where the resource `id` is in `resources`, which are in id order (as
/// `assemble` leaves them).
fn resource_at(resources: &[Resource], id: &str) -> Option<usize> {
    resources.binary_search_by(|r| r.id.as_str().cmp(id)).ok()
}

/// The principals in id order, once each, each group with its members and
/// admins in order.
fn with_members(
    mut principals: Vec<Principal>,
    members: Vec<(String, String)>,
    admins: Vec<(String, String)>,
) -> Vec<Principal> {
    principals.sort_unstable_by(|x, y| x.id.cmp(&y.id));
    principals.dedup_by(|x, y| x.id == y.id);
    for (pairs, members_list) in [(members, true), (admins, false)] {
        for (group, member) in sorted_pairs(pairs) {
            if let Ok(i) = principals.binary_search_by(|p| p.id.as_str().cmp(&group)) {
                let p = &mut principals[i];
                if members_list {
                    p.members.push(member);
                } else {
                    p.admins.push(member);
                }
            }
        }
    }
    principals
}

/// Grants in (resource, principal) order.
fn grants_in_order(mut grants: Vec<Grant>) -> Vec<Grant> {
    grants.sort_by(|x, y| (&x.resource, &x.principal).cmp(&(&y.resource, &y.principal)));
    grants
}

/// Transfers in id order.
fn transfers_in_order(mut transfers: Vec<Transfer>) -> Vec<Transfer> {
    transfers.sort_by(|x, y| x.id.cmp(&y.id));
    transfers
}

/// (owner, item) pairs sorted and without repeats, so that each owner's
/// items come in order.
fn sorted_pairs(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// The ids whose change may change the slice `load` reads for `scope`
/// (what `world`, read for it, holds): a change logs the ids in the
/// columns that the query above selects rows by (`0005_world_changes.sql`),
/// and every such column's value, for a row in the slice or one that would
/// join it, is one of these:
/// - the scope's own values (a resource, transfer, principal or group
///   named, whether or not it exists yet; emails as `e:<email>`);
/// - every resource of the slice with its parent, projects and
///   biosamples (a row that joins the slice names one of them: an
///   association, a file, a run biosample, a grant, a transfer);
/// - every principal with its members and admins (a membership, an admin,
///   a grant to a group of the slice);
/// - the recipients of the slice's transfers (`e:<email>`: an account
///   opened with that email joins the slice);
/// - `*data_owner` in the `direct` profile, whose slices hold every data
///   owner.
///
/// Listing more than that only lets a slice go sooner; the slice tests
/// read kept slices after changes of every kind and compare them with
/// fresh ones.
pub fn dependencies(profile: Profile, scope: &Scope, world: &World) -> IdSet {
    let mut out = IdSet::default();
    let named = [
        &scope.resources,
        &scope.within,
        &scope.transfers,
        &scope.principals,
        &scope.groups,
    ];
    for id in named.into_iter().flatten().chain(&scope.viewer) {
        out.insert(id);
    }
    let email = |e: &str| format!("e:{}", custody_policy::normalize_email(e));
    for e in &scope.emails {
        out.insert(&email(e));
    }
    for r in &world.resources {
        out.insert(&r.id);
        let others = r.parent.iter().chain(&r.projects).chain(&r.biosamples);
        for id in others {
            out.insert(id);
        }
    }
    for p in &world.principals {
        out.insert(&p.id);
        for id in p.members.iter().chain(&p.admins) {
            out.insert(id);
        }
    }
    for t in &world.transfers {
        out.insert(&t.id);
        out.insert(&email(&t.to));
    }
    if profile == Profile::Direct {
        out.insert("*data_owner");
    }
    out
}

/// A set of ids kept as a 64-bit hash each. A large project's slice
/// depends on some 150,000 ids: kept as strings they took 40 to 110 ms to
/// gather (an allocation each) and ten times the memory. Two ids with one
/// hash only make [`IdSet::contains`] say yes for an id the set does not
/// hold, which reads a kept slice again when it need not: never the other
/// way, so never a stale answer (and with 64 bits, about once in 10^10
/// checks of 10,000 changed ids against a large slice).
#[derive(Debug, Default)]
pub struct IdSet(HashSet<u64, BuildHasherDefault<FxHasher>>);

impl IdSet {
    fn hash(id: &str) -> u64 {
        let mut h = FxHasher::default();
        id.hash(&mut h);
        h.finish()
    }

    pub fn insert(&mut self, id: &str) {
        self.0.insert(IdSet::hash(id));
    }

    /// True when `id` is in the set, or (rarely) shares a hash with one
    /// that is.
    pub fn contains(&self, id: &str) -> bool {
        self.0.contains(&IdSet::hash(id))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A fingerprint of a slice: equal slices, equal versions.
pub fn version(world: &World) -> String {
    version_of_json(&serde_json::to_vec(world).unwrap_or_default())
}

/// [`version`] of a world already written as JSON.
pub fn version_of_json(text: &[u8]) -> String {
    let hash = Sha256::digest(text);
    let mut out = String::with_capacity(32);
    for b in hash.iter().take(16) {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

pub fn resource_kind(text: &str) -> Option<ResourceKind> {
    ResourceKind::ALL.into_iter().find(|k| k.as_str() == text)
}

/// A stored status; an unknown one reads as pending.
pub fn transfer_status(text: &str) -> TransferStatus {
    TransferStatus::parse(text).unwrap_or(TransferStatus::Pending)
}

/// A grant's stored level and comma-separated permissions as an access.
pub fn access_from_row(level: &str, permissions: &str) -> Access {
    let level = Level::parse(level).unwrap_or(Level::Read);
    let mut set = Permissions::EMPTY;
    for name in permissions.split(',').filter(|n| !n.is_empty()) {
        if let Some(p) = Permission::parse(name) {
            set.insert(p);
        }
    }
    Access::with(level, set)
}

/// An access as its stored level and comma-separated permissions.
pub fn access_to_row(access: Access) -> (&'static str, String) {
    let permissions: Vec<&str> = access.permissions.iter().map(|p| p.as_str()).collect();
    (access.level.as_str(), permissions.join(","))
}
