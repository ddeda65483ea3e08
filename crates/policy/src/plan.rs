//! Who may take which action, and what it changes.
//!
//! `plan` checks an action against a world and, when it is allowed, returns
//! the `Delta` it makes: the one description of the change that both the
//! preview (`diff.rs`) and `apply` use, so that what a person previews is
//! what happens. Checks run in the specification's order of precedence:
//! unknown ids, then what the profile and kind support, then who may act,
//! then the state.

use crate::access::{Access, AccessText, Level, Permission, Permissions};
use crate::action::{Action, ActionType};
use crate::error::{ErrorCode, PolicyError, fail};
use crate::eval::access_at;
use crate::index::{Index, Pid, Rid, normalize_email};
use crate::model::{PrincipalKind, Profile, ResourceKind, TransferStatus};
use crate::view::{Delta, TransferEdit, View};

/// An allowed action and its effect.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub actor: Pid,
    pub delta: Delta,
    pub irreversible: bool,
    pub pending_until_accepted: bool,
    /// A run transfer leaves FASTQ files with their owner.
    pub fastq_excluded: bool,
    /// For a transfer: who receives it (a principal, or the newcomer).
    pub recipient: Option<Pid>,
}

type Checked<T> = Result<T, PolicyError>;

/// Checks `action` against the index and describes its effect.
pub(crate) fn plan(index: &Index, action: &Action) -> Checked<Plan> {
    let actor = principal(index, action.actor())?;
    let mut plan = Plan {
        actor,
        delta: Delta::default(),
        irreversible: false,
        pending_until_accepted: false,
        fastq_excluded: false,
        recipient: None,
    };
    match action {
        Action::Batch { actions, .. } => batch(index, &mut plan, actions)?,
        single => step(index, &mut plan, single)?,
    }
    Ok(plan)
}

/// The action types each profile has.
fn supported(profile: Profile, kind: ActionType) -> Checked<()> {
    use ActionType::*;
    let ok = match profile {
        Profile::Basespace => !matches!(kind, SetOwner),
        Profile::Direct => matches!(
            kind,
            Share | Unshare | SetOwner | Leave | AddMember | RemoveMember | Batch
        ),
    };
    if ok {
        Ok(())
    } else {
        fail(
            ErrorCode::NotSupported,
            format!(
                "the {} profile has no `{}`",
                profile_name(profile),
                kind.as_str()
            ),
        )
    }
}

fn profile_name(profile: Profile) -> &'static str {
    match profile {
        Profile::Basespace => "basespace",
        Profile::Direct => "direct",
    }
}

fn principal(index: &Index, id: &str) -> Checked<Pid> {
    index.principal(id).map_or_else(
        || {
            fail(
                ErrorCode::UnknownPrincipal,
                format!("there is no principal `{id}`"),
            )
        },
        Ok,
    )
}

fn resource(index: &Index, id: &str) -> Checked<Rid> {
    index.resource(id).map_or_else(
        || {
            fail(
                ErrorCode::UnknownResource,
                format!("there is no resource `{id}`"),
            )
        },
        Ok,
    )
}

fn transfer(index: &Index, id: &str) -> Checked<u32> {
    index.transfer(id).map_or_else(
        || {
            fail(
                ErrorCode::UnknownTransfer,
                format!("there is no transfer `{id}`"),
            )
        },
        Ok,
    )
}

/// Groups hold access but never act.
fn acting_person(index: &Index, actor: Pid) -> Checked<()> {
    if index.principals[actor as usize].kind == PrincipalKind::Group {
        return fail(
            ErrorCode::NotPermitted,
            format!(
                "`{}` is a group; only people act",
                index.principal_id(actor)
            ),
        );
    }
    Ok(())
}

