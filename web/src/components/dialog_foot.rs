//! The parts every confirming dialog (share, members) shows around its
//! preview: the notice after a 409, and the foot with the error in words,
//! Cancel (Close when there is nothing to save) and Save, busy while posting.

use yew::prelude::*;

use crate::confirm::Confirm;

#[derive(Properties, PartialEq)]
pub struct DialogFootProps {
    pub confirm: Confirm,
    /// Whether this person can save anything here (else only Close).
    pub show_save: bool,
    pub can_save: bool,
    pub on_close: Callback<()>,
}

#[function_component(DialogFoot)]
pub fn dialog_foot(props: &DialogFootProps) -> Html {
    let c = &props.confirm;
    let close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    html! {
        <footer class="dialog-foot">
            if let Some(e) = &c.error { <p class="error" role="alert">{ e.clone() }</p> }
            <button type="button" onclick={close}>{ if props.show_save { "Cancel" } else { "Close" } }</button>
            if props.show_save {
                <button type="submit" class="primary" disabled={!props.can_save} aria-busy={c.saving.to_string()}>
                    { if c.saving { "Saving…" } else { "Save" } }
                </button>
            }
        </footer>
    }
}

/// What a dialog says once a 409 replaced its context: the preview shown
/// is what the edits do now.
pub fn stale_notice(confirm: &Confirm) -> Html {
    if confirm.stale {
        html! {
            <p class="stale" role="alert">
                { "Sharing changed since you opened this dialog. The preview below is what your changes do now; check it and save again." }
            </p>
        }
    } else {
        html! {}
    }
}
