//! One line of the members dialog's list: the member's name, "member",
//! and what the person may do with them (remove, leave, undo).
//!
//! A component of its own, with plain props and a stable callback, so that
//! an edit re-renders only the lines it changes: a group of hundreds would
//! otherwise rebuild every line on every edit, which costs more than the
//! preview itself.

use crate::groups::state::{Mark, MembersAction};
use yew::prelude::*;

/// What the line's button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowButton {
    None,
    /// An admin removes a member.
    Remove,
    /// The person removes themself.
    Leave,
    /// Restore a member marked for removal.
    Undo,
}

#[derive(Properties, PartialEq)]
pub struct MemberRowProps {
    pub principal: AttrValue,
    /// "Carol Diaz", "Lab A bioinformatics (group, 2 members)".
    pub label: AttrValue,
    pub mark: Mark,
    pub button: RowButton,
    /// While saving, nothing edits what is being confirmed.
    #[prop_or_default]
    pub disabled: bool,
    pub on_edit: Callback<MembersAction>,
}

#[component]
pub fn MemberRow(props: &MemberRowProps) -> Html {
    let p = props.principal.to_string();
    let emit = |make: fn(String) -> MembersAction| {
        let on_edit = props.on_edit.clone();
        let p = p.clone();
        Callback::from(move |_: MouseEvent| on_edit.emit(make(p.clone())))
    };
    let button = match props.button {
        RowButton::None => html! {},
        RowButton::Undo => html! {
            <button type="button" class="link" disabled={props.disabled}
                onclick={emit(MembersAction::Restore)}>{ "Undo" }</button>
        },
        RowButton::Leave => html! {
            <button type="button" class="link leave" disabled={props.disabled}
                onclick={emit(MembersAction::Remove)}>{ "Leave group" }</button>
        },
        RowButton::Remove => html! {
            <button type="button" class="link remove" disabled={props.disabled}
                aria-label={format!("Remove {}", props.label)}
                onclick={emit(MembersAction::Remove)}>{ "Remove" }</button>
        },
    };
    let badge = match props.mark {
        Mark::Saved => html! {},
        Mark::Added => html! { <span class="tag">{ "new" }</span> },
        Mark::Removed => html! { <span class="tag">{ "removed" }</span> },
    };
    html! {
        <li class={classes!("entry", (props.mark == Mark::Removed).then_some("removed"))}
            data-principal={props.principal.clone()}>
            <span class="entry-name">{ props.label.clone() }{ badge }</span>
            <span class="entry-access"><span class="access-label">{ "member" }</span></span>
            <span class="entry-actions">{ button }</span>
        </li>
    }
}
