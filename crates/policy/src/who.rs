//! Who can reach a resource, and why: the list a sharing dialog shows.

use crate::access::{Access, Level};
use crate::error::{ErrorCode, PolicyError, fail};
use crate::eval::{access_at, upward};
use crate::index::{Index, Pid, Rid};
use crate::model::ResourceKind;
use crate::preview::{Reason, reason};
use crate::view::View;
use serde::{Deserialize, Serialize};

/// A person's effective access to a resource, with its reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Holder {
    pub principal: String,
    #[cfg_attr(feature = "wasm", tsify(type = "Access"))]
    pub access: Access,
    pub why: Vec<Reason>,
}

/// Everyone with any access to `r`, in id order.
pub(crate) fn who_has_access(index: &Index, r: Rid) -> Vec<Holder> {
    let view = View::before(index);
    let up = upward(view, r);
    let mut candidate = vec![false; index.principals.len()];
    let mut any_project = false;
    for &x in &up {
        candidate[view.owner(x) as usize] = true;
        for &(g, _) in view.grants(x) {
            for &q in &index.principals[g as usize].people {
                candidate[q as usize] = true;
            }
        }
        any_project |= index.res(x).kind == ResourceKind::Project;
    }
    if any_project {
        for (p, info) in index.principals.iter().enumerate() {
            candidate[p] |= info.reads_every_project;
        }
    }
    index
        .people_sorted
        .iter()
        .filter(|&&p| candidate[p as usize])
        .map(|&p| holder(index, p, r))
        .filter(|h| h.access.level > Level::None)
        .collect()
}

/// One person's access to `r`.
pub(crate) fn effective_access(index: &Index, p: Pid, r: Rid) -> Result<Holder, PolicyError> {
    if !index.principals[p as usize].kind.is_person() {
        return fail(
            ErrorCode::NotSupported,
            format!(
                "`{}` is a group; groups pass access on to people but hold none themselves",
                index.principal_id(p)
            ),
        );
    }
    Ok(holder(index, p, r))
}

fn holder(index: &Index, p: Pid, r: Rid) -> Holder {
    let eff = access_at(View::before(index), p, r);
    let why = eff
        .why
        .iter()
        .map(|w| {
            reason(index, w.source, w.access, r, w.path.as_slice(), |g| {
                index.principal_id(g).to_string()
            })
        })
        .collect();
    Holder {
        principal: index.principal_id(p).to_string(),
        access: eff.access,
        why,
    }
}
