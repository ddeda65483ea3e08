//! The members dialog ("Members of “genomics”"): who is in the group,
//! edits to it (admins add people, service accounts or groups, and remove
//! members; a member may leave), and the live preview of what saving
//! changes, in the very panel and rows the share dialog uses.
//!
//! The reducer (`state.rs`) previews on every edit; this component does the
//! I/O: loading the group's context (again when a principal it does not
//! describe is added, since their other memberships decide what they
//! already reach), and Save, which posts the action with the version, the
//! digest and an idempotency key, and handles a 409 by previewing the same
//! edits on the group's fresh context.

use crate::api::{self, GroupSaveError};
use crate::components::dialog_foot::{DialogFoot, stale_notice};
use crate::components::modal::Modal;
use crate::components::preview_clock::use_preview_clock;
use crate::components::preview_panel::PreviewPanel;
use crate::components::principal_picker::{PrincipalPicker, hit_label};
use crate::groups::loaded::GroupLoaded;
use crate::groups::member_row::{MemberRow, RowButton};
use crate::groups::state::{Mark, MembersAction, MembersState};
use crate::words::{self, Names};
use custody_api::ActionRequest;
use std::rc::Rc;
use yew::Reducible;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MembersDialogProps {
    pub group: AttrValue,
    /// The group's name, for the title.
    pub name: AttrValue,
    /// A context the page has loaded already (else the dialog loads one).
    #[prop_or_default]
    pub loaded: Option<GroupLoaded>,
    /// Open with the person leaving the group (their own removal edited).
    #[prop_or_default]
    pub leave: bool,
    pub on_close: Callback<()>,
    /// Saved: the page reloads what it shows; the text says what happened.
    pub on_saved: Callback<String>,
}

fn load(state: UseReducerHandle<MembersState>, group: String, principals: Vec<String>) {
    state.dispatch(MembersAction::Loading);
    wasm_bindgen_futures::spawn_local(async move {
        let answer = api::group_context(&group, &principals).await;
        state.dispatch(
            match answer
                .map_err(|e| e.words())
                .and_then(GroupLoaded::from_context)
            {
                Ok(l) => MembersAction::Loaded(l),
                Err(e) => MembersAction::LoadFailed(e),
            },
        );
    });
}

