//! The preview: who gains and who loses access to what, and why.
//!
//! `Preview` keeps the change in block form (`diff.rs`) and hands it out in
//! the shapes its readers need: the specification's flat, sorted list of
//! changes (`result`), a page of it at a time (`changes_page`), or one
//! summary per block (`blocks`) for a dialog that says "Carol loses read on
//! 11 resources" without listing them.

use crate::access::Access;
use crate::diff::{Diff, diff};
use crate::error::{ErrorCode, PolicyError};
use crate::eval::{Eff, Source};
use crate::index::{Index, Pid, Rid};
use crate::model::ResourceKind;
use crate::plan::Plan;
use serde::{Deserialize, Serialize};
use std::cell::OnceCell;

/// Extra information for the person; warnings never block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Warning {
    /// The actor's own access drops somewhere.
    ActorLosesAccess,
    /// Ownership cannot be taken back.
    Irreversible,
    /// Nothing changes until the recipient accepts.
    PendingUntilAccepted,
    /// FASTQ files of the run stay with their owner.
    FastqExcluded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonSource {
    /// Owns the resource.
    Owner,
    /// A grant to the person or to a group of theirs (`grantee`).
    Grant,
    /// The biosample's name shows on a run the person can read (`on`).
    Names,
    /// The data-owner role reads every project.
    Role,
}

/// One reason for an access: "through group `genomics` on project `P1`,
/// via run `R1`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub source: ReasonSource,
    /// What this reason alone gives.
    pub access: Access,
    /// For a grant: who holds it (the person, or a group containing them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grantee: Option<String>,
    /// The resource the reason sits on.
    pub on: String,
    /// The chain from the resource's container up to `on`, nearest first;
    /// empty when the reason sits on the resource itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
}

/// The reasons for the access before and after.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Why {
    pub before: Vec<Reason>,
    pub after: Vec<Reason>,
}

/// One person's changed access to one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub principal: String,
    pub resource: String,
    pub before: Access,
    pub after: Access,
    #[serde(default)]
    pub why: Why,
}

/// Who the email of a transfer resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub email: String,
    /// The account with that email, or none when there is no account yet.
    pub principal: Option<String>,
}

/// A set of people times a set of resources (all of one kind) whose access
/// goes from one `before` to one `after` for one set of reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockSummary {
    /// The people, in id order.
    pub people: Vec<String>,
    pub kind: ResourceKind,
    /// How many resources; `block_resources` lists them a page at a time.
    pub resources: usize,
    pub before: Access,
    pub after: Access,
    /// The reasons, shown for the block's first person and resource.
    pub why: Why,
}

/// The specification's preview result: the changes and warnings, or the
/// error that rejects the action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PreviewResult {
    Rejected {
        error: ErrorCode,
        message: String,
    },
    Changes {
        changes: Vec<Change>,
        warnings: Vec<Warning>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recipient: Option<Recipient>,
    },
}

impl From<PolicyError> for PreviewResult {
    fn from(e: PolicyError) -> Self {
        PreviewResult::Rejected {
            error: e.code,
            message: e.message,
        }
    }
}

/// The preview of an allowed action.
pub struct Preview<'a> {
    index: &'a Index,
    pub(crate) plan: Plan,
    diff: Diff,
    warnings: Vec<Warning>,
    /// Changed pairs per class of people.
    counts: Vec<u64>,
    /// The people with changes, in id order, with their class.
    people: Vec<(Pid, usize)>,
    /// Each class's changed resources in id order, made on first need.
    lists: OnceCell<Vec<Vec<Rid>>>,
}

