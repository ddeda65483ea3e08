//! The rows an applied action writes. custody-policy computes the world
//! after the action on the slice (`Engine::applied`); comparing it with
//! the slice before gives exactly the owners, grants, transfers and group
//! members to write, and nothing outside the slice can change (a group in
//! the slice always holds all its members, so its list is compared whole). The cost is that of
//! the slice, like the preview's.

use std::collections::{BTreeSet, HashMap};

use custody_policy::{Access, PrincipalKind, Transfer, TransferStatus, World, normalize_email};

use crate::accounts::random_token;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::slice::access_to_row;

/// What was written, for the audit record and the notifications.
#[derive(Debug, Default)]
pub struct Written {
    /// (resource, previous owner, new owner)
    pub owners: Vec<(String, String, String)>,
    /// (resource, principal, before, after): a grant added or replaced.
    pub granted: Vec<(String, String, Option<Access>, Access)>,
    /// (resource, principal, before): a grant removed.
    pub revoked: Vec<(String, String, Access)>,
    /// A transfer the action created, under its stored id.
    pub created: Option<Transfer>,
    /// Transfers whose status changed, as they are now.
    pub settled: Vec<Transfer>,
    /// (group, member): a member added.
    pub joined: Vec<(String, String)>,
    /// (group, member): a member removed.
    pub left: Vec<(String, String)>,
}

pub async fn write(
    tx: &mut Tx,
    before: &World,
    after: &World,
    actor: &str,
    now: i64,
) -> AppResult<Written> {
    let mut out = Written::default();
    let owners: HashMap<&str, &str> = before
        .resources
        .iter()
        .map(|r| (r.id.as_str(), r.owner.as_str()))
        .collect();
    for r in &after.resources {
        if let Some(&old) = owners.get(r.id.as_str())
            && old != r.owner
        {
            sqlx::query("UPDATE resources SET owner_id = $1 WHERE id = $2")
                .bind(&r.owner)
                .bind(&r.id)
                .execute(&mut **tx)
                .await?;
            out.owners
                .push((r.id.clone(), old.to_string(), r.owner.clone()));
        }
    }
    let old_grants: HashMap<(&str, &str), Access> = before
        .grants
        .iter()
        .map(|g| ((g.resource.as_str(), g.principal.as_str()), g.access))
        .collect();
    let new_grants: HashMap<(&str, &str), Access> = after
        .grants
        .iter()
        .map(|g| ((g.resource.as_str(), g.principal.as_str()), g.access))
        .collect();
    for (&(resource, principal), &access) in &old_grants {
        if !new_grants.contains_key(&(resource, principal)) {
            sqlx::query("DELETE FROM grants WHERE resource_id = $1 AND principal_id = $2")
                .bind(resource)
                .bind(principal)
                .execute(&mut **tx)
                .await?;
            out.revoked
                .push((resource.to_string(), principal.to_string(), access));
        }
    }
    for (&(resource, principal), &access) in &new_grants {
        let old = old_grants.get(&(resource, principal)).copied();
        if old == Some(access) {
            continue;
        }
        let (level, permissions) = access_to_row(access);
        if old.is_some() {
            sqlx::query(
                "UPDATE grants SET level = $1, permissions = $2 WHERE resource_id = $3 AND principal_id = $4",
            )
        } else {
            sqlx::query(
                "INSERT INTO grants (level, permissions, resource_id, principal_id) VALUES ($1, $2, $3, $4)",
            )
        }
        .bind(level)
        .bind(permissions)
        .bind(resource)
        .bind(principal)
        .execute(&mut **tx)
        .await?;
        out.granted
            .push((resource.to_string(), principal.to_string(), old, access));
    }
    out.granted.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out.revoked.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let old_transfers: HashMap<&str, &Transfer> = before
        .transfers
        .iter()
        .map(|x| (x.id.as_str(), x))
        .collect();
    for x in &after.transfers {
        match old_transfers.get(x.id.as_str()) {
            None => {
                // The policy numbers new transfers within the slice; the
                // database needs an id unique across all of them.
                let id = format!("T-{}", random_token(6));
                sqlx::query(
                    "INSERT INTO transfers (id, resource_id, from_id, to_email, to_email_norm, message, status, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&id)
                .bind(&x.resource)
                .bind(&x.from)
                .bind(&x.to)
                .bind(normalize_email(&x.to))
                .bind(x.message.clone())
                .bind(x.status.as_str())
                .bind(now)
                .execute(&mut **tx)
                .await?;
                out.created = Some(Transfer { id, ..x.clone() });
            }
            Some(old) if old.status != x.status => {
                // Only a pending transfer can be settled: the guard makes
                // a lost race an error rather than a second settlement.
                let done = sqlx::query(
                    "UPDATE transfers SET status = $1, decided_at = $2, decided_by = $3
                     WHERE id = $4 AND status = 'pending'",
                )
                .bind(x.status.as_str())
                .bind(now)
                .bind(actor)
                .bind(&x.id)
                .execute(&mut **tx)
                .await?;
                if done.rows_affected() != 1 || x.status == TransferStatus::Pending {
                    return Err(AppError::internal(format!(
                        "transfer `{}` was not pending when settled",
                        x.id
                    )));
                }
                out.settled.push(x.clone());
            }
            Some(_) => {}
        }
    }
    write_members(tx, before, after, &mut out).await?;
    Ok(out)
}

/// The group members that differ between `before` and `after`.
async fn write_members(
    tx: &mut Tx,
    before: &World,
    after: &World,
    out: &mut Written,
) -> AppResult<()> {
    let old: HashMap<&str, BTreeSet<&str>> = before
        .principals
        .iter()
        .filter(|p| p.kind == PrincipalKind::Group)
        .map(|p| {
            (
                p.id.as_str(),
                p.members.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    for group in after
        .principals
        .iter()
        .filter(|p| p.kind == PrincipalKind::Group)
    {
        let Some(was) = old.get(group.id.as_str()) else {
            continue;
        };
        let now: BTreeSet<&str> = group.members.iter().map(String::as_str).collect();
        for &gone in was.difference(&now) {
            sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND member_id = $2")
                .bind(&group.id)
                .bind(gone)
                .execute(&mut **tx)
                .await?;
            out.left.push((group.id.clone(), gone.to_string()));
        }
        for &new in now.difference(was) {
            sqlx::query("INSERT INTO group_members (group_id, member_id) VALUES ($1, $2)")
                .bind(&group.id)
                .bind(new)
                .execute(&mut **tx)
                .await?;
            out.joined.push((group.id.clone(), new.to_string()));
        }
    }
    out.joined.sort();
    out.left.sort();
    Ok(())
}
