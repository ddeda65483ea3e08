//! Type-ahead for an account, group or service account, by name or email.
//! Arrow keys move through the suggestions, Enter picks one, Escape closes
//! the list (and only the list: the dialog stays open).

use crate::api;
use crate::latest::use_latest;
use crate::words;
use custody_api::PrincipalHit;
use custody_policy::PrincipalKind;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PrincipalPickerProps {
    /// A principal was chosen.
    pub on_pick: Callback<PrincipalHit>,
    /// Ids not to offer (already listed).
    #[prop_or_default]
    pub exclude: Vec<String>,
    #[prop_or(AttrValue::Static("Name, email or group"))]
    pub placeholder: AttrValue,
    #[prop_or_default]
    pub disabled: bool,
}

/// How a suggestion reads: "Erin Novak · erin@lab-b.example", "lab-b
/// (group, 2 members)".
pub fn hit_label(hit: &PrincipalHit) -> String {
    let name = hit.name.clone().unwrap_or_else(|| hit.id.clone());
    match hit.kind {
        PrincipalKind::Group => {
            let n = hit.members.unwrap_or(0);
            format!(
                "{name} (group, {} member{})",
                words::number(n),
                if n == 1 { "" } else { "s" }
            )
        }
        PrincipalKind::ServiceAccount => format!("{name} (service account)"),
        PrincipalKind::User => match &hit.email {
            Some(e) => format!("{name} · {e}"),
            None => name,
        },
    }
}

#[component]
pub fn PrincipalPicker(props: &PrincipalPickerProps) -> Html {
    let text = use_state(String::new);
    let hits = use_state(Vec::<PrincipalHit>::new);
    let active = use_state(|| 0usize);
    let open = use_state(|| false);
    let error = use_state(|| None::<String>);
    // Answers can arrive out of order; only the latest query's is shown.
    let latest = use_latest();

    let shown: Vec<PrincipalHit> = hits
        .iter()
        .filter(|h| !props.exclude.contains(&h.id))
        .cloned()
        .collect();

    let oninput = {
        let text = text.clone();
        let hits = hits.clone();
        let open = open.clone();
        let active = active.clone();
        let error = error.clone();
        let latest = latest.clone();
        Callback::from(move |e: InputEvent| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            let q = input.value();
            text.set(q.clone());
            active.set(0);
            // Taken before an empty query too: an answer still on its way
            // must not reopen the list under an empty box.
            let ticket = latest.take();
            if q.trim().is_empty() {
                hits.set(Vec::new());
                open.set(false);
                return;
            }
            let hits = hits.clone();
            let open = open.clone();
            let error = error.clone();
            let latest = latest.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let answer = api::principals(q.trim()).await;
                if !latest.is_current(ticket) {
                    return;
                }
                match answer {
                    Ok(list) => {
                        error.set(None);
                        hits.set(list);
                        open.set(true);
                    }
                    Err(e) => {
                        error.set(Some(e.words()));
                        open.set(false);
                    }
                }
            });
        })
    };

    let pick = {
        let on_pick = props.on_pick.clone();
        let text = text.clone();
        let hits = hits.clone();
        let open = open.clone();
        Callback::from(move |hit: PrincipalHit| {
            on_pick.emit(hit);
            text.set(String::new());
            hits.set(Vec::new());
            open.set(false);
        })
    };

    let onkeydown = {
        let shown = shown.clone();
        let active = active.clone();
        let open = open.clone();
        let pick = pick.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "ArrowDown" if !shown.is_empty() => {
                e.prevent_default();
                open.set(true);
                active.set((*active + 1).min(shown.len() - 1));
            }
            "ArrowUp" if !shown.is_empty() => {
                e.prevent_default();
                active.set(active.saturating_sub(1));
            }
            "Enter" => {
                // Enter picks; it never submits the dialog from here.
                e.prevent_default();
                if let Some(hit) = shown.get(*active) {
                    pick.emit(hit.clone());
                }
            }
            "Escape" if *open => {
                e.prevent_default();
                e.stop_propagation();
                open.set(false);
            }
            _ => {}
        })
    };

    let list = if *open {
        if shown.is_empty() {
            html! { <p class="picker-empty" role="status">{ "No one matches." }</p> }
        } else {
            html! {
                <ul class="picker-list" role="listbox" id="picker-list">
                    { for shown.iter().enumerate().map(|(i, hit)| {
                        let pick = pick.clone();
                        let chosen = hit.clone();
                        let onmousedown = Callback::from(move |e: MouseEvent| {
                            e.prevent_default();
                            pick.emit(chosen.clone());
                        });
                        html! {
                            <li role="option" id={format!("picker-option-{i}")}
                                class={classes!("picker-option", (i == *active).then_some("active"))}
                                aria-selected={(i == *active).to_string()} {onmousedown}
                                data-id={hit.id.clone()}>
                                { hit_label(hit) }
                            </li>
                        }
                    }) }
                </ul>
            }
        }
    } else {
        html! {}
    };
    let activedescendant =
        (*open && !shown.is_empty()).then(|| format!("picker-option-{}", *active));
    html! {
        <div class="picker">
            <input type="text" class="picker-input" role="combobox" autocomplete="off"
                aria-label="Add a person, group or service account"
                aria-expanded={open.to_string()} aria-controls="picker-list"
                aria-activedescendant={activedescendant}
                placeholder={props.placeholder.clone()} value={(*text).clone()}
                disabled={props.disabled} {oninput} {onkeydown} />
            { list }
            if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
        </div>
    }
}
