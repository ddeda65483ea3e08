//! Custody's effective-access rules as Cedar policies.
//!
//! One Cedar action per access level and per permission of the `direct`
//! profile ([`Ask`]). A person's access to a resource is read back from the
//! answers (`sweep::derive`): `owner` if allowed, else the highest allowed
//! of `write`, `read`, `names`, plus every allowed permission. So each
//! policy permits only the action its source gives; nothing needs to
//! permit the lower levels too.
//!
//! The static policies hold the rules that do not depend on grants; each
//! grant links templates (Cedar's mechanism for shares: one linked policy
//! per grant and action; `slices.rs` links them), so `principal in ?principal` covers the people
//! of a granted group through nesting and `resource in ?resource` the
//! cascade edges of `entities.rs`.

use cedar_policy::{Policy, PolicyId, PolicySet, Template};
use custody_policy::{Level, Permission, Profile};

/// What one request asks: a level, or a permission of the `direct` profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    Level(Level),
    Permission(Permission),
}

impl Ask {
    /// The Cedar action's id.
    pub fn action_id(self) -> &'static str {
        match self {
            Ask::Level(level) => level.as_str(),
            Ask::Permission(p) => p.as_str(),
        }
    }

    /// What is asked of every pair in a profile: the four levels above
    /// `none`, and in `direct` the four permissions too.
    pub fn all(profile: Profile) -> Vec<Ask> {
        let mut asks: Vec<Ask> = [Level::Names, Level::Read, Level::Write, Level::Owner]
            .into_iter()
            .map(Ask::Level)
            .collect();
        if profile == Profile::Direct {
            asks.extend(Permission::ALL.into_iter().map(Ask::Permission));
        }
        asks
    }
}

/// One policy or template: its id and its text.
type Statement = (&'static str, &'static str);

/// The rules of both profiles.
const COMMON: &[Statement] = &[
    // Rule 1: the owner of a resource owns it. Ownership cascades only to
    // what the same person owns anyway (rule 3), so nothing more is needed.
    (
        "owner",
        r#"permit (principal, action == Action::"owner", resource is Resource)
           when { resource has owner && resource.owner == principal };"#,
    ),
    // Rule 4, for owners: owning a run reads it, so it shows the names of
    // every biosample it lists, whoever owns the biosample. (Readers of a
    // run get the names through `grant_read`: `Names::"B"` is `in` each run
    // listing B.)
    (
        "names_of_owned_runs",
        r#"permit (principal, action == Action::"names", resource is Names)
           when { resource has run_owners && principal in resource.run_owners };"#,
    ),
    // Rules 2 to 4 for every grant, `read` and `write` alike: reading a
    // container reads what it holds whose owner is the container's owner
    // (`resource in ?resource` follows only such edges), and reading a run
    // shows the names of its biosamples (`Names::"B" in` the run).
    (
        "grant_read",
        r#"permit (principal in ?principal, action in [Action::"read", Action::"names"], resource in ?resource);"#,
    ),
];

/// `basespace`: `write` on a container gives only `read` on its contents
/// (through `grant_read`), so the write itself stays on the granted resource.
const BASESPACE: &[Statement] = &[(
    "grant_write",
    r#"permit (principal in ?principal, action == Action::"write", resource == ?resource);"#,
)];

/// `direct`: a container's access, level and permissions, applies unchanged
/// to what it holds; and the data-owner role reads every project and what
/// cascades from it (rule 5). The role means nothing in `basespace`, and on
/// a service account `entities.rs` gives no `Role::"data_owner"` parent.
const DIRECT: &[Statement] = &[
    (
        "grant_write",
        r#"permit (principal in ?principal, action == Action::"write", resource in ?resource);"#,
    ),
    (
        "grant_share",
        r#"permit (principal in ?principal, action == Action::"share", resource in ?resource);"#,
    ),
    (
        "grant_delete",
        r#"permit (principal in ?principal, action == Action::"delete", resource in ?resource);"#,
    ),
    (
        "grant_manage_resources",
        r#"permit (principal in ?principal, action == Action::"manage_resources", resource in ?resource);"#,
    ),
    (
        "grant_delete_resources",
        r#"permit (principal in ?principal, action == Action::"delete_resources", resource in ?resource);"#,
    ),
    (
        "data_owner_role",
        r#"permit (principal in Role::"data_owner", action in [Action::"read", Action::"names"], resource in Catalog::"projects");"#,
    ),
];

/// The policies and templates of a profile, before any grant is linked.
pub fn templates(profile: Profile) -> Result<PolicySet, String> {
    let extra = match profile {
        Profile::Basespace => BASESPACE,
        Profile::Direct => DIRECT,
    };
    let mut set = PolicySet::new();
    for &(id, text) in COMMON.iter().chain(extra) {
        let added = if text.contains("?principal") {
            Template::parse(Some(PolicyId::new(id)), text)
                .map_err(|e| e.to_string())
                .and_then(|t| set.add_template(t).map_err(|e| e.to_string()))
        } else {
            Policy::parse(Some(PolicyId::new(id)), text)
                .map_err(|e| e.to_string())
                .and_then(|p| set.add(p).map_err(|e| e.to_string()))
        };
        added.map_err(|e| format!("policy `{id}`: {e}"))?;
    }
    Ok(set)
}
