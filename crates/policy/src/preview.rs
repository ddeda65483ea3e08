//! The preview: who gains and who loses access to what, and why.
//!
//! `Preview` keeps the change in block form (`diff.rs`) and hands it out in
//! the shapes its readers need: the specification's flat, sorted list of
//! changes (`result`), a page of it at a time (`changes_page`), or
//! summaries (`blocks`: one per class of people and before/after, counted
//! by kind) for a dialog that says "Carol loses read on 11 resources"
//! without listing them.

use crate::access::Access;
use crate::diff::{Diff, diff};
use crate::digest::Lanes;
use crate::error::{ErrorCode, PolicyError};
use crate::eval::{Eff, Source};
use crate::index::{Index, Pid, Rid};
use crate::model::ResourceKind;
use crate::plan::Plan;
use rustc_hash::FxHashMap;
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
    /// The reasons, shown for the first person and resource.
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
    /// Changed pairs per class of people.
    counts: Vec<u64>,
    /// The people with changes, in id order, with their class.
    people: Vec<(Pid, usize)>,
    /// The block of each (people class, resource class) pair that changes.
    block_at: FxHashMap<(usize, usize), usize>,
    /// Summaries: blocks grouped by (people class, before, after), in the
    /// order of their people.
    groups: Vec<Group>,
    /// Each people class's changed resources in id order, made on first need.
    lists: Vec<OnceCell<Vec<Rid>>>,
}

/// Blocks of one class of people with one before and one after.
struct Group {
    people: usize,
    blocks: Vec<usize>,
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
        people.sort_by(|a, b| preview_id(index, &plan, a.0).cmp(preview_id(index, &plan, b.0)));
        let block_at = diff
            .blocks
            .iter()
            .enumerate()
            .map(|(i, b)| ((b.people, b.resources), i))
            .collect();
        let groups = group_blocks(&diff, &people);
        let lists = diff.people.iter().map(|_| OnceCell::new()).collect();
        let mut preview = Preview {
            index,
            plan,
            diff,
            warnings: Vec::new(),
            counts,
            people,
            block_at,
            groups,
            lists,
        };
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
        let mut out = Vec::with_capacity(limit.min(4096));
        let mut skip = offset;
        for &(p, pc) in &self.people {
            let count = self.counts[pc];
            if skip >= count {
                skip -= count;
                continue;
            }
            for &r in self.changed_resources(pc).iter().skip(skip as usize) {
                if out.len() >= limit {
                    return out;
                }
                let class = self
                    .diff
                    .class_of
                    .get(r as usize)
                    .copied()
                    .unwrap_or(u32::MAX) as usize;
                if let Some(block) = self
                    .block_at
                    .get(&(pc, class))
                    .and_then(|&i| self.diff.blocks.get(i))
                {
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

    /// One summary per class of people and (before, after), in the order of
    /// the people's ids.
    pub fn blocks(&self) -> Vec<BlockSummary> {
        self.groups
            .iter()
            .filter_map(|g| {
                let first = self.diff.blocks.get(*g.blocks.first()?)?;
                let members = self.diff.people.get(g.people)?;
                let mut kinds: Vec<KindCount> = Vec::new();
                for &i in &g.blocks {
                    let class = &self.diff.resources[self.diff.blocks[i].resources];
                    let count = class.members.len() as u64;
                    match kinds.iter_mut().find(|k| k.kind == class.kind) {
                        Some(k) => k.count += count,
                        None => kinds.push(KindCount {
                            kind: class.kind,
                            count,
                        }),
                    }
                }
                kinds.sort_by_key(|k| k.kind);
                let why = match (
                    members.first(),
                    self.diff.resources[first.resources].members.first(),
                ) {
                    (Some(&p), Some(&r)) => self.why(p, r, &first.before, &first.after),
                    _ => Why::default(),
                };
                Some(BlockSummary {
                    people: members
                        .iter()
                        .map(|&p| self.person_id(p).to_string())
                        .collect(),
                    before: first.before.access,
                    after: first.after.access,
                    resources: kinds.iter().map(|k| k.count).sum(),
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
        let mut total = Lanes::default();
        let mut class_sums: Vec<Option<Lanes>> = vec![None; self.diff.resources.len()];
        for b in &self.diff.blocks {
            let resources = *class_sums[b.resources].get_or_insert_with(|| {
                let mut sum = Lanes::default();
                for &r in &self.diff.resources[b.resources].members {
                    sum.add(Lanes::resource(self.index.resource_id(r)));
                }
                sum
            });
            let mut people = Lanes::default();
            for &p in &self.diff.people[b.people] {
                people.add(Lanes::person(
                    self.person_id(p),
                    b.before.access,
                    b.after.access,
                ));
            }
            total.add(people.times(resources));
        }
        total.finish(&crate::digest::tail(
            &self.warnings,
            self.recipient().as_ref(),
        ))
    }

    /// The ids of a summary's resources (numbered as `blocks` returns them),
    /// in id order, a page at a time.
    pub fn block_resources(&self, block: usize, offset: usize, limit: usize) -> Vec<String> {
        let Some(group) = self.groups.get(block) else {
            return Vec::new();
        };
        let mut classes = vec![false; self.diff.resources.len()];
        for &i in &group.blocks {
            if let Some(flag) = self
                .diff
                .blocks
                .get(i)
                .and_then(|b| classes.get_mut(b.resources))
            {
                *flag = true;
            }
        }
        self.diff
            .resources_in(self.index, &classes)
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|r| self.index.resource_id(r).to_string())
            .collect()
    }

    /// The resources whose access changes for a class of people, in id order.
    fn changed_resources(&self, people_class: usize) -> &[Rid] {
        let Some(cell) = self.lists.get(people_class) else {
            return &[];
        };
        cell.get_or_init(|| {
            let mut classes = vec![false; self.diff.resources.len()];
            for b in self.diff.blocks.iter().filter(|b| b.people == people_class) {
                classes[b.resources] = true;
            }
            self.diff.resources_in(self.index, &classes)
        })
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

/// Groups blocks by (people class, before, after), ordered by the first
/// person of each class in id order, then by before and after.
fn group_blocks(diff: &Diff, people: &[(Pid, usize)]) -> Vec<Group> {
    let mut position = vec![usize::MAX; diff.people.len()];
    for (i, &(_, pc)) in people.iter().enumerate() {
        if position[pc] == usize::MAX {
            position[pc] = i;
        }
    }
    let mut keyed: FxHashMap<(usize, Access, Access), Vec<usize>> = FxHashMap::default();
    for (i, b) in diff.blocks.iter().enumerate() {
        keyed
            .entry((b.people, b.before.access, b.after.access))
            .or_default()
            .push(i);
    }
    let mut groups: Vec<((usize, u32, u32), Group)> = keyed
        .into_iter()
        .map(|((pc, before, after), blocks)| {
            (
                (position[pc], before.code(), after.code()),
                Group { people: pc, blocks },
            )
        })
        .collect();
    groups.sort_by_key(|(key, _)| *key);
    groups.into_iter().map(|(_, g)| g).collect()
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
