//! The share dialog ("Share" for those who may share, "View
//! collaborators" for the others): who has a share, edits to it, and the
//! live preview of what saving changes.
//!
//! The reducer (`state.rs`) previews on every edit; this component does the
//! I/O: loading the context (again when a new principal is added, since a
//! group's members decide who gains), and Save, which posts the action with
//! the version, the digest and an idempotency key, and handles a 409 by
//! previewing the same edits on the fresh context.

use crate::api::{self, ApiError};
use crate::components::access_picker::AccessPicker;
use crate::components::dialog_foot::{DialogFoot, stale_notice};
use crate::components::modal::Modal;
use crate::components::preview_clock::use_preview_clock;
use crate::components::preview_panel::PreviewPanel;
use crate::components::principal_picker::{PrincipalPicker, hit_label};
use crate::loaded::Loaded;
use crate::share::state::{Mark, ShareAction, ShareState};
use crate::words::{self, Names};
use custody_api::ActionRequest;
use custody_policy::{Access, PrincipalKind, Profile, ResourceKind};
use std::rc::Rc;
use yew::Reducible;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShareDialogProps {
    pub resource: AttrValue,
    /// The resource's name, for the title.
    pub name: AttrValue,
    /// A context the page has loaded already (else the dialog loads one).
    #[prop_or_default]
    pub loaded: Option<Loaded>,
    pub on_close: Callback<()>,
    /// Saved: the page reloads what it shows.
    pub on_saved: Callback<String>,
}

