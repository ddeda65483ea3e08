//! "What changes when you save": the preview under a dialog's edits.
//!
//! Shared by every dialog that changes access (share, transfer, the
//! recipient's invitation, and later group members): it takes a computed
//! [`PreviewModel`] and, for the details of a row, the engine and action it
//! came from. The panel keeps its height while the preview changes (a
//! minimum height, and the previous rows until new ones arrive), so the
//! dialog does not jump under the person's pointer.

use crate::components::preview_row::PreviewRow;
use crate::preview::{EngineRef, PreviewModel};
use crate::words::{self, Names};
use custody_policy::Action;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PreviewPanelProps {
    /// "What changes when you save", "When bob@core.example accepts".
    pub heading: AttrValue,
    /// `None` while there is nothing to preview yet.
    pub model: Option<PreviewModel>,
    /// Shown when `model` is `None`.
    #[prop_or(AttrValue::Static("Make a change to see who gains and who loses access."))]
    pub idle: AttrValue,
    /// True while the context is loading (adding a principal).
    #[prop_or_default]
    pub loading: bool,
    /// What the rows were computed from, for their details.
    pub engine: Option<EngineRef>,
    pub action: Option<Action>,
    pub names: Rc<Names>,
    pub actor: AttrValue,
    /// What an empty preview says.
    #[prop_or(AttrValue::Static("Saving changes no one's access."))]
    pub empty: AttrValue,
}

#[component]
pub fn PreviewPanel(props: &PreviewPanelProps) -> Html {
    let count = match &props.model {
        Some(PreviewModel::Changes { people, .. }) if *people > 0 => format!(
            "{} {}",
            words::number(*people as u64),
            if *people == 1 { "person" } else { "people" }
        ),
        _ => String::new(),
    };
    let body = match &props.model {
        None if props.loading => html! {
            <p class="preview-note" aria-busy="true">{ "Working out what changes…" }</p>
        },
        None => html! { <p class="preview-note">{ props.idle.clone() }</p> },
        Some(PreviewModel::Refused { sentence, code }) => html! {
            <p class="preview-refused" role="alert" data-code={code.clone()}>{ sentence.clone() }</p>
        },
        Some(PreviewModel::Changes { rows, warnings, .. }) => {
            let warnings = if warnings.is_empty() {
                html! {}
            } else {
                html! {
                    <ul class="warnings">
                        { for warnings.iter().map(|w| html! { <li class="warning">{ w.clone() }</li> }) }
                    </ul>
                }
            };
            let rows_html = if rows.is_empty() {
                html! { <p class="preview-empty">{ props.empty.clone() }</p> }
            } else {
                html! {
                    <ul class="preview-rows">
                        { for rows.iter().map(|row| html! {
                            <PreviewRow key={format!("{}-{}", row.block, row.sentence)}
                                row={row.clone()}
                                engine={props.engine.clone()}
                                action={props.action.clone()}
                                names={props.names.clone()}
                                actor={props.actor.clone()} />
                        }) }
                    </ul>
                }
            };
            html! { <>{ warnings }{ rows_html }</> }
        }
    };
    html! {
        <section class={classes!("preview", props.loading.then_some("is-loading"))}
                 aria-labelledby="preview-heading">
            <header class="preview-head">
                <h3 id="preview-heading">{ props.heading.clone() }</h3>
                <span class="preview-count" aria-live="polite">{ count }</span>
            </header>
            { body }
        </section>
    }
}