/// Which kinds `share` and `unshare` reach in each profile.
fn shareable(index: &Index, r: Rid) -> Checked<()> {
    let kind = index.res(r).kind;
    let ok = match index.profile() {
        Profile::Basespace => matches!(kind, ResourceKind::Project | ResourceKind::Run),
        Profile::Direct => kind == ResourceKind::Project,
    };
    if ok {
        Ok(())
    } else {
        fail(
            ErrorCode::NotSupported,
            format!(
                "a {kind} cannot be shared on its own in the {} profile; share its project{}",
                profile_name(index.profile()),
                if index.profile() == Profile::Basespace {
                    " or run"
                } else {
                    ""
                }
            ),
        )
    }
}

/// The access a share asks for: `read` or `write`, with permissions only in
/// the `direct` profile.
fn requested_access(profile: Profile, text: &AccessText) -> Checked<Access> {
    let access = text
        .parse()
        .or_else(|message| fail(ErrorCode::InvalidAccess, message))?;
    if !matches!(access.level, Level::Read | Level::Write) {
        return fail(
            ErrorCode::InvalidAccess,
            format!("a share gives `read` or `write`, not `{}`", access.level),
        );
    }
    if profile != Profile::Direct && !access.permissions.is_empty() {
        return fail(
            ErrorCode::InvalidAccess,
            "extra permissions exist only in the direct profile",
        );
    }
    Ok(access)
}

/// May `actor` change grants on `r`, from `existing` to `new`? The owner
/// may; in `direct`, so may a holder of `share`, within their own access.
fn may_share(
    view: View<'_>,
    actor: Pid,
    r: Rid,
    new: Option<Access>,
    existing: Option<Access>,
) -> Checked<()> {
    let index = view.index;
    if view.owner(r) == actor {
        return Ok(());
    }
    acting_person(index, actor)?;
    if view.profile() == Profile::Direct {
        let held = access_at(view, actor, r).access;
        if held.permissions.contains(Permission::Share) {
            for (what, access) in [("grant", new), ("change a grant of", existing)] {
                if let Some(access) = access.filter(|a| !held.covers(*a)) {
                    return fail(
                        ErrorCode::Escalation,
                        format!(
                            "you hold `{held}` on `{}` and cannot {what} `{access}`",
                            index.resource_id(r)
                        ),
                    );
                }
            }
            return Ok(());
        }
    }
    fail(
        ErrorCode::NotPermitted,
        format!(
            "only the owner of `{}`{} may change its sharing",
            index.resource_id(r),
            if view.profile() == Profile::Direct {
                " or a holder of the share permission"
            } else {
                ""
            }
        ),
    )
}

fn batch(index: &Index, plan: &mut Plan, actions: &[Action]) -> Checked<()> {
    supported(index.profile(), ActionType::Batch)?;
    let batch_actor = index.principal_id(plan.actor);
    for inner in actions {
        if inner.actor() != batch_actor {
            return fail(
                ErrorCode::NotPermitted,
                format!(
                    "every action of a batch is taken by its actor `{batch_actor}`, not `{}`",
                    inner.actor()
                ),
            );
        }
    }
    for inner in actions {
        let kind = inner.action_type();
        if !matches!(
            kind,
            ActionType::Share
                | ActionType::Unshare
                | ActionType::Leave
                | ActionType::SetOwner
                | ActionType::AddMember
                | ActionType::RemoveMember
        ) {
            return fail(
                ErrorCode::NotSupported,
                format!(
                    "a batch holds `share`, `unshare`, `leave`, `set_owner`, `add_member` and `remove_member`, not `{}`",
                    kind.as_str()
                ),
            );
        }
    }
    for inner in actions {
        step(index, plan, inner)?;
    }
    Ok(())
}

