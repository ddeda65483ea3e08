//! The preview as the dialogs show it: custody-policy's summaries turned
//! into rows of words, in the order that matters to the person (what they
//! themselves lose, then what others lose, then gains), with warnings as
//! sentences and the digest that Save sends.
//!
//! Computed in the browser on the loaded access context, on every edit:
//! `Engine::preview` works in block form, so a group of hundreds gaining a
//! project of thousands of resources is a handful of summaries here, and
//! the people and resources behind a row are listed a page at a time only
//! when asked for ([`resources_page`]).

use crate::words::{self, Names};
use custody_policy::preview::KindCount;
use custody_policy::{Access, Action, Engine, ResourceKind, Warning};
use std::collections::BTreeSet;
use std::rc::Rc;

/// An engine shared by a dialog and its preview panel; equal when it is
/// the same engine (Yew compares props).
#[derive(Clone)]
pub struct EngineRef(pub Rc<Engine>);

impl PartialEq for EngineRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for EngineRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EngineRef")
    }
}

/// How a row reads, which decides its place and its mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tone {
    /// The actor's own access drops: first, marked "!".
    ActorLoss,
    /// Someone else's access drops: "-".
    Loss,
    /// Access rises: "+".
    Gain,
}

impl Tone {
    pub fn as_str(self) -> &'static str {
        match self {
            Tone::ActorLoss => "actor-loss",
            Tone::Loss => "loss",
            Tone::Gain => "gain",
        }
    }
}

/// One summary row: a class of people whose access to some resources goes
/// from one `before` to one `after`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The summary's number in `Preview::blocks`, for `block_resources`.
    pub block: usize,
    pub tone: Tone,
    /// The people, in id order.
    pub people: Vec<String>,
    pub before: Access,
    pub after: Access,
    pub resources: u64,
    pub kinds: Vec<KindCount>,
    /// "Erin Novak and 11 others gain read on 1 project, 12 runs".
    pub sentence: String,
    /// The reasons before and after, in words, for the first person and
    /// one of the resources (every person and resource of a row is alike
    /// to the rules).
    pub why_before: String,
    pub why_after: String,
}

/// A computed preview.
#[derive(Debug, Clone, PartialEq)]
pub enum PreviewModel {
    /// What saving changes.
    Changes {
        rows: Vec<Row>,
        /// Sentences, most consequential first.
        warnings: Vec<String>,
        /// The codes behind the sentences.
        codes: Vec<Warning>,
        /// `Preview::digest()`, sent with the action.
        digest: String,
        /// How many distinct people change.
        people: usize,
        /// How many (person, resource) pairs change.
        pairs: u64,
    },
    /// The policy refuses the action; nothing can be saved.
    Refused { code: String, sentence: String },
}

impl PreviewModel {
    pub fn digest(&self) -> Option<&str> {
        match self {
            PreviewModel::Changes { digest, .. } => Some(digest),
            PreviewModel::Refused { .. } => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, PreviewModel::Changes { rows, .. } if rows.is_empty())
    }

    pub fn rows(&self) -> &[Row] {
        match self {
            PreviewModel::Changes { rows, .. } => rows,
            PreviewModel::Refused { .. } => &[],
        }
    }
}

/// What a warning sentence needs to know besides the preview.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Setting {
    /// The person reading (the action's actor).
    pub actor: String,
    /// The owner who sends a transfer, when the reader is its recipient.
    pub sender: Option<String>,
}

/// Previews `action` as its actor reads it (not a transfer's recipient):
/// what the share, members and transfer dialogs show.
pub fn as_actor(engine: &Engine, names: &Names, action: &Action, actor: &str) -> PreviewModel {
    compute(
        engine,
        names,
        action,
        &Setting {
            actor: actor.to_string(),
            sender: None,
        },
    )
}

