//! The preview: who gains and who loses access to what, and why.
//!
//! `Preview` keeps the change in block form (`diff.rs`) and hands it out in
//! the shapes its readers need: the specification's flat, sorted list of
//! changes (`result`), a page of it at a time (`changes_page`), or
//! summaries (`blocks`: one per class of people and before/after, counted
//! by kind) for a dialog that says "Carol loses read on 11 resources"
//! without listing them.

use crate::access::Access;
use crate::diff::{Diff, Outcome, diff};
use crate::digest::Lanes;
use crate::error::{ErrorCode, PolicyError};
use crate::eval::{Source, access_at};
use crate::index::{Index, Pid, Rid};
use crate::model::ResourceKind;
use crate::plan::Plan;
use crate::view::View;
use serde::{Deserialize, Serialize};
use std::cell::OnceCell;

/// Extra information for the person; warnings never block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
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
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
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
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Reason {
    pub source: ReasonSource,
    /// What this reason alone gives.
    #[cfg_attr(feature = "wasm", tsify(type = "Access"))]
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
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Why {
    pub before: Vec<Reason>,
    pub after: Vec<Reason>,
}

/// One person's changed access to one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Change {
    pub principal: String,
    pub resource: String,
    #[cfg_attr(feature = "wasm", tsify(type = "Access"))]
    pub before: Access,
    #[cfg_attr(feature = "wasm", tsify(type = "Access"))]
    pub after: Access,
    #[serde(default)]
    pub why: Why,
}

/// Who the email of a transfer resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Recipient {
    pub email: String,
    /// The account with that email; absent when there is no account yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
}

/// People whose access to some resources goes from one `before` to one
/// `after`: "Carol and Dan gain read on 1 project, 1 run, 2 biosamples".
/// The people are alike to every rule on the changed resources, so the
/// summary holds for each of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct BlockSummary {
    /// The people, in id order.
    pub people: Vec<String>,
    #[cfg_attr(feature = "wasm", tsify(type = "Access"))]
    pub before: Access,
    #[cfg_attr(feature = "wasm", tsify(type = "Access"))]
    pub after: Access,
    /// How many resources, each person; `block_resources` lists them a page
    /// at a time.
    pub resources: u64,
    /// How many of each kind, in the kinds' order.
    pub kinds: Vec<KindCount>,
    /// The reasons, shown for the first person and one of the resources.
    pub why: Why,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct KindCount {
    pub kind: ResourceKind,
    pub count: u64,
}

/// The specification's preview result: the changes and warnings, or the
/// error that rejects the action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
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

impl Warning {
    /// The warning's code, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Warning::ActorLosesAccess => "actor_loses_access",
            Warning::Irreversible => "irreversible",
            Warning::PendingUntilAccepted => "pending_until_accepted",
            Warning::FastqExcluded => "fastq_excluded",
        }
    }
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
    plan: Plan,
    diff: Diff,
    warnings: Vec<Warning>,
    /// Changed pairs per person, by class.
    counts: Vec<u64>,
    /// The people with changes, in the preview's order, with their class.
    people: Vec<(Pid, usize)>,
    /// Summaries: (class, position in its outcomes), in display order.
    groups: Vec<(usize, usize)>,
    /// Each class's changed resources in id order, made on first need.
    lists: Vec<OnceCell<Vec<(Rid, Outcome)>>>,
}