/// Checks one action against the world as the plan so far leaves it, and
/// adds its effect to the plan.
fn step(index: &Index, plan: &mut Plan, action: &Action) -> Checked<()> {
    match action {
        Action::Share {
            resource,
            principal,
            access,
            ..
        } => share(index, plan, resource, principal, access),
        Action::Unshare {
            resource,
            principal,
            ..
        } => unshare(index, plan, resource, principal),
        Action::Leave { resource, .. } => leave(index, plan, resource),
        Action::SetOwner {
            resource,
            principal,
            leave,
            ..
        } => set_owner(index, plan, resource, principal, *leave),
        Action::RequestTransfer {
            resource,
            to,
            message,
            ..
        } => request_transfer(index, plan, resource, to, message),
        Action::AcceptTransfer { transfer, .. }
        | Action::DeclineTransfer { transfer, .. }
        | Action::CancelTransfer { transfer, .. } => {
            settle_transfer(index, plan, action.action_type(), transfer)
        }
        Action::AddMember {
            group, principal, ..
        } => change_member(index, plan, group, principal, true),
        Action::RemoveMember {
            group, principal, ..
        } => change_member(index, plan, group, principal, false),
        Action::Batch { .. } => fail(ErrorCode::NotSupported, "a batch cannot hold another batch"),
    }
}

/// `add_member` (`add`) or `remove_member`: by an admin of the group (only
/// its own `admins` list counts), or, to remove, by the member leaving.
fn change_member(
    index: &Index,
    plan: &mut Plan,
    group_id: &str,
    member_id: &str,
    add: bool,
) -> Checked<()> {
    let group = principal(index, group_id)?;
    let member = principal(index, member_id)?;
    let kind = if add {
        ActionType::AddMember
    } else {
        ActionType::RemoveMember
    };
    supported(index.profile(), kind)?;
    let info = &index.principals[group as usize];
    if info.kind != PrincipalKind::Group {
        return fail(
            ErrorCode::NotSupported,
            format!("`{group_id}` is not a group; only groups have members"),
        );
    }
    let actor = plan.actor;
    let leaving = !add && actor == member;
    if !leaving && info.admins.binary_search(&actor).is_err() {
        return fail(
            ErrorCode::NotPermitted,
            format!(
                "only an admin of `{group_id}` may {} its members",
                if add { "add to" } else { "remove" }
            ),
        );
    }
    let view = View::after(index, &plan.delta);
    let listed = view.members(group).binary_search(&member).is_ok();
    if add && listed {
        return fail(
            ErrorCode::AlreadyMember,
            format!("`{member_id}` is a member of `{group_id}` already"),
        );
    }
    if !add && !listed {
        return fail(
            ErrorCode::NotMember,
            format!("`{member_id}` is not a direct member of `{group_id}`"),
        );
    }
    if add && (member == group || view.groups(group).binary_search(&member).is_ok()) {
        return fail(
            ErrorCode::GroupCycle,
            format!("`{member_id}` contains `{group_id}`, which cannot contain it in turn"),
        );
    }
    plan.delta.change_member(index, group, member, add);
    Ok(())
}

fn share(index: &Index, plan: &mut Plan, res: &str, to: &str, access: &AccessText) -> Checked<()> {
    let r = resource(index, res)?;
    let p = principal(index, to)?;
    supported(index.profile(), ActionType::Share)?;
    shareable(index, r)?;
    let access = requested_access(index.profile(), access)?;
    let view = View::after(index, &plan.delta);
    may_share(view, plan.actor, r, Some(access), view.own_grant(r, p))?;
    if view.owner(r) == p {
        return fail(
            ErrorCode::AlreadyOwner,
            format!("`{to}` owns `{res}` already"),
        );
    }
    plan.delta.set_grant(index, r, p, Some(access));
    Ok(())
}

fn unshare(index: &Index, plan: &mut Plan, res: &str, from: &str) -> Checked<()> {
    let r = resource(index, res)?;
    let p = principal(index, from)?;
    supported(index.profile(), ActionType::Unshare)?;
    shareable(index, r)?;
    let view = View::after(index, &plan.delta);
    let existing = view.own_grant(r, p);
    may_share(view, plan.actor, r, None, existing)?;
    if existing.is_none() {
        return fail(
            ErrorCode::NoGrant,
            format!("`{from}` holds no grant on `{res}`"),
        );
    }
    plan.delta.set_grant(index, r, p, None);
    Ok(())
}

