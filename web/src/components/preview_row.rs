//! One row of the preview: its sentence, "why?" (the reasons before and
//! after), and details that list the people and the resources a page at a
//! time, so a row about hundreds of people and thousands of resources
//! renders as one line until asked.

use crate::preview::{self, EngineRef, Row, Tone};
use crate::words::{self, Names};
use custody_policy::Action;
use std::rc::Rc;
use yew::prelude::*;

/// How many people or resources one page of details shows.
pub const PAGE: usize = 20;

#[derive(Properties, PartialEq)]
pub struct PreviewRowProps {
    pub row: Row,
    pub engine: Option<EngineRef>,
    pub action: Option<Action>,
    pub names: Rc<Names>,
    pub actor: AttrValue,
}

#[component]
pub fn PreviewRow(props: &PreviewRowProps) -> Html {
    let why = use_state(|| false);
    let open = use_state(|| false);
    let people_shown = use_state(|| PAGE);
    let resources = use_state(Vec::<(String, String)>::new);
    let row = &props.row;
    // A new action (another edit) may list other resources: start over.
    {
        let resources = resources.clone();
        let open = open.clone();
        use_effect_with(props.action.clone(), move |_| {
            resources.set(Vec::new());
            open.set(false);
        });
    }

    let toggle_why = {
        let why = why.clone();
        Callback::from(move |_: MouseEvent| why.set(!*why))
    };
    let more_resources = {
        let resources = resources.clone();
        let engine = props.engine.clone();
        let names = props.names.clone();
        let action = props.action.clone();
        let block = row.block;
        Callback::from(move |_: MouseEvent| {
            if let (Some(engine), Some(action)) = (&engine, &action) {
                let mut list = (*resources).clone();
                list.extend(preview::resources_page(
                    &engine.0,
                    &names,
                    action,
                    block,
                    list.len(),
                    PAGE,
                ));
                resources.set(list);
            }
        })
    };
    let toggle_open = {
        let open = open.clone();
        let more = more_resources.clone();
        let loaded = !resources.is_empty();
        Callback::from(move |e: MouseEvent| {
            if !*open && !loaded {
                more.emit(e);
            }
            open.set(!*open);
        })
    };
    let more_people = {
        let people_shown = people_shown.clone();
        Callback::from(move |_: MouseEvent| people_shown.set(*people_shown + PAGE))
    };

    let mark = match row.tone {
        Tone::ActorLoss => "!",
        Tone::Loss => "−",
        Tone::Gain => "+",
    };
    let why_html = if *why {
        html! {
            <dl class="why">
                <dt>{ "Before" }</dt><dd>{ row.why_before.clone() }</dd>
                <dt>{ "After" }</dt><dd>{ row.why_after.clone() }</dd>
            </dl>
        }
    } else {
        html! {}
    };
    let details = if *open {
        let mut people: Vec<(String, String)> = row
            .people
            .iter()
            .map(|p| {
                let name = if p.as_str() == props.actor.as_str() {
                    format!("{} (you)", props.names.person(p))
                } else {
                    props.names.person(p)
                };
                (p.clone(), name)
            })
            .collect();
        people.sort_by(|a, b| a.1.cmp(&b.1));
        let shown = (*people_shown).min(people.len());
        let people_left = people.len() - shown;
        let resources_left = row.resources.saturating_sub(resources.len() as u64);
        html! {
            <div class="details">
                <div>
                    <h4>{ format!("People ({})", words::number(people.len() as u64)) }</h4>
                    <ul class="detail-list people-list">
                        { for people.iter().take(shown).map(|(id, name)| html! {
                            <li key={id.clone()}>{ name.clone() }</li>
                        }) }
                    </ul>
                    if people_left > 0 {
                        <button type="button" class="link" onclick={more_people}>
                            { format!("Show {} more of {}", PAGE.min(people_left), words::number(people_left as u64)) }
                        </button>
                    }
                </div>
                <div>
                    <h4>{ format!("Resources ({})", words::number(row.resources)) }</h4>
                    <ul class="detail-list resource-list">
                        { for resources.iter().map(|(id, label)| html! {
                            <li key={id.clone()}>{ label.clone() }</li>
                        }) }
                    </ul>
                    if resources_left > 0 {
                        <button type="button" class="link" onclick={more_resources}>
                            { format!("Show {} more of {}", (PAGE as u64).min(resources_left), words::number(resources_left)) }
                        </button>
                    }
                </div>
            </div>
        }
    } else {
        html! {}
    };
    html! {
        <li class={classes!("preview-row", row.tone.as_str())} data-tone={row.tone.as_str()}>
            <div class="row-line">
                <span class="mark" aria-hidden="true">{ mark }</span>
                <span class="sentence">{ row.sentence.clone() }</span>
                <span class="row-actions">
                    <button type="button" class="link why-button" aria-expanded={why.to_string()} onclick={toggle_why}>{ "why?" }</button>
                    <button type="button" class="link details-button" aria-expanded={open.to_string()} onclick={toggle_open}>{ "details" }</button>
                </span>
            </div>
            { why_html }
            { details }
        </li>
    }
}