impl<'a> Preview<'a> {
    pub(crate) fn new(index: &'a Index, plan: Plan) -> Preview<'a> {
        let diff = diff(index, &plan.delta);
        let counts: Vec<u64> = diff
            .classes
            .iter()
            .map(|c| c.outcomes.iter().flat_map(|(_, k)| k).sum())
            .collect();
        let unsorted: Vec<(Pid, usize)> = diff
            .classes
            .iter()
            .enumerate()
            .flat_map(|(c, class)| class.members.iter().map(move |&p| (p, c)))
            .collect();
        let people = in_id_order(index, &plan, unsorted);
        let groups = summary_order(&diff, &people);
        let lists = diff.classes.iter().map(|_| OnceCell::new()).collect();
        let mut preview = Preview {
            index,
            plan,
            diff,
            warnings: Vec::new(),
            counts,
            people,
            groups,
            lists,
        };
        preview.warnings = preview.find_warnings();
        preview
    }

    fn find_warnings(&self) -> Vec<Warning> {
        let mut warnings = Vec::new();
        let actor = self.plan.actor;
        let loses = self
            .diff
            .classes
            .iter()
            .filter(|c| c.members.contains(&actor))
            .flat_map(|c| &c.outcomes)
            .any(|(o, _)| !o.after.covers(o.before));
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
            .zip(&self.diff.classes)
            .map(|(c, class)| c * class.members.len() as u64)
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
        let mut out = Vec::with_capacity(limit.min(4096));
        let mut skip = offset;
        for &(p, class) in &self.people {
            let count = self.counts[class];
            if skip >= count {
                skip -= count;
                continue;
            }
            for &(r, outcome) in self.changed(class).iter().skip(skip as usize) {
                if out.len() >= limit {
                    return out;
                }
                out.push(self.change(p, r, outcome));
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

    /// One summary per class of people and (before, after), in the order of
    /// the people's ids.
    pub fn blocks(&self) -> Vec<BlockSummary> {
        self.groups
            .iter()
            .filter_map(|&(c, i)| {
                let class = self.diff.classes.get(c)?;
                let &(outcome, counts) = class.outcomes.get(i)?;
                let kinds: Vec<KindCount> = ResourceKind::ALL
                    .iter()
                    .zip(counts)
                    .filter(|(_, count)| *count > 0)
                    .map(|(&kind, count)| KindCount { kind, count })
                    .collect();
                let resource = self.diff.resource_with(&class.marks, outcome);
                let why = match (class.members.first(), resource) {
                    (Some(&p), Some(r)) => self.why(p, r),
                    _ => Why::default(),
                };
                Some(BlockSummary {
                    people: class
                        .members
                        .iter()
                        .map(|&p| self.person_id(p).to_string())
                        .collect(),
                    before: outcome.before,
                    after: outcome.after,
                    resources: counts.iter().sum(),
                    kinds,
                    why,
                })
            })
            .collect()
    }

    /// A stable fingerprint of this preview: its changes, warnings and
    /// recipient. Equal previews give equal digests however they were
    /// computed (on a slice of the world or the whole of it); the server
    /// compares it with the digest of the preview a person confirmed.
    pub fn digest(&self) -> String {
        let sums = self.diff.subtree_sums(
            |r| self.index.resource_hash(r),
            |c| self.index.followers_hash(c),
        );
        let mut total = Lanes::default();
        // Per class, the resources' sums by outcome first: a class has
        // hundreds of marks but a few outcomes, and the product spreads
        // over sums, so each member is hashed once per outcome, not once
        // per mark.
        let mut by_outcome: Vec<(Outcome, Lanes)> = Vec::new();
        for class in &self.diff.classes {
            by_outcome.clear();
            for (resources, outcome) in self.diff.sum_marked(&class.marks, |n| sums[n as usize]) {
                if !outcome.changes() {
                    continue;
                }
                match by_outcome.iter_mut().find(|(o, _)| *o == outcome) {
                    Some((_, sum)) => sum.add(resources),
                    None => by_outcome.push((outcome, resources)),
                }
            }
            for &(outcome, resources) in &by_outcome {
                let mut people = Lanes::default();
                for &p in &class.members {
                    people.add(Lanes::person(
                        self.person_id(p),
                        outcome.before,
                        outcome.after,
                    ));
                }
                total.add(people.times(resources));
            }
        }
        total.finish(&crate::digest::tail(
            &self.warnings,
            self.recipient().as_ref(),
        ))
    }

    /// The ids of a summary's resources (numbered as `blocks` returns them),
    /// in id order, a page at a time.
    pub fn block_resources(&self, block: usize, offset: usize, limit: usize) -> Vec<String> {
        let Some(&(c, i)) = self.groups.get(block) else {
            return Vec::new();
        };
        let Some(&(outcome, _)) = self.diff.classes.get(c).and_then(|k| k.outcomes.get(i)) else {
            return Vec::new();
        };
        self.changed(c)
            .iter()
            .filter(|(_, o)| *o == outcome)
            .skip(offset)
            .take(limit)
            .map(|&(r, _)| self.index.resource_id(r).to_string())
            .collect()
    }

    /// The resources whose access changes for a class of people, in id
    /// order, with the change.
    fn changed(&self, class: usize) -> &[(Rid, Outcome)] {
        let (Some(cell), Some(k)) = (self.lists.get(class), self.diff.classes.get(class)) else {
            return &[];
        };
        cell.get_or_init(|| {
            let on_nodes = self.diff.outcomes_on_nodes(&k.marks);
            self.index
                .resources_sorted()
                .iter()
                .filter_map(|&r| {
                    let node = *self.diff.node_of.get(r as usize)?;
                    let outcome = *on_nodes.get(node as usize)?;
                    outcome.changes().then_some((r, outcome))
                })
                .collect()
        })
    }

    fn person_id(&self, p: Pid) -> &str {
        preview_id(self.index, &self.plan, p)
    }

    fn change(&self, p: Pid, r: Rid, outcome: Outcome) -> Change {
        Change {
            principal: self.person_id(p).to_string(),
            resource: self.index.resource_id(r).to_string(),
            before: outcome.before,
            after: outcome.after,
            why: self.why(p, r),
        }
    }

    /// The reasons for one person's access to one resource, before and
    /// after, worked out when shown.
    fn why(&self, p: Pid, r: Rid) -> Why {
        let reasons = |view: View<'_>| {
            access_at(view, p, r)
                .why
                .iter()
                .map(|w| {
                    reason(self.index, w.source, w.access, r, w.path.as_slice(), |g| {
                        self.person_id(g).to_string()
                    })
                })
                .collect()
        };
        Why {
            before: reasons(View::before(self.index)),
            after: reasons(View::after(self.index, &self.plan.delta)),
        }
    }
}

/// Summaries ordered by the first person of their class in the preview's
/// order, then by before and after.
fn summary_order(diff: &Diff, people: &[(Pid, usize)]) -> Vec<(usize, usize)> {
    let mut position = vec![usize::MAX; diff.classes.len()];
    for (i, &(_, c)) in people.iter().enumerate() {
        if position[c] == usize::MAX {
            position[c] = i;
        }
    }
    type Keyed = ((usize, u32, u32), (usize, usize));
    let mut groups: Vec<Keyed> = diff
        .classes
        .iter()
        .enumerate()
        .flat_map(|(c, class)| {
            let at = position[c];
            class
                .outcomes
                .iter()
                .enumerate()
                .map(move |(i, (o, _))| ((at, o.before.code(), o.after.code()), (c, i)))
        })
        .collect();
    // Sorted by the last key first, then by each earlier one, keeping the
    // order of equal keys: (class, outcome) ascending, as built.
    crate::order::stable_by_key(&mut groups, |&((_, _, after), _)| after);
    crate::order::stable_by_key(&mut groups, |&((_, before, _), _)| before);
    crate::order::stable_by_key(&mut groups, |&((at, _, _), _)| {
        u32::try_from(at).unwrap_or(u32::MAX)
    });
    groups.into_iter().map(|(_, g)| g).collect()
}

/// A person's id in a preview: a recipient without an account is named by
/// their email.
/// People with changes (each with its class) in the order of their ids,
/// the newcomer in its email's place. Each person's place in id order is
/// known from the index, so they are ordered by number; comparing their
/// ids' text took a tenth of a run transfer's preview. Only a newcomer
/// whose email is also a person's id (text ties keep the classes' order)
/// or a principal who is not a person are ordered by text.
fn in_id_order(index: &Index, plan: &Plan, unsorted: Vec<(Pid, usize)>) -> Vec<(Pid, usize)> {
    let newcomer = plan
        .delta
        .newcomer
        .as_deref()
        .map(|email| index.person_place(email));
    let key = |p: Pid| -> Option<u64> {
        match newcomer {
            Some((place, taken)) if p == index.newcomer() => {
                (!taken).then_some(2 * u64::from(place))
            }
            _ => index.person_rank(p).map(|rank| 2 * u64::from(rank) + 1),
        }
    };
    // A key (at most 33 bits: twice a rank, plus one) and the position
    // (31 bits) in one number, so that a plain sort of numbers does it.
    let keyed: Option<Vec<u64>> = if unsorted.len() < 1 << 31 {
        unsorted
            .iter()
            .enumerate()
            .map(|(i, &(p, _))| key(p).map(|k| (k << 31) | i as u64))
            .collect()
    } else {
        None
    };
    let order: Vec<u32> = match keyed {
        Some(mut keyed) => {
            keyed.sort_unstable();
            keyed
                .into_iter()
                .map(|k| (k & ((1 << 31) - 1)) as u32)
                .collect()
        }
        None => {
            // Each class's members come in order already, and the (stable)
            // merge sort runs through such lists in a fraction of the time
            // an unstable sort takes.
            let mut order: Vec<u32> = (0..unsorted.len() as u32).collect();
            crate::order::by_text(&mut order, &|i| {
                unsorted
                    .get(i as usize)
                    .map_or("", |&(p, _)| preview_id(index, plan, p))
            });
            order
        }
    };
    order
        .iter()
        .filter_map(|&i| unsorted.get(i as usize).copied())
        .collect()
}

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
