//! Writing an allowed action's effect into a new world.

use crate::index::Index;
use crate::model::{Grant, Transfer, TransferStatus, World};
use crate::plan::Plan;
use crate::view::TransferEdit;

/// The world after `plan`. The owner and grant changes are the very `Delta`
/// the preview was computed from; a transfer request only records the
/// invitation.
pub(crate) fn commit(index: &Index, plan: &Plan) -> World {
    let delta = &plan.delta;
    let mut world = index.world().clone();
    if !delta.hypothetical {
        for (r, p) in delta.owner_changes() {
            world.resources[r as usize].owner = index.principal_id(p).to_string();
        }
        if delta.grant_changes().next().is_some() {
            world.grants.retain(|g| {
                index
                    .resource(&g.resource)
                    .is_none_or(|r| !delta.changes_grants_of(r))
            });
            let mut touched: Vec<_> = delta.grant_changes().collect();
            crate::order::stable_by_key(&mut touched, |&(r, _)| r);
            for (r, list) in touched {
                for &(p, access) in list {
                    world.grants.push(Grant {
                        resource: index.resource_id(r).to_string(),
                        principal: index.principal_id(p).to_string(),
                        access,
                    });
                }
            }
        }
    }
    for (&g, members) in &delta.membership.members {
        if let Some(group) = world.principals.get_mut(g as usize) {
            // Kept members stay in their order; new ones come last.
            let listed: Vec<&str> = members.iter().map(|&m| index.principal_id(m)).collect();
            group.members.retain(|m| listed.contains(&m.as_str()));
            for id in listed {
                if !group.members.iter().any(|m| m == id) {
                    group.members.push(id.to_string());
                }
            }
        }
    }
    match &delta.transfer {
        Some(TransferEdit::Create {
            resource,
            from,
            to,
            message,
        }) => {
            let id = fresh_transfer_id(&world);
            world.transfers.push(Transfer {
                id,
                resource: index.resource_id(*resource).to_string(),
                from: index.principal_id(*from).to_string(),
                to: to.clone(),
                status: TransferStatus::Pending,
                message: message.clone(),
            });
        }
        Some(TransferEdit::Close { transfer, status }) => {
            if let Some(t) = world.transfers.get_mut(*transfer as usize) {
                t.status = *status;
            }
        }
        None => {}
    }
    world
}

/// `T1`, `T2`, ...: the first number not taken by another transfer.
fn fresh_transfer_id(world: &World) -> String {
    (world.transfers.len() + 1..)
        .map(|n| format!("T{n}"))
        .find(|id| world.transfers.iter().all(|t| &t.id != id))
        .unwrap_or_default()
}