/// Previews `action` on `engine` and writes it as rows and sentences,
/// with the names of the engine's world (read once per loaded context:
/// a large project's are tens of thousands).
pub fn compute(engine: &Engine, names: &Names, action: &Action, setting: &Setting) -> PreviewModel {
    let preview = match engine.preview(action) {
        Ok(p) => p,
        Err(e) => {
            return PreviewModel::Refused {
                code: e.code.as_str().to_string(),
                sentence: words::policy_error_sentence(e.code, &e.message),
            };
        }
    };
    let actor = action.actor();
    let blocks = preview.blocks();
    let mut everyone: BTreeSet<&str> = BTreeSet::new();
    let mut rows: Vec<(Tone, String, Row)> = Vec::with_capacity(blocks.len());
    for (block, summary) in blocks.iter().enumerate() {
        everyone.extend(summary.people.iter().map(String::as_str));
        let loss = !summary.after.covers(summary.before);
        let tone = match (loss, summary.people.iter().any(|p| p == actor)) {
            (true, true) => Tone::ActorLoss,
            (true, false) => Tone::Loss,
            (false, _) => Tone::Gain,
        };
        let (who, singular) = words::people_phrase(&summary.people, actor, names);
        let sentence = format!(
            "{who} {} {}{}",
            words::change_phrase(summary.before, summary.after, singular),
            words::counts(&summary.kinds),
            words::change_suffix(summary.before, summary.after)
        );
        let first = summary.people.first().map(String::as_str).unwrap_or("");
        let why_before = words::reasons_words(&summary.why.before, first, names);
        let why_after = words::reasons_words(&summary.why.after, first, names);
        let sort_name = if summary.people.iter().any(|p| p == actor) {
            String::new()
        } else {
            who.clone()
        };
        rows.push((
            tone,
            sort_name,
            Row {
                block,
                tone,
                people: summary.people.clone(),
                before: summary.before,
                after: summary.after,
                resources: summary.resources,
                kinds: summary.kinds.clone(),
                sentence,
                why_before,
                why_after,
            },
        ));
    }
    // The actor's losses, then losses, then gains; within each by name.
    rows.sort_by(|a, b| (a.0, &a.1, a.2.block).cmp(&(b.0, &b.1, b.2.block)));
    let rows: Vec<Row> = rows.into_iter().map(|(_, _, r)| r).collect();
    let codes = preview.warnings().to_vec();
    let recipient = preview.recipient().map(|r| match &r.principal {
        Some(p) => (names.person(p), r.email.clone()),
        None => (r.email.clone(), r.email.clone()),
    });
    let warnings = warning_sentences(&codes, action, engine, names, setting, recipient, &rows);
    PreviewModel::Changes {
        people: everyone.len(),
        pairs: preview.len(),
        digest: preview.digest(),
        codes,
        warnings,
        rows,
    }
}

fn warning_sentences(
    codes: &[Warning],
    action: &Action,
    engine: &Engine,
    names: &Names,
    setting: &Setting,
    recipient: Option<(String, String)>,
    rows: &[Row],
) -> Vec<String> {
    let mut out = Vec::new();
    let (recipient_name, recipient_email) =
        recipient.unwrap_or_else(|| ("the recipient".to_string(), "the recipient".to_string()));
    let reader_is_recipient = setting.sender.is_some();
    for code in codes {
        let sentence = match code {
            Warning::ActorLosesAccess => {
                let lost: Vec<String> = rows
                    .iter()
                    .filter(|r| r.tone == Tone::ActorLoss)
                    .map(|r| {
                        let on = if r.before.level == custody_policy::Level::Owner {
                            "of"
                        } else {
                            "on"
                        };
                        format!(
                            "{} {on} {}",
                            words::access_words(r.before),
                            words::counts(&r.kinds)
                        )
                    })
                    .collect();
                if lost.is_empty() {
                    "You will lose some of your own access.".to_string()
                } else {
                    format!("You will lose {}.", words::join_and(&lost))
                }
            }
            Warning::Irreversible => match action {
                Action::SetOwner { principal, .. } => format!(
                    "You cannot take ownership back: only {} can give it back to you.",
                    names.person(principal)
                ),
                _ if reader_is_recipient => {
                    "Ownership cannot be given back once you accept, except by a new transfer."
                        .to_string()
                }
                Action::Batch { .. } => "Ownership cannot be taken back.".to_string(),
                _ => format!("Ownership cannot be taken back once {recipient_name} accepts."),
            },
            Warning::PendingUntilAccepted => {
                format!("Nothing changes until {recipient_email} accepts.")
            }
            Warning::FastqExcluded => {
                let n = fastq_left_behind(engine, action);
                let files = format!("{} file{}", words::number(n), if n == 1 { "" } else { "s" });
                match &setting.sender {
                    Some(sender) => format!(
                        "FASTQ files stay with {}: {files} {} not transferred.",
                        names.person(sender),
                        if n == 1 { "is" } else { "are" }
                    ),
                    None => format!(
                        "FASTQ files stay with you: {files} {} not transferred.",
                        if n == 1 { "is" } else { "are" }
                    ),
                }
            }
        };
        out.push(sentence);
    }
    // The most consequential first: losing access, then irreversibility.
    out
}

