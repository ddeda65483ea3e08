//! Loading a whole world (the specification's JSON) into an empty
//! database: for tests that replay scenarios, for `custody seed demo`, and
//! for `custody import`. The world is validated by custody-policy first,
//! so the database only ever holds valid worlds.

use custody_policy::{ResourceKind, World, normalize_email};

use crate::db::{Backend, Db, Tx, now_ms, values_placeholders};
use crate::error::{AppError, AppResult};
use crate::slice::access_to_row;

/// A value to bind.
pub enum Val {
    Text(Option<String>),
    Int(i64),
}

fn t(s: &str) -> Val {
    Val::Text(Some(s.to_string()))
}

fn opt(s: &Option<String>) -> Val {
    Val::Text(s.clone())
}

/// The most values bound to one statement. On SQLite, few: sqlx's driver
/// looks up each parameter's name by its number, which SQLite finds by
/// walking the statement's list of names, so binding `n` values takes
/// `n * n / 2` steps; with chunks of 500 rows (4,000 values) that was 62%
/// of importing the irregular L world (3.8 s; 1.6 s with 256 values). On
/// PostgreSQL, many: each statement is a round trip (256 values a
/// statement took that import from 3.2 to 3.8 s).
fn values_per_statement(tx: &Tx) -> usize {
    match Backend::of(tx) {
        Backend::Postgres => 4_000,
        Backend::Sqlite => 256,
    }
}

/// Inserts rows in chunks of multi-row `VALUES`, far faster than one
/// statement per row on either database.
pub async fn insert_many(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Val>>,
) -> AppResult<()> {
    let width = columns.len();
    let per_chunk = (values_per_statement(tx) / width.max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Val>> = rows.by_ref().take(per_chunk).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            values_placeholders(chunk.len(), width, 1)
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                query = match v {
                    Val::Text(s) => query.bind(s),
                    Val::Int(i) => query.bind(i),
                };
            }
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Loads `world` into the database (which should hold none of its ids).
/// Accounts get no password; set them with `accounts::set_password`.
pub async fn import_world(db: &Db, world: &World) -> AppResult<()> {
    custody_policy::validate_world(world)
        .map_err(|e| AppError::bad_request("invalid_world", e.message))?;
    let now = now_ms();
    let mut w = db.write().await?;
    let tx = &mut w.tx;
    let principals = world
        .principals
        .iter()
        .map(|p| {
            vec![
                t(&p.id),
                t(p.kind.as_str()),
                opt(&p.email),
                Val::Text(p.email.as_deref().map(normalize_email)),
                opt(&p.name),
                Val::Int(i64::from(
                    p.roles.contains(&custody_policy::Role::DataOwner),
                )),
                Val::Int(now),
            ]
        })
        .collect();
    insert_many(
        tx,
        "principals",
        &[
            "id",
            "kind",
            "email",
            "email_norm",
            "name",
            "data_owner",
            "created_at",
        ],
        principals,
    )
    .await?;
    let members = world
        .principals
        .iter()
        .flat_map(|p| p.members.iter().map(|m| vec![t(&p.id), t(m)]))
        .collect();
    insert_many(tx, "group_members", &["group_id", "member_id"], members).await?;
    let admins = world
        .principals
        .iter()
        .flat_map(|p| p.admins.iter().map(|a| vec![t(&p.id), t(a)]))
        .collect();
    insert_many(tx, "group_admins", &["group_id", "admin_id"], admins).await?;
    // Runs and datasets before the files that name them as parent.
    let (files, others): (Vec<_>, Vec<_>) = world
        .resources
        .iter()
        .partition(|r| r.kind == ResourceKind::File);
    for batch in [others, files] {
        let rows = batch
            .iter()
            .map(|r| {
                vec![
                    t(&r.id),
                    t(r.kind.as_str()),
                    t(&r.owner),
                    opt(&r.name),
                    opt(&r.parent),
                    opt(&r.format),
                    Val::Int(now),
                ]
            })
            .collect();
        insert_many(
            tx,
            "resources",
            &[
                "id",
                "kind",
                "owner_id",
                "name",
                "parent_id",
                "format",
                "created_at",
            ],
            rows,
        )
        .await?;
    }
    let links = world
        .resources
        .iter()
        .flat_map(|r| r.projects.iter().map(|p| vec![t(&r.id), t(p)]))
        .collect();
    insert_many(
        tx,
        "resource_projects",
        &["resource_id", "project_id"],
        links,
    )
    .await?;
    let samples = world
        .resources
        .iter()
        .flat_map(|r| r.biosamples.iter().map(|b| vec![t(&r.id), t(b)]))
        .collect();
    insert_many(tx, "run_biosamples", &["run_id", "biosample_id"], samples).await?;
    let grants = world
        .grants
        .iter()
        .map(|g| {
            let (level, permissions) = access_to_row(g.access);
            vec![t(&g.resource), t(&g.principal), t(level), t(&permissions)]
        })
        .collect();
    insert_many(
        tx,
        "grants",
        &["resource_id", "principal_id", "level", "permissions"],
        grants,
    )
    .await?;
    let transfers = world
        .transfers
        .iter()
        .map(|x| {
            vec![
                t(&x.id),
                t(&x.resource),
                t(&x.from),
                t(&x.to),
                t(&normalize_email(&x.to)),
                opt(&x.message),
                t(x.status.as_str()),
                Val::Int(now),
            ]
        })
        .collect();
    insert_many(
        tx,
        "transfers",
        &[
            "id",
            "resource_id",
            "from_id",
            "to_email",
            "to_email_norm",
            "message",
            "status",
            "created_at",
        ],
        transfers,
    )
    .await?;
    crate::context_cache::prune_changes(&mut w.tx).await?;
    w.tx.commit().await?;
    if db.backend == Backend::Postgres {
        // A bulk load leaves PostgreSQL's statistics describing the tables
        // before it until autovacuum comes round: the slice's joins were
        // then planned for empty tables (confirmed actions 11/s instead of
        // hundreds, the large project's context 1.3 s). Refresh them now.
        sqlx::query("ANALYZE").execute(&db.pool).await?;
    }
    Ok(())
}