impl<'a> Preview<'a> {
    pub(crate) fn new(index: &'a Index, plan: Plan) -> Preview<'a> {
        let diff = diff(index, &plan.delta);
        let mut counts = vec![0u64; diff.people.len()];
        for b in &diff.blocks {
            counts[b.people] += diff.resources[b.resources].members.len() as u64;
        }
        let mut people: Vec<(Pid, usize)> = Vec::new();
        for (pc, members) in diff.people.iter().enumerate() {
            if counts[pc] > 0 {
                people.extend(members.iter().map(|&p| (p, pc)));
            }
        }
        let mut preview = Preview {
            index,
            plan,
            diff,
            warnings: Vec::new(),
            counts,
            people,
            lists: OnceCell::new(),
        };
        preview.people.sort_by(|a, b| {
            preview_id(index, &preview.plan, a.0).cmp(preview_id(index, &preview.plan, b.0))
        });
        preview.warnings = preview.find_warnings();
        preview
    }

    fn find_warnings(&self) -> Vec<Warning> {
        let mut warnings = Vec::new();
        let actor = self.plan.actor;
        let actor_class = self.diff.people.iter().position(|m| m.contains(&actor));
        let loses = self
            .diff
            .blocks
            .iter()
            .any(|b| Some(b.people) == actor_class && !b.after.access.covers(b.before.access));
        if loses {
            warnings.push(Warning::ActorLosesAccess);
        }
        if self.plan.irreversible {
            warnings.push(Warning::Irreversible);
        }
        if self.plan.pending_until_accepted {
            warnings.push(Warning::PendingUntilAccepted);
        }
        if self.plan.fastq_excluded {
            warnings.push(Warning::FastqExcluded);
        }
        warnings
    }

    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// How many (person, resource) pairs change.
    pub fn len(&self) -> u64 {
        self.counts
            .iter()
            .zip(&self.diff.people)
            .map(|(c, m)| c * m.len() as u64)
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Who receives a transfer.
    pub fn recipient(&self) -> Option<Recipient> {
        let p = self.plan.recipient?;
        let email = match &self.plan.delta.newcomer {
            Some(email) if p == self.index.newcomer() => email.clone(),
            _ => self.index.email_of(p).unwrap_or_default().to_string(),
        };
        let principal =
            (p != self.index.newcomer()).then(|| self.index.principal_id(p).to_string());
        Some(Recipient { email, principal })
    }

    /// The changes from position `offset` (in the specification's order: by
    /// person, then resource id), at most `limit` of them.
    pub fn changes_page(&self, offset: u64, limit: usize) -> Vec<Change> {
        let lists = self
            .lists
            .get_or_init(|| self.diff.changed_resources(self.index));
        let mut out = Vec::with_capacity(limit.min(4096));
        let mut skip = offset;
        for &(p, pc) in &self.people {
            let count = self.counts[pc];
            if skip >= count {
                skip -= count;
                continue;
            }
            for &r in lists[pc].iter().skip(skip as usize) {
                if out.len() >= limit {
                    return out;
                }
                if let Some(block) = self.diff.block_of(pc, r) {
                    out.push(self.change(p, r, &block.before, &block.after));
                }
            }
            skip = 0;
        }
        out
    }

    /// Every change, in the specification's order.
    pub fn changes(&self) -> Vec<Change> {
        self.changes_page(0, usize::MAX)
    }

    /// The flat result of the specification.
    pub fn result(&self) -> PreviewResult {
        PreviewResult::Changes {
            changes: self.changes(),
            warnings: self.warnings.clone(),
            recipient: self.recipient(),
        }
    }

    /// One summary per block, people classes in id order of their first
    /// member.
    pub fn blocks(&self) -> Vec<BlockSummary> {
        self.block_order()
            .into_iter()
            .map(|i| {
                let b = &self.diff.blocks[i];
                let class = &self.diff.resources[b.resources];
                let members = &self.diff.people[b.people];
                let why = match (members.first(), class.members.first()) {
                    (Some(&p), Some(&r)) => self.why(p, r, &b.before, &b.after),
                    _ => Why::default(),
                };
                BlockSummary {
                    people: members
                        .iter()
                        .map(|&p| self.person_id(p).to_string())
                        .collect(),
                    kind: class.kind,
                    resources: class.members.len(),
                    before: b.before.access,
                    after: b.after.access,
                    why,
                }
            })
            .collect()
    }

    /// The ids of a block's resources (in the order of `blocks`), a page at
    /// a time.
    pub fn block_resources(&self, block: usize, offset: usize, limit: usize) -> Vec<String> {
        self.block_order()
            .get(block)
            .map(|&i| &self.diff.resources[self.diff.blocks[i].resources].members)
            .map(|members| {
                members
                    .iter()
                    .skip(offset)
                    .take(limit)
                    .map(|&r| self.index.resource_id(r).to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Blocks by their people's place in id order, then by resource class.
    fn block_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.diff.blocks.len()).collect();
        order.sort_by_key(|&i| {
            let b = &self.diff.blocks[i];
            (self.first_position(b.people), b.resources)
        });
        order
    }

    fn first_position(&self, people_class: usize) -> usize {
        self.people
            .iter()
            .position(|&(_, pc)| pc == people_class)
            .unwrap_or(usize::MAX)
    }

    fn person_id(&self, p: Pid) -> &str {
        preview_id(self.index, &self.plan, p)
    }

    fn change(&self, p: Pid, r: Rid, before: &Eff, after: &Eff) -> Change {
        Change {
            principal: self.person_id(p).to_string(),
            resource: self.index.resource_id(r).to_string(),
            before: before.access,
            after: after.access,
            why: self.why(p, r, before, after),
        }
    }

    fn why(&self, p: Pid, r: Rid, before: &Eff, after: &Eff) -> Why {
        let reasons = |eff: &Eff| {
            eff.why
                .iter()
                .map(|w| {
                    let via = self.diff.concrete_path(self.index, r, &w.path);
                    reason(self.index, w.source, w.access, r, &via, |g| {
                        if g == p {
                            self.person_id(p).to_string()
                        } else {
                            self.index.principal_id(g).to_string()
                        }
                    })
                })
                .collect()
        };
        Why {
            before: reasons(before),
            after: reasons(after),
        }
    }
}

/// A person's id in a preview: a recipient without an account is named by
/// their email.
fn preview_id<'i>(index: &'i Index, plan: &'i Plan, p: Pid) -> &'i str {
    match &plan.delta.newcomer {
        Some(email) if p == index.newcomer() => email,
        _ => index.principal_id(p),
    }
}

/// Writes one reason with ids. `via` is the concrete chain from `r`'s
/// container to the resource the source sits on.
pub(crate) fn reason(
    index: &Index,
    source: Source,
    access: Access,
    r: Rid,
    via: &[Rid],
    name: impl Fn(Pid) -> String,
) -> Reason {
    let on = via.last().copied().unwrap_or(r);
    let (source, grantee) = match source {
        Source::Owner => (ReasonSource::Owner, None),
        Source::Grant(g) => (ReasonSource::Grant, Some(name(g))),
        Source::Names => (ReasonSource::Names, None),
        Source::Role => (ReasonSource::Role, None),
    };
    Reason {
        source,
        access,
        grantee,
        on: index.resource_id(on).to_string(),
        via: via
            .iter()
            .map(|&x| index.resource_id(x).to_string())
            .collect(),
    }
}