fn leave(index: &Index, plan: &mut Plan, res: &str) -> Checked<()> {
    let actor = plan.actor;
    let r = resource(index, res)?;
    supported(index.profile(), ActionType::Leave)?;
    acting_person(index, actor)?;
    let view = View::after(index, &plan.delta);
    if view.owner(r) == actor {
        return fail(
            ErrorCode::OwnerCannotLeave,
            format!("you own `{res}`; give the ownership away before leaving it"),
        );
    }
    if view.own_grant(r, actor).is_none() {
        return fail(
            ErrorCode::NoGrant,
            format!("`{res}` is not shared with you directly, so there is nothing to leave"),
        );
    }
    plan.delta.set_grant(index, r, actor, None);
    Ok(())
}

fn set_owner(index: &Index, plan: &mut Plan, res: &str, to: &str, leave: bool) -> Checked<()> {
    let r = resource(index, res)?;
    let p = principal(index, to)?;
    supported(index.profile(), ActionType::SetOwner)?;
    if index.res(r).kind != ResourceKind::Project {
        return fail(ErrorCode::NotSupported, "only a project's owner can be set");
    }
    if !index.principals[p as usize].kind.is_person() {
        return fail(
            ErrorCode::OwnerMustBeUserOrServiceAccount,
            format!("`{to}` is a group; a group cannot own a project"),
        );
    }
    let owner = View::after(index, &plan.delta).owner(r);
    if owner != plan.actor {
        return fail(
            ErrorCode::NotPermitted,
            format!("only the owner of `{res}` may set its owner"),
        );
    }
    if owner == p {
        return fail(
            ErrorCode::AlreadyOwner,
            format!("`{to}` owns `{res}` already"),
        );
    }
    hand_over_project(index, &mut plan.delta, r, owner, p, leave);
    plan.irreversible = true;
    Ok(())
}

fn request_transfer(
    index: &Index,
    plan: &mut Plan,
    res: &str,
    to: &str,
    message: &Option<String>,
) -> Checked<()> {
    let r = resource(index, res)?;
    supported(index.profile(), ActionType::RequestTransfer)?;
    let kind = index.res(r).kind;
    if !matches!(kind, ResourceKind::Project | ResourceKind::Run) {
        return fail(
            ErrorCode::NotSupported,
            format!("only projects and runs can be transferred, and `{res}` is a {kind}"),
        );
    }
    if !looks_like_email(to) {
        return fail(
            ErrorCode::InvalidAction,
            format!("`{to}` is not an email address"),
        );
    }
    let owner = index.res(r).owner;
    if owner != plan.actor {
        return fail(
            ErrorCode::NotPermitted,
            format!("only the owner of `{res}` may transfer it"),
        );
    }
    if index.res(r).pending.is_some() {
        return fail(
            ErrorCode::TransferPending,
            format!("`{res}` already has a pending transfer; cancel it first"),
        );
    }
    let recipient = match index.person_by_email(to) {
        Some(p) if p == owner => {
            return fail(
                ErrorCode::AlreadyOwner,
                format!("`{to}` is the owner of `{res}`"),
            );
        }
        Some(p) => p,
        None => {
            plan.delta.newcomer = Some(to.trim().to_string());
            index.newcomer()
        }
    };
    // The preview shows what acceptance will change; `apply` records only
    // the invitation.
    plan.fastq_excluded = hand_over_on_acceptance(index, &mut plan.delta, r, owner, recipient);
    plan.delta.hypothetical = true;
    plan.delta.transfer = Some(TransferEdit::Create {
        resource: r,
        from: owner,
        to: to.trim().to_string(),
        message: message.clone(),
    });
    plan.recipient = Some(recipient);
    plan.irreversible = true;
    plan.pending_until_accepted = true;
    Ok(())
}