#[component]
pub fn MembersDialog(props: &MembersDialogProps) -> Html {
    // Opened with the page's context: ready on the first render, so focus
    // lands in the type-ahead at once.
    let state = use_reducer({
        let preloaded = props.loaded.clone();
        let leave = props.leave;
        move || match preloaded {
            Some(l) => {
                let actor = l.actor.clone();
                let s = Rc::new(MembersState::default()).reduce(MembersAction::Loaded(l));
                let s = if leave {
                    s.reduce(MembersAction::Remove(actor))
                } else {
                    s
                };
                (*s).clone()
            }
            None => MembersState::default(),
        }
    });
    let panel = use_node_ref();
    // When the last edit happened, to measure edit-to-rendered-preview.
    let edit_started = use_preview_clock(panel.clone(), state.preview.is_some());

    // Opened without a context: load one.
    {
        let state = state.clone();
        let preloaded = props.loaded.is_some();
        let group = props.group.to_string();
        use_effect_with(group.clone(), move |_| {
            if !preloaded {
                load(state, group, Vec::new());
            }
        });
    }
    // Opened to leave without a context: the removal once it arrives.
    {
        let state = state.clone();
        let leave = props.leave && props.loaded.is_none();
        let actor = state.loaded.as_ref().map(|l| l.actor.clone());
        use_effect_with(actor, move |actor| {
            if leave && let Some(actor) = actor {
                state.dispatch(MembersAction::Remove(actor.clone()));
            }
        });
    }
    // A principal the context does not describe yet: load it with them.
    {
        let state = state.clone();
        let missing = state.missing();
        let group = props.group.to_string();
        use_effect_with(missing, move |missing| {
            if !missing.is_empty() {
                let principals = state.added_principals();
                load(state, group, principals);
            }
        });
    }
    // Stable across renders (the dispatcher and the clock cell never
    // change), so member lines whose props are equal are not re-rendered.
    let edit = {
        let edit_started = edit_started.clone();
        use_callback(
            state.dispatcher(),
            move |action: MembersAction, dispatcher| {
                *edit_started.borrow_mut() = Some(api::now_ms());
                dispatcher.dispatch(action);
            },
        )
    };

    let save = {
        let state = state.clone();
        let on_saved = props.on_saved.clone();
        let name = props.name.to_string();
        Callback::from(move |()| {
            if !state.can_save() {
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
            let leaving = state.leaving();
            let key = state.confirm.key_for(&digest, api::fresh_key);
            state.dispatch(MembersAction::Saving {
                digest: digest.clone(),
                key: key.clone(),
            });
            let state = state.clone();
            let on_saved = on_saved.clone();
            let name = name.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let request = ActionRequest {
                    action,
                    version: l.version.clone(),
                    digest,
                    idempotency_key: key,
                };
                match api::post_group_action(&request).await {
                    Ok(applied) => {
                        state.dispatch(MembersAction::Saved);
                        on_saved.emit(saved_words(&name, leaving, applied.changes));
                    }
                    Err(GroupSaveError::Stale(stale)) => {
                        match GroupLoaded::from_context(stale.context) {
                            Ok(l) => state.dispatch(MembersAction::Stale(l)),
                            Err(e) => state.dispatch(MembersAction::Failed(e)),
                        }
                    }
                    Err(GroupSaveError::Other(e)) => {
                        state.dispatch(MembersAction::Failed(e.words()))
                    }
                }
            });
        })
    };

    let title = format!("Members of “{}”", props.name);
    let s = &*state;
    let Some(l) = &s.loaded else {
        let body = match &s.confirm.error {
            Some(e) => html! { <p class="error" role="alert">{ e.clone() }</p> },
            None => {
                html! { <p class="preview-note" aria-busy="true">{ "Loading the group’s members…" }</p> }
            }
        };
        return html! {
            <Modal title={title} on_close={props.on_close.clone()} class="members-dialog">
                <div class="dialog-body">{ body }</div>
                <footer class="dialog-foot">
                    <button type="button" onclick={close_click(&props.on_close)}>{ "Close" }</button>
                </footer>
            </Modal>
        };
    };
    let can_manage = l.can_manage;
    // While saving, nothing edits what is being confirmed.
    let saving = s.confirm.saving;
    let entries = s.entries();
    let rows = entries.iter().map(|entry| {
        let p = entry.principal.clone();
        let label = if l.names.knows_principal(&p) {
            words::principal_label(&p, &l.actor, &l.names, l.member_count(&p))
        } else {
            s.name_of(&p)
        };
        let button = if entry.mark == Mark::Removed {
            RowButton::Undo
        } else if p == l.actor {
            // Anyone may leave; for an admin it is removing themself.
            RowButton::Leave
        } else if can_manage {
            RowButton::Remove
        } else {
            RowButton::None
        };
        html! {
            <MemberRow key={p.clone()} principal={p.clone()} label={label} mark={entry.mark}
                {button} disabled={saving} on_edit={edit.clone()} />
        }
    });
    let add_row = if can_manage {
        let edit = edit.clone();
        let on_pick = Callback::from(move |hit: custody_api::PrincipalHit| {
            edit.emit(MembersAction::Add {
                principal: hit.id.clone(),
                name: hit_label(&hit),
            })
        });
        // Not offered: who is listed, and the group itself.
        let mut exclude: Vec<String> = entries.iter().map(|e| e.principal.clone()).collect();
        exclude.push(l.group.clone());
        html! {
            <div class="add-row">
                <PrincipalPicker {on_pick} {exclude} disabled={s.confirm.saving} />
            </div>
        }
    } else {
        html! {}
    };
    let admins = l.admins();
    let admins_line = if admins.is_empty() {
        html! {}
    } else {
        let names: Vec<String> = admins
            .iter()
            .map(|a| words::principal_label(a, &l.actor, &l.names, None))
            .collect();
        html! {
            <p class="muted admins-line">
                { format!("Admin{}: {}", if admins.len() == 1 { "" } else { "s" }, words::join_and(&names)) }
            </p>
        }
    };
    let stale = stale_notice(&s.confirm);
    let idle = if can_manage {
        "Add or remove a member to see who gains and who loses access."
    } else {
        "Only the group’s admins can change its members. You can leave the group."
    };
    let show_save = can_manage || s.can_leave();
    html! {
        <Modal title={title} on_close={props.on_close.clone()} on_submit={save.clone()} class="members-dialog">
            <div class="dialog-body">
                { stale }
                <section aria-labelledby="members-heading">
                    <h3 id="members-heading">{ "Members" }</h3>
                    if entries.is_empty() {
                        <p class="muted">{ "No members yet." }</p>
                    }
                    <ul class="entries">{ for rows }</ul>
                    { add_row }
                    { admins_line }
                </section>
                <div ref={panel.clone()} class="preview-wrap">
                    <PreviewPanel heading="What changes when you save"
                        model={s.preview.clone()} loading={s.loading}
                        idle={AttrValue::from(idle)}
                        engine={Some(l.engine.clone())} action={s.action.clone()}
                        names={Rc::clone(&l.names) as Rc<Names>} actor={AttrValue::from(l.actor.clone())} />
                </div>
            </div>
            <DialogFoot confirm={s.confirm.clone()} {show_save} can_save={s.can_save()} on_close={props.on_close.clone()} />
        </Modal>
    }
}

/// What the page says once saved.
fn saved_words(group: &str, leaving: bool, changes: u64) -> String {
    let access = if changes == 0 {
        "No one's access changed.".to_string()
    } else {
        format!(
            "{} change{} of access.",
            words::number(changes),
            if changes == 1 { "" } else { "s" }
        )
    };
    if leaving {
        format!("You left “{group}”. {access}")
    } else {
        format!("Saved. {access}")
    }
}

fn close_click(on_close: &Callback<()>) -> Callback<MouseEvent> {
    let on_close = on_close.clone();
    Callback::from(move |_: MouseEvent| on_close.emit(()))
}