#[component]
pub fn ShareDialog(props: &ShareDialogProps) -> Html {
    // Opened with the page's context: ready on the first render, so focus
    // lands in the type-ahead at once.
    let state = use_reducer({
        let preloaded = props.loaded.clone();
        move || match preloaded {
            Some(l) => (*Rc::new(ShareState::default()).reduce(ShareAction::Loaded(l))).clone(),
            None => ShareState::default(),
        }
    });
    let add_access = use_state(ShareState::default_access);
    let panel = use_node_ref();
    // When the last edit happened, to measure edit-to-rendered-preview.
    let edit_started = use_preview_clock(panel.clone(), state.preview.is_some());

    // Opened without a context: load one.
    {
        let state = state.clone();
        let preloaded = props.loaded.is_some();
        let resource = props.resource.to_string();
        use_effect_with(resource.clone(), move |_| match preloaded {
            true => {}
            false => {
                state.dispatch(ShareAction::Loading);
                wasm_bindgen_futures::spawn_local(async move {
                    let answer = api::context(&resource, &[], &[]).await;
                    state.dispatch(match answer.map_err(|e| e.words()).and_then(Loaded::new) {
                        Ok(l) => ShareAction::Loaded(l),
                        Err(e) => ShareAction::LoadFailed(e),
                    });
                });
            }
        });
    }
    // A principal the context does not describe yet: load it with them.
    {
        let state = state.clone();
        let missing = state.missing();
        let resource = props.resource.to_string();
        use_effect_with(missing, move |missing| {
            if !missing.is_empty() {
                let principals = state.edited_principals();
                state.dispatch(ShareAction::Loading);
                wasm_bindgen_futures::spawn_local(async move {
                    let answer = api::context(&resource, &principals, &[]).await;
                    state.dispatch(match answer.map_err(|e| e.words()).and_then(Loaded::new) {
                        Ok(l) => ShareAction::Loaded(l),
                        Err(e) => ShareAction::LoadFailed(e),
                    });
                });
            }
        });
    }
    let edit = {
        let state = state.clone();
        let edit_started = edit_started.clone();
        Callback::from(move |action: ShareAction| {
            *edit_started.borrow_mut() = Some(api::now_ms());
            state.dispatch(action);
        })
    };

    let save = {
        let state = state.clone();
        let on_saved = props.on_saved.clone();
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
            let key = state.confirm.key_for(&digest, api::fresh_key);
            state.dispatch(ShareAction::Saving {
                digest: digest.clone(),
                key: key.clone(),
            });
            let state = state.clone();
            let on_saved = on_saved.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let request = ActionRequest {
                    action,
                    version: l.version.clone(),
                    digest,
                    idempotency_key: key,
                };
                match api::post_action(&request).await {
                    Ok(applied) => {
                        state.dispatch(ShareAction::Saved);
                        let n = applied.changes;
                        on_saved.emit(if n == 0 {
                            "Saved. No one's access changed.".to_string()
                        } else {
                            format!(
                                "Saved. {} change{} of access.",
                                words::number(n),
                                if n == 1 { "" } else { "s" }
                            )
                        });
                    }
                    Err(ApiError::Stale(stale)) => match Loaded::new(stale.context) {
                        Ok(l) => state.dispatch(ShareAction::Stale(l)),
                        Err(e) => state.dispatch(ShareAction::Failed(e)),
                    },
                    Err(e) => state.dispatch(ShareAction::Failed(e.words())),
                }
            });
        })
    };

    let s = &*state;
    let Some(l) = &s.loaded else {
        let body = match &s.confirm.error {
            Some(e) => html! { <p class="error" role="alert">{ e.clone() }</p> },
            None => {
                html! { <p class="preview-note" aria-busy="true">{ "Loading who has access…" }</p> }
            }
        };
        return html! {
            <Modal title={format!("Share “{}”", props.name)} on_close={props.on_close.clone()}>
                <div class="dialog-body">{ body }</div>
                <footer class="dialog-foot">
                    <button type="button" onclick={close_click(&props.on_close)}>{ "Close" }</button>
                </footer>
            </Modal>
        };
    };
    let can_share = l.can_share;
    let profile = l.profile();
    let direct = profile == Profile::Direct;
    let owner_actions = direct && l.actor_is_owner() && l.kind() == Some(ResourceKind::Project);
    let entries = s.entries();
    let title = if can_share {
        format!("Share “{}”", props.name)
    } else {
        format!("Collaborators on “{}”", props.name)
    };
    let rows = entries.iter().map(|entry| {
        let p = entry.principal.clone();
        let is_actor = p == l.actor;
        let name = if l.names.knows_principal(&p) {
            words::principal_label(&p, &l.actor, &l.names, l.members(&p))
        } else {
            s.name_of(&p)
        };
        let access_cell = if entry.owner {
            html! { <span class="access-label">{ "Owner" }</span> }
        } else if can_share && entry.mark != Mark::Removed {
            let edit = edit.clone();
            let principal = p.clone();
            let shown = name.clone();
            html! {
                <AccessPicker access={entry.access} permissions={direct}
                    label={format!("Access for {name}")}
                    on_change={Callback::from(move |access: Access| edit.emit(ShareAction::Give {
                        principal: principal.clone(), name: shown.clone(), access }))} />
            }
        } else {
            html! { <span class="access-label">{ words::access_label(entry.access) }</span> }
        };
        let mut actions = Vec::new();
        if !entry.owner {
            if entry.mark == Mark::Removed {
                let edit = edit.clone();
                let principal = p.clone();
                actions.push(html! {
                    <button type="button" class="link" onclick={Callback::from(move |_| edit.emit(ShareAction::Restore(principal.clone())))}>
                        { "Undo" }
                    </button>
                });
            } else if can_share {
                let edit = edit.clone();
                let principal = p.clone();
                actions.push(html! {
                    <button type="button" class="link remove" aria-label={format!("Remove {name}")}
                        onclick={Callback::from(move |_| edit.emit(ShareAction::Remove(principal.clone())))}>
                        { "Remove" }
                    </button>
                });
            } else if is_actor {
                let edit = edit.clone();
                actions.push(html! {
                    <button type="button" class="link leave" onclick={Callback::from(move |_| edit.emit(ShareAction::Leave(true)))}>
                        { "Leave" }
                    </button>
                });
            }
            let person = entry.kind.is_some_and(PrincipalKind::is_person);
            if owner_actions && person && entry.mark != Mark::Removed {
                let edit = edit.clone();
                if s.new_owner.as_deref() == Some(p.as_str()) {
                    actions.push(html! {
                        <button type="button" class="link" onclick={Callback::from(move |_| edit.emit(ShareAction::SetOwner(None)))}>
                            { "Keep the owner" }
                        </button>
                    });
                } else {
                    let principal = p.clone();
                    actions.push(html! {
                        <button type="button" class="link set-owner" aria-label={format!("Set {name} as owner")}
                            onclick={Callback::from(move |_| edit.emit(ShareAction::SetOwner(Some(principal.clone()))))}>
                            { "Set as owner" }
                        </button>
                    });
                }
            }
        }
        let badge = match entry.mark {
            Mark::Saved => html! {},
            Mark::Changed => html! { <span class="tag">{ "changed" }</span> },
            Mark::Added => html! { <span class="tag">{ "new" }</span> },
            Mark::Removed => html! { <span class="tag">{ "removed" }</span> },
        };
        let owner_tag = if s.new_owner.as_deref() == Some(p.as_str()) {
            html! { <span class="tag strong">{ "new owner" }</span> }
        } else {
            html! {}
        };
        html! {
            <li key={p.clone()} class={classes!("entry", (entry.mark == Mark::Removed).then_some("removed"))}
                data-principal={p.clone()}>
                <span class="entry-name">{ name }{ badge }{ owner_tag }</span>
                <span class="entry-access">{ access_cell }</span>
                <span class="entry-actions">{ for actions }</span>
            </li>
        }
    });
    let add_row = if can_share {
        let edit = edit.clone();
        let access = *add_access;
        let on_pick = Callback::from(move |hit: custody_api::PrincipalHit| {
            edit.emit(ShareAction::Give {
                principal: hit.id.clone(),
                name: hit_label(&hit),
                access,
            })
        });
        let set_access = {
            let add_access = add_access.clone();
            Callback::from(move |a: Access| add_access.set(a))
        };
        let exclude: Vec<String> = entries.iter().map(|e| e.principal.clone()).collect();
        html! {
            <div class="add-row">
                <PrincipalPicker {on_pick} {exclude} />
                <AccessPicker access={*add_access} permissions={direct} label="Access for the person or group you add" on_change={set_access} />
            </div>
        }
    } else {
        html! {}
    };
    let owner_box = match &s.new_owner {
        Some(o) => {
            let edit = edit.clone();
            let toggle = Callback::from(move |e: Event| {
                let on = e
                    .target()
                    .and_then(|t| {
                        wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()
                    })
                    .is_some_and(|i| i.checked());
                edit.emit(ShareAction::LeaveWithOwner(on));
            });
            html! {
                <div class="owner-box">
                    <p>{ format!("{} becomes the owner when you save. You keep write access with every permission unless you leave.", s.name_of(o)) }</p>
                    <label class="check">
                        <input type="checkbox" checked={s.leave_with_owner} onchange={toggle} />
                        { "Leave the project at the same time" }
                    </label>
                </div>
            }
        }
        None => html! {},
    };
    let stale = stale_notice(&s.confirm);
    let idle = if can_share {
        "Make a change to see who gains and who loses access."
    } else if s.leave {
        ""
    } else {
        "You can see who has access, but only the owner can change it."
    };
    let show_save = can_share || s.leave;
    html! {
        <Modal title={title} on_close={props.on_close.clone()} on_submit={save.clone()} class="share-dialog">
            <div class="dialog-body">
                { stale }
                <section aria-labelledby="entries-heading">
                    <h3 id="entries-heading">{ "People and groups with access" }</h3>
                    <ul class="entries">{ for rows }</ul>
                    { add_row }
                    { owner_box }
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

fn close_click(on_close: &Callback<()>) -> Callback<MouseEvent> {
    let on_close = on_close.clone();
    Callback::from(move |_: MouseEvent| on_close.emit(()))
}