/// Accept, decline or cancel a pending transfer.
fn settle_transfer(index: &Index, plan: &mut Plan, kind: ActionType, id: &str) -> Checked<()> {
    let actor = plan.actor;
    let t = transfer(index, id)?;
    supported(index.profile(), kind)?;
    let info = &index.transfers[t as usize];
    let record = index.transfer_record(t);
    let (status, recipient_acts) = match kind {
        ActionType::AcceptTransfer => (TransferStatus::Accepted, true),
        ActionType::DeclineTransfer => (TransferStatus::Declined, true),
        _ => (TransferStatus::Canceled, false),
    };
    if recipient_acts {
        let is_recipient = index
            .email_of(actor)
            .is_some_and(|e| normalize_email(e) == normalize_email(&record.to));
        if !is_recipient {
            return fail(
                ErrorCode::NotRecipient,
                format!(
                    "the transfer `{id}` is addressed to `{}`, not to you",
                    record.to
                ),
            );
        }
    } else if info.from != actor {
        return fail(
            ErrorCode::NotPermitted,
            format!("only the sender of `{id}` may cancel it"),
        );
    }
    if info.status != TransferStatus::Pending {
        return fail(
            ErrorCode::TransferNotPending,
            format!(
                "the transfer `{id}` is {} already",
                status_word(info.status)
            ),
        );
    }
    if status == TransferStatus::Accepted {
        if index.res(info.resource).owner == actor {
            return fail(
                ErrorCode::AlreadyOwner,
                format!("you own `{}` already", record.resource),
            );
        }
        plan.fastq_excluded =
            hand_over_on_acceptance(index, &mut plan.delta, info.resource, info.from, actor);
        plan.recipient = Some(actor);
        plan.irreversible = true;
    }
    plan.delta.transfer = Some(TransferEdit::Close {
        transfer: t,
        status,
    });
    Ok(())
}

fn status_word(status: TransferStatus) -> &'static str {
    match status {
        TransferStatus::Pending => "pending",
        TransferStatus::Accepted => "accepted",
        TransferStatus::Declined => "declined",
        TransferStatus::Canceled => "canceled",
    }
}

/// A plain check that catches typing mistakes, not a full address parser:
/// one `@`, something before it, a dotted domain after it, no spaces.
fn looks_like_email(text: &str) -> bool {
    let text = text.trim();
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(char::is_whitespace)
}

/// Acceptance of a transfer of `r` from `from` to `to` (`basespace`).
/// Returns true when FASTQ files stay behind.
fn hand_over_on_acceptance(index: &Index, delta: &mut Delta, r: Rid, from: Pid, to: Pid) -> bool {
    let mut fastq_stays = false;
    delta.set_owner(index, r, to);
    let info = index.res(r);
    match info.kind {
        ResourceKind::Project => {
            // Associated data stays the sender's; the recipient can read it.
            for &x in info.contents {
                let view = View::after(index, delta);
                if view.owner(x) == from && view.own_grant(x, to).is_none() {
                    delta.set_grant(index, x, to, Some(Access::READ));
                }
            }
        }
        _ => {
            // A run goes with its files, except FASTQ files.
            for &f in info.contents {
                if index.res(f).owner != from {
                    continue;
                }
                if index.res(f).is_fastq {
                    fastq_stays = true;
                } else {
                    delta.set_owner(index, f, to);
                }
            }
        }
    }
    fastq_stays
}

/// Set as owner (`direct`): the project goes with its contents that the
/// previous owner owned, and their files.
fn hand_over_project(
    index: &Index,
    delta: &mut Delta,
    project: Rid,
    from: Pid,
    to: Pid,
    leave: bool,
) {
    let mut moves = vec![project];
    {
        let view = View::after(index, delta);
        for &x in index.res(project).contents {
            if view.owner(x) == from {
                moves.push(x);
                moves.extend(
                    index
                        .res(x)
                        .contents
                        .iter()
                        .filter(|&&f| view.owner(f) == from),
                );
            }
        }
    }
    for x in moves {
        delta.set_owner(index, x, to);
    }
    delta.set_grant(index, project, to, None);
    if !leave {
        let full = Access::with(Level::Write, Permissions::ALL);
        delta.set_grant(index, project, from, Some(full));
    }
}
