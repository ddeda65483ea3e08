//! Transfer ownership (`basespace`; seed "How to transfer ownership"):
//! email and optional message, Continue shows the preview of what
//! acceptance will change, Transfer now sends the invitation.

use crate::api::{self, ApiError};
use crate::components::modal::Modal;
use crate::components::preview_panel::PreviewPanel;
use crate::loaded::Loaded;
use crate::transfer::state::{Step, TransferAction, TransferState};
use custody_api::ActionRequest;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TransferDialogProps {
    pub resource: AttrValue,
    pub name: AttrValue,
    pub on_close: Callback<()>,
    /// Sent: a sentence for the page to show.
    pub on_sent: Callback<String>,
}

#[component]
pub fn TransferDialog(props: &TransferDialogProps) -> Html {
    let state = use_reducer({
        let resource = props.resource.to_string();
        move || TransferState::new(&resource)
    });
    // Continue with a good email: load the context with the recipient.
    {
        let state = state.clone();
        let wants = state.wants_context();
        use_effect_with(wants, move |wants| {
            if *wants && let Some(email) = state.valid_email() {
                let resource = state.resource.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let answer = api::context(&resource, &[], &[email]).await;
                    state.dispatch(match answer.map_err(|e| e.words()).and_then(Loaded::new) {
                        Ok(l) => TransferAction::Loaded(l),
                        Err(e) => TransferAction::Failed(e),
                    });
                });
            }
        });
    }
    let send = {
        let state = state.clone();
        let on_sent = props.on_sent.clone();
        Callback::from(move |()| {
            if !state.can_send() {
                return;
            }
            let (Some(l), Some(action), Some(digest)) = (
                state.loaded.clone(),
                state.action.clone(),
                state
                    .preview
                    .as_ref()
                    .and_then(|p| p.digest())
                    .map(str::to_string),
            ) else {
                return;
            };
            let key = match &state.key {
                Some((d, k)) if *d == digest => k.clone(),
                _ => api::fresh_key(),
            };
            state.dispatch(TransferAction::Sending {
                digest: digest.clone(),
                key: key.clone(),
            });
            let state = state.clone();
            let on_sent = on_sent.clone();
            let email = state.email.trim().to_string();
            wasm_bindgen_futures::spawn_local(async move {
                let request = ActionRequest {
                    action,
                    version: l.version.clone(),
                    digest,
                    idempotency_key: key,
                };
                match api::post_action(&request).await {
                    Ok(_) => {
                        state.dispatch(TransferAction::Sent);
                        on_sent.emit(format!(
                            "Transfer sent to {email}. It is pending until they accept; you can cancel it until then."
                        ));
                    }
                    Err(ApiError::Stale(stale)) => match Loaded::new(stale.context) {
                        Ok(l) => state.dispatch(TransferAction::Stale(l)),
                        Err(e) => state.dispatch(TransferAction::Failed(e)),
                    },
                    Err(e) => state.dispatch(TransferAction::Failed(e.words())),
                }
            });
        })
    };
    let submit = {
        let state = state.clone();
        let send = send.clone();
        Callback::from(move |()| match state.step {
            Step::Form if !state.busy => state.dispatch(TransferAction::Continue),
            Step::Confirm => send.emit(()),
            _ => {}
        })
    };
    let close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    let s = &*state;
    let error = s
        .error
        .as_ref()
        .map(|e| html! { <p class="error" role="alert">{ e.clone() }</p> });
    let title = format!("Transfer ownership of “{}”", props.name);
    match (s.step, &s.loaded) {
        (Step::Confirm, Some(l)) | (Step::Sent, Some(l)) => {
            let back = {
                let state = state.clone();
                Callback::from(move |_: MouseEvent| state.dispatch(TransferAction::Back))
            };
            let email = s.email.trim().to_string();
            html! {
                <Modal {title} on_close={props.on_close.clone()} on_submit={submit} class="transfer-dialog">
                    <div class="dialog-body">
                        if s.stale {
                            <p class="stale" role="alert">{ "Sharing changed since you opened this dialog. The preview below is what the transfer does now; check it and confirm again." }</p>
                        }
                        <p class="lede">{ format!("You are inviting {email} to take ownership of “{}”.", props.name) }</p>
                        if !s.message.trim().is_empty() {
                            <blockquote class="message">{ s.message.trim().to_string() }</blockquote>
                        }
                        <PreviewPanel heading={format!("When {email} accepts")}
                            model={s.preview.clone()} engine={Some(l.engine.clone())}
                            action={s.action.clone()} names={Rc::clone(&l.names)}
                            actor={AttrValue::from(l.actor.clone())}
                            empty="Accepting changes no one's access." />
                    </div>
                    <footer class="dialog-foot">
                        { error }
                        <button type="button" onclick={back} disabled={s.busy}>{ "Back" }</button>
                        <button type="submit" class="primary" disabled={!s.can_send()} aria-busy={s.busy.to_string()}>
                            { if s.busy { "Sending…" } else { "Transfer now" } }
                        </button>
                    </footer>
                </Modal>
            }
        }
        _ => {
            let on_email = {
                let state = state.clone();
                Callback::from(move |e: InputEvent| {
                    if let Some(i) = e
                        .target()
                        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                    {
                        state.dispatch(TransferAction::Email(i.value()));
                    }
                })
            };
            let on_message = {
                let state = state.clone();
                Callback::from(move |e: InputEvent| {
                    if let Some(i) = e
                        .target()
                        .and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok())
                    {
                        state.dispatch(TransferAction::Message(i.value()));
                    }
                })
            };
            html! {
                <Modal {title} on_close={props.on_close.clone()} on_submit={submit} class="transfer-dialog">
                    <div class="dialog-body">
                        <p class="lede">{ "The person you name becomes the owner once they accept. Until then nothing changes, and you can cancel." }</p>
                        <label class="field">
                            <span>{ "Recipient's email" }</span>
                            <input type="email" name="email" autocomplete="email" required=true
                                value={s.email.clone()} oninput={on_email} disabled={s.busy}
                                aria-invalid={s.error.is_some().to_string()} />
                        </label>
                        <label class="field">
                            <span>{ "Message (optional)" }</span>
                            <textarea name="message" rows="3" value={s.message.clone()} oninput={on_message} disabled={s.busy} />
                        </label>
                    </div>
                    <footer class="dialog-foot">
                        { error }
                        <button type="button" onclick={close}>{ "Cancel" }</button>
                        <button type="submit" class="primary" disabled={s.busy} aria-busy={s.busy.to_string()}>
                            { if s.busy { "Working out what changes…" } else { "Continue" } }
                        </button>
                    </footer>
                </Modal>
            }
        }
    }
}