/// How many FASTQ files of the transferred run stay with its owner.
pub fn fastq_left_behind(engine: &Engine, action: &Action) -> u64 {
    let world = engine.world();
    let run = match action {
        Action::RequestTransfer { resource, .. } => Some(resource.as_str()),
        Action::AcceptTransfer { transfer, .. } => world
            .transfers
            .iter()
            .find(|t| &t.id == transfer)
            .map(|t| t.resource.as_str()),
        _ => None,
    };
    let Some(run) = run else { return 0 };
    let Some(owner) = world
        .resources
        .iter()
        .find(|r| r.id == run && r.kind == ResourceKind::Run)
        .map(|r| r.owner.as_str())
    else {
        return 0;
    };
    world
        .resources
        .iter()
        .filter(|r| r.parent.as_deref() == Some(run) && r.owner == owner && r.is_fastq())
        .count() as u64
}

/// A page of a row's resources, as (id, "run NovaSeq 2024-03-04").
/// Previews again (a few milliseconds even on large data) rather than
/// keeping a borrowed preview alive between renders.
pub fn resources_page(
    engine: &Engine,
    names: &Names,
    action: &Action,
    block: usize,
    offset: usize,
    limit: usize,
) -> Vec<(String, String)> {
    match engine.preview(action) {
        Ok(p) => p
            .block_resources(block, offset, limit)
            .into_iter()
            .map(|id| {
                let label = names.resource_with_kind(&id);
                (id, label)
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use custody_policy::{AccessText, World};

    pub(crate) fn world() -> World {
        serde_json::from_str(
            r#"{"profile":"basespace","principals":[
                {"id":"alice","kind":"user","name":"Alice Moreau","email":"alice@lab.example"},
                {"id":"bob","kind":"user","name":"Bob Okafor","email":"bob@core.example"},
                {"id":"carol","kind":"user","name":"Carol Diaz","email":"carol@lab.example"},
                {"id":"erin","kind":"user","name":"Erin Novak","email":"erin@lab.example"},
                {"id":"genomics","kind":"group","name":"genomics","members":["carol","erin"]}],
              "resources":[
                {"id":"P1","kind":"project","owner":"alice","name":"Tumor WGS"},
                {"id":"R1","kind":"run","owner":"alice","projects":["P1"],"biosamples":["B1"],"name":"Run one"},
                {"id":"B1","kind":"biosample","owner":"alice","projects":["P1"],"name":"Sample one"},
                {"id":"F1","kind":"file","owner":"alice","parent":"R1","format":"fastq"},
                {"id":"F2","kind":"file","owner":"alice","parent":"R1","format":"bcl"}],
              "grants":[{"resource":"P1","principal":"carol","access":"read"}]}"#,
        )
        .unwrap()
    }

    fn share(principal: &str, access: &str) -> Action {
        Action::Share {
            actor: "alice".into(),
            resource: "P1".into(),
            principal: principal.into(),
            access: AccessText::Level(access.into()),
        }
    }

    #[test]
    fn a_group_share_gives_one_row_per_class() {
        let engine = Engine::new(world()).unwrap();
        let model = compute(
            &engine,
            &Names::of(engine.world()),
            &share("genomics", "write"),
            &Setting::default(),
        );
        let PreviewModel::Changes { rows, people, .. } = &model else {
            panic!("refused: {model:?}")
        };
        assert_eq!(*people, 2);
        let sentences: Vec<&str> = rows.iter().map(|r| r.sentence.as_str()).collect();
        assert_eq!(
            sentences,
            [
                "Carol Diaz goes from read to write on 1 project",
                "Erin Novak gains read on 1 run, 1 biosample and 2 files",
                "Erin Novak gains write on 1 project",
            ]
        );
        assert!(rows[1].why_after.contains("through group genomics"));
    }

    #[test]
    fn own_losses_come_first_and_warn() {
        let mut w = world();
        w.grants.push(custody_policy::Grant {
            resource: "P1".into(),
            principal: "bob".into(),
            access: Access::READ,
        });
        let engine = Engine::new(w).unwrap();
        let leave = Action::Leave {
            actor: "bob".into(),
            resource: "P1".into(),
        };
        let model = compute(
            &engine,
            &Names::of(engine.world()),
            &leave,
            &Setting::default(),
        );
        let PreviewModel::Changes { rows, warnings, .. } = &model else {
            panic!("refused")
        };
        assert_eq!(rows[0].tone, Tone::ActorLoss);
        assert!(rows[0].sentence.starts_with("You lose read on 1 project"));
        assert!(warnings[0].starts_with("You will lose read on"));
    }

    #[test]
    fn a_transfer_request_warns_in_sentences() {
        let engine = Engine::new(world()).unwrap();
        let request = Action::RequestTransfer {
            actor: "alice".into(),
            resource: "R1".into(),
            to: "bob@core.example".into(),
            message: None,
        };
        let model = compute(
            &engine,
            &Names::of(engine.world()),
            &request,
            &Setting::default(),
        );
        let PreviewModel::Changes { warnings, rows, .. } = &model else {
            panic!("refused")
        };
        assert!(warnings.contains(&"Nothing changes until bob@core.example accepts.".to_string()));
        assert!(
            warnings
                .contains(&"Ownership cannot be taken back once Bob Okafor accepts.".to_string())
        );
        assert!(
            warnings.contains(&"FASTQ files stay with you: 1 file is not transferred.".to_string())
        );
        assert!(rows.iter().any(|r| {
            r.sentence
                .starts_with("Bob Okafor becomes the owner of 1 run")
        }));
    }

    #[test]
    fn refusals_are_sentences_and_nothing_is_empty() {
        let engine = Engine::new(world()).unwrap();
        let model = compute(
            &engine,
            &Names::of(engine.world()),
            &share("carol", "read"),
            &Setting::default(),
        );
        assert!(model.is_empty());
        let not_owner = Action::Share {
            actor: "bob".into(),
            resource: "P1".into(),
            principal: "erin".into(),
            access: AccessText::Level("read".into()),
        };
        let refused = compute(
            &engine,
            &Names::of(engine.world()),
            &not_owner,
            &Setting::default(),
        );
        assert!(
            matches!(refused, PreviewModel::Refused { ref code, .. } if code == "not_permitted")
        );
    }

    #[test]
    fn rows_list_their_resources_a_page_at_a_time() {
        let engine = Engine::new(world()).unwrap();
        let action = share("genomics", "read");
        let model = compute(
            &engine,
            &Names::of(engine.world()),
            &action,
            &Setting::default(),
        );
        let row = model
            .rows()
            .iter()
            .find(|r| r.sentence.starts_with("Erin"))
            .unwrap();
        let mut all = Vec::new();
        loop {
            let page = resources_page(
                &engine,
                &Names::of(engine.world()),
                &action,
                row.block,
                all.len(),
                2,
            );
            if page.is_empty() {
                break;
            }
            assert!(page.len() <= 2);
            all.extend(page);
        }
        assert_eq!(all.len(), row.resources as usize);
        assert_eq!(all[0].1, "biosample Sample one");
    }
}
