//! Accounts and groups: argon2 password hashes, and the rows behind
//! `custody user add` and `custody group add`.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use custody_policy::normalize_email;

use crate::db::{Db, now_ms};
use crate::error::{AppError, AppResult};

/// The cost of new password hashes. `Default` is argon2id with the crate's
/// recommended parameters; `Low` is for test suites and throwaway demo
/// data, where thousands of sign-ins must be quick. Verification reads the
/// parameters from the stored hash, so both kinds verify anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCost {
    Default,
    Low,
}

fn hasher(cost: PasswordCost) -> AppResult<Argon2<'static>> {
    let params = match cost {
        PasswordCost::Default => Params::default(),
        PasswordCost::Low => Params::new(256, 1, 1, None).map_err(AppError::internal)?,
    };
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub fn hash_password(password: &str, cost: PasswordCost) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher(cost)?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

/// True when `password` matches the stored hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// 32 random bytes as hex: session ids, CSRF tokens, transfer ids.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new user or service account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub id: String,
    pub service_account: bool,
    pub email: Option<String>,
    pub name: Option<String>,
    pub data_owner: bool,
    pub password: Option<String>,
}

/// Adds an account. Ids are unique across principals and resources, and
/// emails case-insensitively.
pub async fn add_account(db: &Db, account: &NewAccount, cost: PasswordCost) -> AppResult<()> {
    check_id(&account.id)?;
    let hash = match &account.password {
        Some(p) => Some(hash_password(p, cost)?),
        None => None,
    };
    let email_norm = account.email.as_deref().map(normalize_email);
    if let Some(e) = &email_norm
        && !e.contains('@')
    {
        return Err(AppError::bad_request(
            "invalid_request",
            format!("`{e}` is not an email address"),
        ));
    }
    let mut tx = db.write().await?;
    ensure_free(&mut tx.tx, &account.id).await?;
    if let Some(e) = &email_norm {
        let taken: Option<(String,)> =
            sqlx::query_as("SELECT id FROM principals WHERE email_norm = $1")
                .bind(e)
                .fetch_optional(&mut *tx.tx)
                .await?;
        if let Some((id,)) = taken {
            return Err(AppError::bad_request(
                "email_taken",
                format!("the email `{e}` belongs to `{id}` already"),
            ));
        }
    }
    sqlx::query(
        "INSERT INTO principals (id, kind, email, email_norm, name, data_owner, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&account.id)
    .bind(if account.service_account {
        "service_account"
    } else {
        "user"
    })
    .bind(account.email.clone())
    .bind(email_norm)
    .bind(account.name.clone())
    .bind(i64::from(account.data_owner))
    .bind(hash)
    .bind(now_ms())
    .execute(&mut *tx.tx)
    .await?;
    tx.tx.commit().await?;
    Ok(())
}

/// Sets (or replaces) an account's password.
pub async fn set_password(db: &Db, id: &str, password: &str, cost: PasswordCost) -> AppResult<()> {
    let hash = hash_password(password, cost)?;
    let done =
        sqlx::query("UPDATE principals SET password_hash = $1 WHERE id = $2 AND kind <> 'group'")
            .bind(hash)
            .bind(id)
            .execute(&db.pool)
            .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::not_found("account", id));
    }
    Ok(())
}

/// Adds a group with its members (people or groups) and admins (people).
/// A member that contains the group, directly or through nesting, would
/// make a cycle and is refused.
pub async fn add_group(
    db: &Db,
    id: &str,
    name: Option<&str>,
    members: &[String],
    admins: &[String],
) -> AppResult<()> {
    check_id(id)?;
    let mut tx = db.write().await?;
    ensure_free(&mut tx.tx, id).await?;
    sqlx::query(
        "INSERT INTO principals (id, kind, name, data_owner, created_at) VALUES ($1, 'group', $2, 0, $3)",
    )
    .bind(id)
    .bind(name.map(str::to_string))
    .bind(now_ms())
    .execute(&mut *tx.tx)
    .await?;
    for m in members {
        let kind = principal_kind(&mut tx.tx, m).await?;
        if kind.is_none() {
            return Err(AppError::bad_request(
                "unknown_principal",
                format!("there is no principal `{m}`"),
            ));
        }
        if m == id || contains(&mut tx.tx, m, id).await? {
            return Err(AppError::bad_request(
                "group_cycle",
                format!("adding `{m}` to `{id}` would make a cycle of groups"),
            ));
        }
        sqlx::query("INSERT INTO group_members (group_id, member_id) VALUES ($1, $2)")
            .bind(id)
            .bind(m)
            .execute(&mut *tx.tx)
            .await?;
    }
    for a in admins {
        match principal_kind(&mut tx.tx, a).await?.as_deref() {
            Some("user") | Some("service_account") => {}
            Some(_) => {
                return Err(AppError::bad_request(
                    "invalid_request",
                    format!("`{a}` is a group; a group's admins are people"),
                ));
            }
            None => {
                return Err(AppError::bad_request(
                    "unknown_principal",
                    format!("there is no principal `{a}`"),
                ));
            }
        }
        sqlx::query("INSERT INTO group_admins (group_id, admin_id) VALUES ($1, $2)")
            .bind(id)
            .bind(a)
            .execute(&mut *tx.tx)
            .await?;
    }
    tx.tx.commit().await?;
    Ok(())
}

/// True when group `outer` contains `inner`, directly or through nesting.
async fn contains(tx: &mut crate::db::Tx, outer: &str, inner: &str) -> AppResult<bool> {
    let found: Option<(String,)> = sqlx::query_as(
        "WITH RECURSIVE down(id) AS (SELECT $1 UNION SELECT m.member_id FROM group_members m JOIN down d ON m.group_id = d.id)
         SELECT id FROM down WHERE id = $2",
    )
    .bind(outer)
    .bind(inner)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.is_some())
}

async fn principal_kind(tx: &mut crate::db::Tx, id: &str) -> AppResult<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT kind FROM principals WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|r| r.0))
}

/// Ids are shared by principals and resources: refuse one that is taken.
pub async fn ensure_free(tx: &mut crate::db::Tx, id: &str) -> AppResult<()> {
    let taken: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM principals WHERE id = $1 UNION SELECT id FROM resources WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    if taken.is_some() {
        return Err(AppError::bad_request(
            "id_taken",
            format!("the id `{id}` is taken"),
        ));
    }
    Ok(())
}

fn check_id(id: &str) -> AppResult<()> {
    let ok = !id.is_empty()
        && id.len() <= 200
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(())
    } else {
        Err(AppError::bad_request(
            "invalid_request",
            format!("`{id}` is not a valid id (letters, digits, - _ . @; at most 200)"),
        ))
    }
}
