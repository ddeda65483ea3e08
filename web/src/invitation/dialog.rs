//! The recipient's invitation: who offers what, what accepting will give
//! them and what stays with the sender (previewed in the browser), Accept
//! and Decline.

use crate::api::{self, ApiError};
use crate::components::modal::Modal;
use crate::components::preview_panel::PreviewPanel;
use crate::invitation::state::{Decision, InvitationAction, InvitationState};
use crate::loaded::Loaded;
use crate::words;
use custody_api::{ActionRequest, TransferItem};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct InvitationDialogProps {
    pub transfer: TransferItem,
    pub on_close: Callback<()>,
    /// Decided: a sentence for the page.
    pub on_done: Callback<String>,
}

#[component]
pub fn InvitationDialog(props: &InvitationDialogProps) -> Html {
    let state = use_reducer({
        let t = props.transfer.clone();
        move || InvitationState::new(t)
    });
    {
        let state = state.clone();
        let resource = props.transfer.resource.clone();
        use_effect_with(resource, move |resource| {
            let resource = resource.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let answer = api::context(&resource, &[], &[]).await;
                state.dispatch(match answer.map_err(|e| e.words()).and_then(Loaded::new) {
                    Ok(l) => InvitationAction::Loaded(l),
                    Err(e) => InvitationAction::LoadFailed(e),
                });
            });
        });
    }
    let decide = {
        let state = state.clone();
        let on_done = props.on_done.clone();
        Callback::from(move |decision: Decision| {
            if !state.can_decide() {
                return;
            }
            let (Some(l), Some(action), Some(digest)) = (
                state.loaded.clone(),
                state.action(decision),
                state.digest(decision),
            ) else {
                return;
            };
            let key = match &state.key {
                Some((d, k)) if *d == digest => k.clone(),
                _ => api::fresh_key(),
            };
            state.dispatch(InvitationAction::Deciding {
                decision,
                digest: digest.clone(),
                key: key.clone(),
            });
            let state = state.clone();
            let on_done = on_done.clone();
            let what = state
                .transfer
                .resource_name
                .clone()
                .unwrap_or_else(|| state.transfer.resource.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let request = ActionRequest {
                    action,
                    version: l.version.clone(),
                    digest,
                    idempotency_key: key,
                };
                match api::post_action(&request).await {
                    Ok(_) => {
                        state.dispatch(InvitationAction::Done(decision));
                        on_done.emit(match decision {
                            Decision::Accept => format!("You now own “{what}”."),
                            Decision::Decline => format!("You declined “{what}”."),
                        });
                    }
                    Err(ApiError::Stale(stale)) => match Loaded::new(stale.context) {
                        Ok(l) => state.dispatch(InvitationAction::Stale(l)),
                        Err(e) => state.dispatch(InvitationAction::Failed(e)),
                    },
                    Err(e) => state.dispatch(InvitationAction::Failed(e.words())),
                }
            });
        })
    };
    let t = &props.transfer;
    let s = &*state;
    let what = format!(
        "{} “{}”",
        words::kind_noun(t.resource_kind, 1),
        t.resource_name
            .clone()
            .unwrap_or_else(|| t.resource.clone())
    );
    let accept = {
        let decide = decide.clone();
        Callback::from(move |()| decide.emit(Decision::Accept))
    };
    let decline = {
        let decide = decide.clone();
        Callback::from(move |_: MouseEvent| decide.emit(Decision::Decline))
    };
    let panel = match &s.loaded {
        Some(l) => html! {
            <PreviewPanel heading="When you accept" model={s.preview.clone()}
                engine={Some(l.engine.clone())} action={s.action(Decision::Accept)}
                names={Rc::clone(&l.names)} actor={AttrValue::from(l.actor.clone())}
                empty="Accepting changes no one's access." />
        },
        None if s.error.is_none() => {
            html! { <p class="preview-note" aria-busy="true">{ "Working out what you will receive…" }</p> }
        }
        None => html! {},
    };
    html! {
        <Modal title={format!("Ownership of {what}")} on_close={props.on_close.clone()} on_submit={accept} class="invitation-dialog">
            <div class="dialog-body">
                if s.stale {
                    <p class="stale" role="alert">{ "Sharing changed since you opened this invitation. The preview below is what accepting does now." }</p>
                }
                <p class="lede">{ format!("{} wants to transfer ownership of {what} to you ({}).", t.from_name, t.to) }</p>
                if let Some(m) = &t.message {
                    <blockquote class="message">{ m.clone() }</blockquote>
                }
                { panel }
            </div>
            <footer class="dialog-foot">
                if let Some(e) = &s.error { <p class="error" role="alert">{ e.clone() }</p> }
                <button type="button" onclick={decline} disabled={!s.can_decide()} class="decline">
                    { if s.busy == Some(Decision::Decline) { "Declining…" } else { "Decline" } }
                </button>
                <button type="submit" class="primary" disabled={!s.can_decide()}>
                    { if s.busy == Some(Decision::Accept) { "Accepting…" } else { "Accept" } }
                </button>
            </footer>
        </Modal>
    }
}
