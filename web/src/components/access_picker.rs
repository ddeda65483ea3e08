//! The access of one share: Read or Write, and in the `direct` profile
//! the extra permissions (the seed's Edit, Share, Delete, Manage resources,
//! Delete resources) as checkboxes.

use crate::words;
use custody_policy::{Access, Level, Permission, Permissions};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct AccessPickerProps {
    pub access: Access,
    pub on_change: Callback<Access>,
    /// Offer permissions (`direct` profile).
    #[prop_or_default]
    pub permissions: bool,
    /// The accessible label: "Access for Erin Novak".
    pub label: AttrValue,
    #[prop_or_default]
    pub disabled: bool,
}

#[component]
pub fn AccessPicker(props: &AccessPickerProps) -> Html {
    let access = props.access;
    let on_level = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: Event| {
            let Some(select) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
            else {
                return;
            };
            let level = Level::parse(&select.value()).unwrap_or(Level::Read);
            on_change.emit(Access::with(level, access.permissions));
        })
    };
    let level_select = html! {
        <select class="access-select" aria-label={props.label.clone()} onchange={on_level} disabled={props.disabled}>
            <option value="read" selected={access.level == Level::Read}>{ "Read" }</option>
            <option value="write" selected={access.level == Level::Write}>
                { if props.permissions { "Edit (write)" } else { "Write" } }
            </option>
        </select>
    };
    if !props.permissions {
        return level_select;
    }
    let boxes = Permission::ALL.iter().map(|&p| {
        let on_change = props.on_change.clone();
        let toggle = Callback::from(move |e: Event| {
            let checked = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                .is_some_and(|i| i.checked());
            let set: Permissions = access
                .permissions
                .iter()
                .filter(|q| *q != p)
                .chain(checked.then_some(p))
                .collect();
            on_change.emit(Access::with(access.level, set));
        });
        html! {
            <label class="check">
                <input type="checkbox" checked={access.permissions.contains(p)} onchange={toggle} disabled={props.disabled} />
                { words::capitalize(words::permission_word(p)) }
            </label>
        }
    });
    html! {
        <span class="access-picker">
            { level_select }
            <details class="permissions">
                <summary aria-label={format!("Permissions: {}", words::access_words(access))}>{ "⚙" }</summary>
                <fieldset>
                    <legend>{ "Permissions" }</legend>
                    { for boxes }
                </fieldset>
            </details>
        </span>
    }
}
